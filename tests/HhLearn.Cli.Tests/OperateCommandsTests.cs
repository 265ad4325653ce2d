using HhLearn.CrmSync;
using P = HhLearn.CrmSync.Contacts.ContactPropertyNames;

namespace HhLearn.Cli.Tests;

/// <summary>The operator's store commands against dynalite and the emulator: import, reproject, recompute.</summary>
public class OperateCommandsTests
{
    private static readonly LearningCatalog Catalog = TestCatalogs.Small;

    private static async Task<ProgressStore> StoreAsync(LearningCatalog? catalog = null)
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("cli");
        return new ProgressStore(client, table, catalog ?? Catalog, TimeProvider.System);
    }

    private static string State(params string[] modules) =>
        "{\"courses\":{\"course-a\":{\"enrolled\":true,\"modules\":{" + string.Join(',', modules.Select(m => $"\"{m}\":{{\"started\":true,\"completed\":true,\"completed_at\":\"2026-01-11T09:00:00.000Z\"}}")) + "}}}}";

    [Fact]
    public async Task Import_CopiesEveryContactsProgress_PageByPage_Counting_AndIsIdempotent()
    {
        await using var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { RequestsPerTenSeconds = 10_000 });
        for (var i = 0; i < 230; i++)
        {
            emulator.Store.Seed(new Dictionary<string, string> { ["email"] = $"learner{i}@example.com", [P.ProgressState] = State("a1") });
        }

        emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "corrupt@example.com", [P.ProgressState] = "{oops" });
        emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "nothing@example.com" });
        var store = await StoreAsync();
        var active = new LearnerIdentity("learner7@example.com", null);
        var module = TrackEventParser.Parse("""{"eventName":"learning_module_completed","payload":{"course_slug":"course-a","module_slug":"a2","ts":"2026-11-27T10:00:00Z"}}""").Value!;
        await store.ApplyAsync(active, l => ProgressEngine.Apply(l, module, Catalog, DateTimeOffset.UtcNow), default);

        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        await using var hubSpot = new HubSpotClient(http, new StaticTokenProvider("t"), new HubSpotClientOptions { RequestsPerTenSeconds = 10_000 });
        var console = new TestConsole();
        var errors = new StringWriter();
        Assert.Equal(0, await ImportCommand.RunAsync(hubSpot, store, null, console, errors, default));

        var output = console.Output;
        Assert.Matches(@"imported\s+│\s+229\s", output);
        Assert.Matches(@"merged\s+│\s+1\s", output);
        Assert.Matches(@"corrupt\s+│\s+1\s", output);
        Assert.Matches(@"skipped\s+│\s+1\s", output);
        Assert.Contains("resume with --after", output, StringComparison.Ordinal);
        Assert.Contains("hhl_progress_state is corrupt", errors.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, emulator.Stats.Count("GET /crm/v3/objects/contacts"));
        var merged = (await store.ReadAsync(active, default))!;
        Assert.True(merged.Learner.State.StandaloneCourse("course-a")!.IsCompleted);
        Assert.True(merged.IsBehind);
        var imported = (await store.ReadAsync(new LearnerIdentity("learner100@example.com", null), default))!;
        Assert.Equal(emulator.Store.AllContacts().Single(c => c.Properties["email"] == "learner100@example.com").Id, imported.ContactId);
        Assert.True(imported.Learner.State.StandaloneCourse("course-a")!.IsStarted);

        var again = new TestConsole();
        Assert.Equal(0, await ImportCommand.RunAsync(hubSpot, store, null, again, new StringWriter(), default));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(again.Output, @"unchanged\s+│\s+230\s"), again.Output);
    }

    [Fact]
    public async Task Import_ResumesFromAPrintedCursor()
    {
        await using var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { RequestsPerTenSeconds = 10_000 });
        var ids = Enumerable.Range(0, 150).Select(i => emulator.Store.Seed(new Dictionary<string, string> { ["email"] = $"p{i}@example.com", [P.ProgressState] = State("a1") })).ToList();
        var store = await StoreAsync();
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        await using var hubSpot = new HubSpotClient(http, new StaticTokenProvider("t"), new HubSpotClientOptions { RequestsPerTenSeconds = 10_000 });
        var console = new TestConsole();
        Assert.Equal(0, await ImportCommand.RunAsync(hubSpot, store, ids[99], console, new StringWriter(), default));
        Assert.Matches(@"imported\s+│\s+50\s", console.Output);
        Assert.Null(await store.ReadAsync(new LearnerIdentity("p0@example.com", null), default));
        Assert.NotNull(await store.ReadAsync(new LearnerIdentity("p149@example.com", null), default));
    }

    [Fact]
    public async Task Import_HubSpotDown_StopsWithTheCursorToResumeFrom()
    {
        await using var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { RequestsPerTenSeconds = 10_000 });
        emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "x@example.com", [P.ProgressState] = State("a1") });
        emulator.SetFaults(new FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(1) });
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        await using var hubSpot = new HubSpotClient(http, new StaticTokenProvider("t"), new HubSpotClientOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(5) });
        var errors = new StringWriter();
        Assert.Equal(1, await ImportCommand.RunAsync(hubSpot, await StoreAsync(), null, new TestConsole(), errors, default));
        Assert.Contains("run it again", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reproject_MarksLearnersBehind_LiftsABlock_AndNamesTheMissing()
    {
        var store = await StoreAsync();
        var e = TrackEventParser.Parse("""{"eventName":"learning_course_enrolled","course_slug":"course-a"}""").Value!;
        var ada = (await store.ApplyAsync(new LearnerIdentity("ada@example.com", null), l => ProgressEngine.Apply(l, e, Catalog, DateTimeOffset.UtcNow), default)).Learner;
        await store.MarkProjectedAsync(ada, "1", default);
        var bob = (await store.ApplyAsync(new LearnerIdentity("bob@example.com", null), l => ProgressEngine.Apply(l, e, Catalog, DateTimeOffset.UtcNow), default)).Learner;
        await store.BlockAsync(bob.Key, "400 VALIDATION_ERROR", default);

        var console = new TestConsole();
        var errors = new StringWriter();
        var exit = await ReprojectCommand.RunAsync(store, false,
            [new LearnerIdentity("ada@example.com", null), new LearnerIdentity("bob@example.com", null), new LearnerIdentity("ghost@example.com", null)], console, errors, default);

        Assert.Equal(2, exit);
        Assert.Matches(@"marked behind.*│\s+2\s", console.Output);
        Assert.Matches(@"block lifted.*│\s+1\s", console.Output);
        Assert.DoesNotContain("ghost@example.com", errors.ToString(), StringComparison.Ordinal);
        var due = await store.DueAsync(DateTimeOffset.UtcNow.AddMinutes(-5), 10, default);
        Assert.Equal(new[] { ada.Key, bob.Key }.Order(StringComparer.Ordinal), due.Order(StringComparer.Ordinal));
        Assert.Null((await store.ReadAsync(new LearnerIdentity("bob@example.com", null), default))!.Blocked);
        Assert.Equal(0, (await store.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!.ProjectedVersion);

        var everyone = new TestConsole();
        Assert.Equal(0, await ReprojectCommand.RunAsync(store, true, [], everyone, new StringWriter(), default));
        Assert.Matches(@"marked behind.*│\s+2\s", everyone.Output);
    }

    [Fact]
    public async Task Recompute_AfterACourseGainsAModule_RevokesItsCompletion_AndThePojectionCarriesIt()
    {
        var store = await StoreAsync();
        foreach (var module in new[] { "a1", "a2" })
        {
            var e = TrackEventParser.Parse($$$"""{"eventName":"learning_module_completed","payload":{"course_slug":"course-a","module_slug":"{{{module}}}","ts":"2026-11-27T10:00:00Z"}}""").Value!;
            await store.ApplyAsync(new LearnerIdentity("ada@example.com", null), l => ProgressEngine.Apply(l, e, Catalog, DateTimeOffset.UtcNow), default);
        }

        var before = (await store.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!;
        await store.MarkProjectedAsync(before, "1", default);
        Assert.True(before.Learner.State.StandaloneCourse("course-a")!.IsCompleted);
        var grown = LearningCatalog.Of([("course-a", ["a1", "a2", "a3"]), ("course-b", ["b1"])], []);

        var dry = new TestConsole();
        Assert.Equal(0, await RecomputeCommand.RunAsync(store, grown, true, dry, new StringWriter(), default));
        Assert.Matches(@"would change\s+│\s+1\s", dry.Output);
        Assert.True((await store.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!.Learner.State.StandaloneCourse("course-a")!.IsCompleted);

        var console = new TestConsole();
        Assert.Equal(0, await RecomputeCommand.RunAsync(store, grown, false, console, new StringWriter(), default));
        var after = (await store.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!;
        Assert.False(after.Learner.State.StandaloneCourse("course-a")!.IsCompleted);
        Assert.True(after.IsBehind);
        Assert.Equal(before.Version + 1, after.Version);

        var again = new TestConsole();
        await RecomputeCommand.RunAsync(store, grown, false, again, new StringWriter(), default);
        Assert.Matches(@"changed.*│\s+0\s", again.Output);
    }
}
