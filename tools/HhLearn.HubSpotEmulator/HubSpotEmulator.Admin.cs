namespace HhLearn.HubSpotEmulator;

/// <summary>The admin side under <c>/_emulator/</c>: faults and stats (their bodies are read by <see cref="AdminRequests"/>).</summary>
public sealed partial class HubSpotEmulator
{
    private ApiAnswer ApplyFaults(JsonObject body)
    {
        _options = AdminRequests.ApplyFaults(_options, body, _time.GetUtcNow());
        return new ApiAnswer(200, FaultsJson());
    }

    private JsonObject FaultsJson() => AdminRequests.FaultsJson(_options);

    private JsonObject StatsJson()
    {
        var stats = Stats.ToJson();
        stats["contacts"] = Store.ContactCount;
        stats["events"] = Store.EventCount;
        return stats;
    }
}
