using HhLearn.Progress.Events;
using P = HhLearn.CrmSync.Contacts.ContactPropertyNames;

namespace HhLearn.Function.Tests;

/// <summary>
/// The function with the progress store (PROGRESS_TABLE): tracks answered after the store write, reads from the store
/// at no HubSpot cost, the projection over SQS, the sweeper's schedule, and the store's failures answered as 503.
/// </summary>
public class StoreModeTests
{
    private static string Module(string email, string module, string course = "course-a") =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{"email":"{{{email}}}"},"payload":{"pathway_slug":"path-x","course_slug":"{{{course}}}","module_slug":"{{{module}}}","ts":"2026-11-27T10:00:00Z"}}""";

    [Fact]
    public async Task Track_IsPersistedInTheStore_BeforeTheAnswer_WithoutAnyHubSpotCall()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        var answer = await f.TrackAsync(Module("ada@example.com", "a1"));
        Assert.Equal(200, answer.Status);
        Assert.Equal(("persisted", "authenticated", "store"), ((string?)answer.Body!["status"], (string?)answer.Body["mode"], (string?)answer.Body["backend"]));
        Assert.Equal(0, f.Emulator.Stats.Total);
        var stored = (await f.Store!.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!;
        Assert.Equal((1L, true), (stored.Version, stored.IsBehind));
        var line = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.EventStored);
        Assert.Equal(EmailHash.Of("ada@example.com"), (string?)line["emailHash"]);
        Assert.DoesNotContain("ada@example.com", f.LogText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadRightAfterTheTrack_ShowsTheEvent_AndCostsHubSpotNothing()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        for (var i = 0; i < 20; i++)
        {
            await f.TrackAsync(Module("ryw@example.com", $"m{i}", "course-z"));
            var read = await f.GetAsync("/progress/read", "email=ryw%40example.com");
            Assert.True((bool?)read.Body!["progress"]!["path-x"]!["courses"]!["course-z"]!["modules"]![$"m{i}"]!["completed"]);
        }

        var aggregate = await f.GetAsync("/progress/aggregate", "type=course&slug=course-z&email=ryw%40example.com");
        Assert.Equal(20, (int)aggregate.Body!["completed"]!);
        Assert.Equal(0, f.Emulator.Stats.Total);
    }

    [Fact]
    public async Task AnExplicitCompletionTheStateDoesNotSupport_IsA400AtOnce_AndStoresNothing()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        await f.TrackAsync(Module("ada@example.com", "a1"));
        var answer = await f.TrackAsync("""{"eventName":"learning_course_completed","contactIdentifier":{"email":"ada@example.com"},"pathway_slug":"path-x","course_slug":"course-a"}""");
        Assert.Equal((400, "INVALID_EVENT_DATA"), (answer.Status, answer.Code));
        Assert.Equal("course_slug: 1/2 modules completed", (string?)answer.Body!["details"]!["details"]![0]);
        Assert.Equal(1, (await f.Store!.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!.Version);
    }

    [Fact]
    public async Task TheNudge_IsProjectedToHubSpot_ThroughTheSqsHandler()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        await f.TrackAsync(Module("ada@example.com", "a1"));
        await f.TrackAsync(Module("ada@example.com", "a2"));
        await f.TrackAsync(Module("grace@example.com", "b1", "course-b"));
        Assert.Equal(3, f.Queue!.Count);

        var answers = await f.ProjectAsync();
        Assert.All(answers, a => Assert.Empty(a["batchItemFailures"]!.AsArray()));
        Assert.Equal("course-a", f.Contact("ada@example.com")![P.CompletedCourses]);
        Assert.Equal("path-x: 1/2 courses", f.Contact("ada@example.com")![P.ProgressSummary]);
        Assert.Equal("course-b", f.Contact("grace@example.com")![P.CompletedCourses]);
        Assert.False((await f.Store!.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!.IsBehind);
        Assert.Equal(2, f.LogLines.Count(l => (string?)l["event"] == LogEvents.ProjectionWritten));
    }

    [Fact]
    public async Task TheScheduledEvent_RunsTheSweeper()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["PROJECTION_SWEEP_AFTER_SECONDS"] = "1" }, store: true);
        await f.TrackAsync(Module("ada@example.com", "a1"));
        await Task.Delay(1200);
        var scheduled = """{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-11-27T10:00:00Z","region":"eu-west-1","resources":["arn:aws:events:eu-west-1:123456789012:rule/hhlearn-sweeper"],"detail":{}}""";
        var bytes = await f.App.HandleAsync(Encoding.UTF8.GetBytes(scheduled), new LambdaContext("sweep", DateTimeOffset.UtcNow.AddSeconds(30), null, null));
        Assert.Equal(1, (int)JsonNode.Parse(bytes.Span)!["nudged"]!);
        Assert.Equal(2, f.Queue!.Count);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.ProjectionSwept);
    }

    [Fact]
    public async Task ANewLearnersContact_GetsTheNamesOfTheirVerifiedToken()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        var claims = new Dictionary<string, string> { ["email"] = "grace@example.com", ["email_verified"] = "true", ["given_name"] = "Grace", ["family_name"] = "Hopper" };
        var answer = await f.TrackAsync("""{"eventName":"learning_module_completed","payload":{"course_slug":"course-a","module_slug":"a1"}}""", claims);
        Assert.Equal(200, answer.Status);
        await f.ProjectAsync();
        var contact = f.Contact("grace@example.com")!;
        Assert.Equal(("Grace", "Hopper", "lead"), (contact["firstname"], contact["lastname"], contact["lifecyclestage"]));
        Assert.DoesNotContain("Hopper", f.LogText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheScheduledEvent_WithSyncOff_StillReportsTheLag_AsZero_SoTheLagAlarmKnowsTheSweeperRuns()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["ENABLE_CRM_PROGRESS"] = "false" });
        var scheduled = """{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-11-27T10:00:00Z","region":"eu-west-1","resources":["arn:aws:events:eu-west-1:123456789012:rule/hhlearn-sweeper"],"detail":{}}""";
        var bytes = await f.App.HandleAsync(Encoding.UTF8.GetBytes(scheduled), new LambdaContext("sweep", DateTimeOffset.UtcNow.AddSeconds(30), null, null));
        Assert.Equal(0, (int)JsonNode.Parse(bytes.Span)!["nudged"]!);
        var line = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.ProjectionSwept);
        Assert.Equal(0.0, (double)line["oldestBehindSeconds"]!);
    }

    [Fact]
    public async Task ALearnerTheStoreHasNeverSeen_IsImportedFromHubSpotOnTheFirstRead_ThenReadsCostNothing()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        f.Emulator.Store.Seed(new Dictionary<string, string>
        {
            ["email"] = "legacy@example.com",
            // As the engine writes it (derived flags included): HubSpot then holds exactly what the store imports.
            [P.ProgressState] = """{"path-x":{"enrolled":true,"enrolled_at":"2026-01-10T09:00:00.000Z","enrollment_source":"pathway_page","completed":false}}""",
        });
        var first = await f.GetAsync("/enrollments/list", "email=legacy%40example.com");
        Assert.Equal("pathway_page", (string?)first.Body!["enrollments"]!["pathways"]![0]!["enrollment_source"]);
        Assert.Equal(1, f.Emulator.Stats.Total);

        f.Emulator.Stats.Reset();
        await f.GetAsync("/progress/read", "email=legacy%40example.com");
        await f.GetAsync("/progress/aggregate", "type=pathway&slug=path-x&email=legacy%40example.com");
        Assert.Equal(0, f.Emulator.Stats.Total);
        var stored = (await f.Store!.ReadAsync(new LearnerIdentity("legacy@example.com", null), default))!;
        Assert.Equal((false, false), (stored.IsBehind, stored.ImportPending));
    }

    [Fact]
    public async Task AStranger_ReadsAnonymous_AndNothingIsStored()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        Assert.Equal("""{"mode":"anonymous"}""", (await f.GetAsync("/progress/read", "email=ghost%40example.com")).Body!.ToJsonString());
        Assert.Equal(404, (await f.GetAsync("/enrollments/list", "email=ghost%40example.com")).Status);
        Assert.Null(await f.Store!.ReadAsync(new LearnerIdentity("ghost@example.com", null), default));
    }

    [Fact]
    public async Task HubSpotDownOnAFirstRead_AnswersFromTheStore_WhichHasNothing()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "legacy@example.com", [P.ProgressState] = """{"path-x":{"enrolled":true}}""" });
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(5) });
        var read = await f.GetAsync("/progress/read", "email=legacy%40example.com");
        Assert.Equal("""{"mode":"anonymous"}""", read.Body!.ToJsonString());
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.LegacyImportFailed);

        // Tracks never call HubSpot: they are stored as usual during the outage.
        Assert.Equal("persisted", (string?)(await f.TrackAsync(Module("legacy@example.com", "a1"))).Body!["status"]);
    }

    [Fact]
    public async Task TheStoreUnreachable_Is503StoreUnavailable_WithRetryAfter_NeverA500()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["PROGRESS_TABLE"] = "no-such-table" }, store: true);
        var track = await f.TrackAsync(Module("ada@example.com", "a1"));
        Assert.Equal((503, "STORE_UNAVAILABLE"), (track.Status, track.Code));
        Assert.Equal("2", track.Headers["retry-after"]);
        var read = await f.GetAsync("/progress/read", "email=ada%40example.com");
        Assert.Equal((503, "STORE_UNAVAILABLE"), (read.Status, read.Code));
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.StoreUnavailable);
    }

    [Fact]
    public async Task CorruptStoredProgress_IsNeverOverwritten_TracksFallBack_ReadsAre409()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        await f.TrackAsync(Module("ada@example.com", "a1"));
        using (var client = HhLearn.Store.ProgressStore.CreateClient())
        {
            var key = HhLearn.Store.ProgressTable.KeyOf(new LearnerIdentity("ada@example.com", null));
            await client.UpdateItemAsync(new Amazon.DynamoDBv2.Model.UpdateItemRequest
            {
                TableName = f.Store!.TableName,
                Key = new() { [HhLearn.Store.ProgressTable.Key] = new() { S = key } },
                UpdateExpression = "SET #p.#s = :bad",
                ExpressionAttributeNames = new() { ["#p"] = HhLearn.Store.ProgressTable.Learner, ["#s"] = HhLearn.Store.StoredProgress.State },
                ExpressionAttributeValues = new() { [":bad"] = new() { S = "[1,2" } },
            });
        }

        var track = await f.TrackAsync(Module("ada@example.com", "a2"));
        Assert.Equal((200, "fallback", "PROGRESS_STATE_CORRUPT"), (track.Status, (string?)track.Body!["mode"], (string?)track.Body["error"]));
        var read = await f.GetAsync("/progress/read", "email=ada%40example.com");
        Assert.Equal((409, "PROGRESS_STATE_CORRUPT"), (read.Status, read.Code));
        Assert.Equal("a2", (string?)Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.ProgressStateCorrupt && l["replay"] is not null)["replay"]!["payload"]!["module_slug"]);
    }

    [Fact]
    public async Task SyncSwitchedOff_StoresNothing_AndKeepsTheNudges()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["ENABLE_CRM_PROGRESS"] = "false" }, store: true);
        Assert.Equal("""{"status":"logged","mode":"anonymous"}""", (await f.TrackAsync(Module("ada@example.com", "a1"))).Body!.ToJsonString());
        Assert.Null(await f.Store!.ReadAsync(new LearnerIdentity("ada@example.com", null), default));
    }
}
