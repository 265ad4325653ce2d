using System.Text.Json.Nodes;

namespace HhLearn.Cli.Tests;

/// <summary>The personal-data commands against dynalite and the emulator: suppress (and lift), forget, export.</summary>
public class PrivacyCommandsTests
{
    private static readonly LearningCatalog Catalog = TestCatalogs.Small;
    private static readonly LearnerIdentity Ada = new("ada@example.com", null);

    private static TestConsole Wide()
    {
        var console = new TestConsole();
        console.Profile.Width = 200;
        return console;
    }

    private static async Task<ProgressStore> StoreWithAdaAsync()
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("privacy-cli");
        var store = new ProgressStore(client, table, Catalog, TimeProvider.System);
        var module = TrackEventParser.Parse("""{"eventName":"learning_module_completed","payload":{"course_slug":"course-a","module_slug":"a1","ts":"2026-11-27T10:00:00Z"}}""").Value!;
        await store.ApplyAsync(Ada, l => ProgressEngine.Apply(l, module, Catalog, DateTimeOffset.UtcNow), default);
        return store;
    }

    [Fact]
    public async Task Suppress_KeepsTheLearnerOutOfHubSpot_AndLiftLetsThemBack()
    {
        var store = await StoreWithAdaAsync();
        var console = Wide();
        Assert.Equal(0, await PrivacyCommands.SuppressAsync(store, Ada, lift: false, console, default));
        Assert.Contains("never sent to HubSpot", console.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.com", console.Output, StringComparison.Ordinal);
        Assert.False((await store.ReadAsync(Ada, default))!.Projectable);

        var lift = Wide();
        Assert.Equal(0, await PrivacyCommands.SuppressAsync(store, Ada, lift: true, lift, default));
        Assert.Contains("suppression lifted", lift.Output, StringComparison.Ordinal);
        Assert.True((await store.ReadAsync(Ada, default))!.Projectable);
        Assert.Equal(2, await PrivacyCommands.SuppressAsync(store, Ada, lift: true, Wide(), default));
    }

    [Fact]
    public async Task Export_PrintsEverythingStored_AsJson()
    {
        var store = await StoreWithAdaAsync();
        var output = new StringWriter();
        Assert.Equal(0, await PrivacyCommands.ExportAsync(store, Ada, output, new StringWriter(), default));
        var record = Assert.Single(JsonNode.Parse(output.ToString())!["records"]!.AsArray())!;
        Assert.Equal("ada@example.com", (string?)record["email"]);
        Assert.Contains("\"a1\"", (string?)record["learner"]!["state"], StringComparison.Ordinal);
        Assert.Equal(1, (int)record["version"]!);

        var errors = new StringWriter();
        Assert.Equal(2, await PrivacyCommands.ExportAsync(store, new LearnerIdentity("nobody@example.com", null), new StringWriter(), errors, default));
        Assert.Contains("holds nothing", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_ErasesTheStoreRecord_AndWithHubSpot_ItsContact()
    {
        await using var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { RequestsPerTenSeconds = 10_000 });
        emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "ada@example.com" });
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        await using var hubSpot = new HubSpotClient(http, new StaticTokenProvider("t"), new HubSpotClientOptions { RequestsPerTenSeconds = 10_000 });
        var store = await StoreWithAdaAsync();

        var console = Wide();
        Assert.Equal(0, await PrivacyCommands.ForgetAsync(store, Ada, hubSpot, console, default));
        Assert.Matches(@"store records erased\s+│\s+1\s", console.Output);
        Assert.Contains("deleted for good", console.Output, StringComparison.Ordinal);
        Assert.Empty(emulator.Store.AllContacts());
        Assert.Null(await store.ReadAsync(Ada, default));
        Assert.NotNull(await store.SuppressionOfAsync(ProgressTable.KeyOf(Ada), default));

        var withoutHubSpot = Wide();
        Assert.Equal(0, await PrivacyCommands.ForgetAsync(store, Ada, null, withoutHubSpot, default));
        Assert.Matches(@"store records erased\s+│\s+0\s", withoutHubSpot.Output);
    }

    [Fact]
    public async Task Forget_WithoutTheDeploymentsHashKey_SaysWhatToPass_AndDoesNothing()
    {
        var store = await StoreWithAdaAsync();
        var before = Environment.GetEnvironmentVariable("HHLEARN_HASH_KEY");
        var errors = new StringWriter();
        var saved = Console.Error;
        try
        {
            Environment.SetEnvironmentVariable("HHLEARN_HASH_KEY", null);
            Console.SetError(errors);
            var exit = await new System.CommandLine.RootCommand { PrivacyCommands.Forget() }
                .Parse(["forget", "--email", "ada@example.com", "--table", store.TableName, "--store-url", (await SharedDynalite.GetAsync()).Endpoint.ToString(), "--hash-key-parameter", ""]).InvokeAsync();
            Assert.Equal(1, exit);
        }
        finally
        {
            Console.SetError(saved);
            Environment.SetEnvironmentVariable("HHLEARN_HASH_KEY", before);
        }

        Assert.Contains(errors.ToString().Split('\n'), l => l.StartsWith("hhlearn forget: this needs the deployment's hash key: --hash-key-parameter", StringComparison.Ordinal));
        Assert.NotNull(await store.ReadAsync(Ada, default));
    }
}
