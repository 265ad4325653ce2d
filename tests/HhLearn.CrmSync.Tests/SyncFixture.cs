using HhLearn.HubSpot;
using HhLearn.HubSpotEmulator;
using HhLearn.Progress.Catalog;
using HhLearn.CrmSync.Contacts;

namespace HhLearn.CrmSync.Tests;

/// <summary>An emulator with HhLearn's properties provisioned, a client, a captured log and the sync module.</summary>
internal sealed class SyncFixture : IAsyncDisposable, INudgeSender
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public static readonly LearningCatalog Catalog = TestSupport.TestCatalogs.Small;

    private SyncFixture(HubSpotEmulator.HubSpotEmulator emulator, HttpClient http, HubSpotClient client, StringWriter logText, SyncOptions? options)
    {
        Emulator = emulator;
        Http = http;
        Client = client;
        LogText = logText;
        Log = new JsonLineLog(logText, TimeProvider.System);
        Sync = HubSpotBackend.Create(client, Catalog, Log, TimeProvider.System, options);
    }

    public HubSpotEmulator.HubSpotEmulator Emulator { get; }
    public HttpClient Http { get; }
    public HubSpotClient Client { get; }
    public StringWriter LogText { get; }
    public JsonLineLog Log { get; }

    /// <summary>HubSpot-only direct mode.</summary>
    public IProgressBackend Sync { get; }

    public IReadOnlyList<JsonNode> LogLines => TestSupport.LogLines.Parse(LogText.ToString());

    public static async Task<SyncFixture> StartAsync(SyncOptions? options = null)
    {
        var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { Token = "t", RequestsPerTenSeconds = 10_000 });
        Provision(emulator.Store);
        var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        var client = new HubSpotClient(http, new StaticTokenProvider("t"), new HubSpotClientOptions { RequestsPerTenSeconds = 10_000, BaseDelay = TimeSpan.FromMilliseconds(10) });
        return new SyncFixture(emulator, http, client, new StringWriter(), options);
    }

    public static void Provision(ContactStore store) => TestSupport.EmulatorSetup.Provision(store);

    public static TrackEvent Event(string json) => TestSupport.TrackEvents.Parse(json);

    public static TrackEvent ModuleCompleted(string email, string course, string module, string ts = "2026-11-27T10:00:00Z") =>
        TestSupport.TrackEvents.ModuleCompleted(course, module, ts, email);

    public IReadOnlyDictionary<string, string> Contact(string email) =>
        Emulator.Store.AllContacts().Single(c => c.Properties.GetValueOrDefault("email") == email).Properties;

    /// <summary>Nudges sent, as the projection queue would receive them.</summary>
    public List<(Nudge Nudge, string? Round)> Nudges { get; } = [];

    public Task SendAsync(IReadOnlyList<Nudge> nudges, string? round, CancellationToken ct)
    {
        lock (Nudges)
        {
            Nudges.AddRange(nudges.Select(n => (n, round)));
        }

        return Task.CompletedTask;
    }

    /// <summary>A progress store on its own table of the shared dynalite.</summary>
    public static async Task<Store.ProgressStore> StoreAsync()
    {
        var (_, table, client) = await TestSupport.SharedDynalite.NewTableAsync("sync");
        return new Store.ProgressStore(client, table, Catalog, TimeProvider.System, new Store.StoreOptions { HashKey = TestSupport.TestHashKey.Key });
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}
