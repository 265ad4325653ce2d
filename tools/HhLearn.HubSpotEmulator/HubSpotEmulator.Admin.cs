namespace HhLearn.HubSpotEmulator;

/// <summary>The admin side under <c>/_emulator/</c>: set-up of real-portal shapes, faults, stats.</summary>
public sealed partial class HubSpotEmulator
{
    /// <summary>
    /// <c>POST /_emulator/contacts</c> <c>{"properties":{...},"additionalEmails":[...],"mergedIds":[...]}</c>: a contact set up
    /// directly (no validation, no token), e.g. one that answers to a secondary email or to ids merged into it.
    /// </summary>
    private ApiAnswer Seed(JsonObject body)
    {
        var values = (body["properties"] as JsonObject ?? []).Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString(), StringComparer.Ordinal);
        var additional = (body["additionalEmails"] as JsonArray ?? []).Select(e => e?.ToString()).OfType<string>().ToList();
        if (additional.Count > 0)
        {
            values["hs_additional_emails"] = string.Join(';', additional);
        }

        var merged = (body["mergedIds"] as JsonArray ?? []).Select(e => e?.ToString()).OfType<string>().ToList();
        if (merged.Any(id => !long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            return Invalid("mergedIds are numeric contact ids");
        }

        try
        {
            return new ApiAnswer(201, new JsonObject { ["id"] = Store.Seed(values, merged) });
        }
        catch (InvalidOperationException ex)
        {
            return new ApiAnswer(409, EmulatorJson.Error(ex.Message, "CONFLICT"));
        }
    }

    private ApiAnswer ApplyFaults(JsonObject body)
    {
        var faults = _options.Faults;
        if (body["errorRate"] is { } errorRate)
        {
            faults = faults with { ErrorRate = Math.Clamp(errorRate.GetValue<double>(), 0, 1) };
        }

        if (body["latencyMs"] is { } latency)
        {
            faults = faults with { Latency = TimeSpan.FromMilliseconds(latency.GetValue<double>()) };
        }

        if (body["outageSeconds"] is { } outage)
        {
            var seconds = outage.GetValue<double>();
            faults = faults with { OutageUntil = seconds > 0 ? _time.GetUtcNow().AddSeconds(seconds) : null };
        }

        var options = _options with { Faults = faults };
        if (body["dailyLimit"] is { } daily)
        {
            options = options with { DailyLimit = daily.GetValue<int>() };
        }

        if (body["failNextStatus"] is { } failStatus)
        {
            faults = faults with
            {
                FailNextStatus = failStatus.GetValue<int>(),
                FailNextCount = body["failNextCount"]?.GetValue<int>() ?? 1,
                FailNextPolicy = body["failNextPolicy"]?.ToString() ?? "TEN_SECONDLY_ROLLING",
            };
        }

        if (body["rateLimit"] is { } rate)
        {
            options = options with { RequestsPerTenSeconds = rate.GetValue<int>() };
        }

        if (body["searchPerSecond"] is { } searchRate)
        {
            options = options with { SearchRequestsPerSecond = searchRate.GetValue<int>() };
        }

        if (body["searchLagMs"] is { } lag)
        {
            options = options with { SearchLag = TimeSpan.FromMilliseconds(lag.GetValue<double>()) };
        }

        if (body["conflictStyle"]?.ToString() is { } style)
        {
            options = options with { ConflictStyle = Enum.Parse<ConflictStyle>(style, ignoreCase: true) };
        }

        if (body["mergeStyle"]?.ToString() is { } mergeStyle)
        {
            options = options with { MergeStyle = Enum.Parse<MergeStyle>(mergeStyle, ignoreCase: true) };
        }

        _options = options;
        return new ApiAnswer(200, FaultsJson());
    }

    private JsonObject FaultsJson() => new()
    {
        ["errorRate"] = _options.Faults.ErrorRate,
        ["latencyMs"] = _options.Faults.Latency.TotalMilliseconds,
        ["outageUntil"] = _options.Faults.OutageUntil is { } until ? EmulatorJson.Instant(until) : null,
        ["rateLimit"] = _options.RequestsPerTenSeconds,
        ["searchPerSecond"] = _options.SearchRequestsPerSecond,
        ["searchLagMs"] = _options.SearchLag.TotalMilliseconds,
        ["conflictStyle"] = _options.ConflictStyle.ToString(),
        ["mergeStyle"] = _options.MergeStyle.ToString(),
        ["failNextStatus"] = _options.Faults.FailNextStatus,
        ["failNextCount"] = _options.Faults.FailNextCount,
        ["dailyLimit"] = _options.DailyLimit,
    };

    private JsonObject StatsJson()
    {
        var stats = Stats.ToJson();
        stats["contacts"] = Store.ContactCount;
        stats["events"] = Store.EventCount;
        return stats;
    }
}
