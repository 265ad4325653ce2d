using HhLearn.HubSpotEmulator;

namespace HhLearn.HubSpot.Tests;

/// <summary>A fresh in-process emulator on 127.0.0.1 and a client pointed at it, per test.</summary>
internal sealed class ClientFixture(HubSpotEmulator.HubSpotEmulator emulator, HttpClient http, HubSpotClient client, List<HubSpotCallEvent> events) : IAsyncDisposable
{
    public const string Token = "test-token";

    public HubSpotEmulator.HubSpotEmulator Emulator => emulator;
    public HttpClient Http => http;
    public HubSpotClient Client => client;

    /// <summary>Every call the client made, as its observer reported them.</summary>
    public List<HubSpotCallEvent> Events => events;

    public static readonly string[] Props = ["email", "firstname", "hhl_total_progress", "hhl_last_activity"];

    public static async Task<ClientFixture> StartAsync(
        EmulatorOptions? emulatorOptions = null, HubSpotClientOptions? clientOptions = null, IHubSpotTokenProvider? tokens = null, TimeProvider? time = null,
        TimeProvider? emulatorTime = null)
    {
        var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync((emulatorOptions ?? new EmulatorOptions()) with { Token = emulatorOptions?.Token ?? Token }, time: emulatorTime ?? time);
        var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        var events = new List<HubSpotCallEvent>();
        var client = new HubSpotClient(
            http,
            tokens ?? new StaticTokenProvider(Token),
            clientOptions ?? new HubSpotClientOptions { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(500), RequestsPerTenSeconds = 10_000 },
            e => { lock (events) { events.Add(e); } },
            time);
        var fixture = new ClientFixture(emulator, http, client, events);
        await fixture.ProvisionAsync();
        return fixture;
    }

    /// <summary>Creates the custom properties the tests write, straight in the store.</summary>
    private async Task ProvisionAsync()
    {
        await Client.CreatePropertyGroupAsync(new HubSpotPropertyGroup { Name = "learning_milestones", Label = "Learning Milestones" });
        await Client.CreatePropertyAsync(new HubSpotProperty { Name = "hhl_total_progress", Label = "Completed modules", Type = "number", FieldType = "number", GroupName = "learning_milestones" });
        await Client.CreatePropertyAsync(new HubSpotProperty { Name = "hhl_last_activity", Label = "Last activity", Type = "date", FieldType = "date", GroupName = "learning_milestones" });
        Emulator.Stats.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}

internal sealed class RotatingTokenProvider(string first, string afterRefresh) : IHubSpotTokenProvider
{
    public int Refreshes { get; private set; }

    public ValueTask<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken)
    {
        if (rejected is not null)
        {
            Refreshes++;
        }

        return ValueTask.FromResult(Refreshes > 0 ? afterRefresh : first);
    }
}
