using System.Diagnostics;

namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// The progress store through <c>hhlearn local</c>: read-your-writes, concurrent writers, a DynamoDB outage, HubSpot down
/// during a learner's first touch, and the projection catching up.
/// </summary>
public class StoreTests
{
    private static string Module(string email, string module, string course = "git-essentials") =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{"email":"{{{email}}}"},"payload":{"course_slug":"{{{course}}}","module_slug":"{{{module}}}"}}""";

    [Fact]
    public async Task EveryReadRightAfterTheTrackAnswer_ShowsTheEvent_AtNoHubSpotCost()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 4);
        await f.TrackAsync(Module("ryw@example.com", "warm-up"));
        await f.ConvergeAsync();
        var hubSpotBefore = f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/read") + f.Emulator.Stats.Count("GET /crm/v3/objects/contacts/{id}");
        var fresh = 0;
        for (var i = 0; i < 100; i++)
        {
            var (status, _, _) = await f.TrackAsync(Module("ryw@example.com", $"m{i}", "course-ryw"));
            Assert.Equal(200, status);
            var read = await f.GetAsync("progress/read?email=ryw%40example.com");
            fresh += (bool?)read.Body!["progress"]?["courses"]?["course-ryw"]?["modules"]?[$"m{i}"]?["completed"] == true ? 1 : 0;
        }

        Assert.Equal(100, fresh);
        await f.ConvergeAsync();
        Assert.Equal(hubSpotBefore, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/read") + f.Emulator.Stats.Count("GET /crm/v3/objects/contacts/{id}"));
    }

    [Fact]
    public async Task SixteenClientsWritingOneLearner_LoseNothing_InTheStoreOrInHubSpot()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 4);
        var modules = Enumerable.Range(0, 160).Select(i => $"m{i:D3}").ToList();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < modules.Count)
            {
                var (status, _, _) = await f.TrackAsync(Module("hammered@example.com", modules[i], "course-h"));
                Assert.Equal(200, status);
            }
        }));

        var stored = System.Text.Json.Nodes.JsonNode.Parse((await f.StoredAsync("hammered@example.com"))![P.ProgressState])!;
        Assert.All(modules, m => Assert.True((bool?)stored["courses"]!["course-h"]!["modules"]![m]?["completed"] == true, $"{m} lost in the store"));
        await f.ConvergeAsync();
        var projected = System.Text.Json.Nodes.JsonNode.Parse(f.Contact("hammered@example.com")![P.ProgressState])!;
        Assert.All(modules, m => Assert.True((bool?)projected["courses"]!["course-h"]!["modules"]![m]?["completed"] == true, $"{m} lost in HubSpot"));
    }

    [Fact]
    public async Task DynamoDbDown_Answers503StoreUnavailable_ChangesNothing_AndRecovers()
    {
        await using var f = await LocalFixture.StartAsync();
        await f.TrackAsync(Module("ada@example.com", "commits"));
        f.Service.Faults.StoreUnavailable = true;
        try
        {
            var clock = Stopwatch.StartNew();
            var (status, body, response) = await f.TrackAsync(Module("ada@example.com", "branches"));
            Assert.Equal((503, "STORE_UNAVAILABLE"), (status, (string?)body!["details"]!["code"]));
            Assert.Equal("2", response.Headers.GetValues("retry-after").Single());
            var read = await f.GetAsync("progress/read?email=ada%40example.com");
            Assert.Equal((503, "STORE_UNAVAILABLE"), (read.Status, (string?)read.Body!["details"]!["code"]));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"the outage answers took {clock.Elapsed}");
        }
        finally
        {
            f.Service.Faults.StoreUnavailable = false;
        }

        var after = await f.GetAsync("progress/read?email=ada%40example.com");
        Assert.Equal("git-essentials: 1/3 modules", (string?)after.Body!["summary"]);
        Assert.Equal(200, (await f.TrackAsync(Module("ada@example.com", "branches"))).Status);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.StoreUnavailable);
    }

    [Fact]
    public async Task HubSpotDown_TracksAndReadsAreUnaffected_TheProjectionCatchesUpAfterwards()
    {
        await using var f = await LocalFixture.StartAsync(environment: new() { ["HUBSPOT_RATE_LIMIT"] = "1000" });
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddSeconds(12) });
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (await f.TrackAsync(Module("outage@example.com", $"m{i}", "course-o"))).Status);
            Assert.Equal($"course-o: {i + 1}/{i + 1} modules", (string?)(await f.GetAsync("progress/read?email=outage%40example.com")).Body!["summary"]);
        }

        Assert.Null(f.Contact("outage@example.com"));
        await f.ConvergeAsync(TimeSpan.FromSeconds(90));
        Assert.Equal("10", f.Contact("outage@example.com")![P.TotalProgress]);
        Assert.Equal(0, f.Service.Queue!.DeadLetter!.Count);
    }

    [Fact]
    public async Task HubSpotDownDuringAFirstTouch_TheReadAnswersFromTheStore_TheTrackIsStored_TheImportComesLater()
    {
        await using var f = await LocalFixture.StartAsync();
        f.Emulator.Store.Seed(new Dictionary<string, string>
        {
            ["email"] = "legacy@example.com",
            [P.ProgressState] = """{"courses":{"git-essentials":{"enrolled":true,"enrolled_at":"2026-01-10T09:00:00.000Z","enrollment_source":"old_site","modules":{"commits":{"started":true,"completed":true,"completed_at":"2026-01-11T09:00:00.000Z"}}}}}""",
        });
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddSeconds(8) });
        Assert.Equal("""{"mode":"anonymous"}""", (await f.GetAsync("progress/read?email=legacy%40example.com")).Body!.ToJsonString());
        Assert.Equal(200, (await f.TrackAsync(Module("legacy@example.com", "branches"))).Status);

        await f.ConvergeAsync(TimeSpan.FromSeconds(90));
        var read = await f.GetAsync("progress/read?email=legacy%40example.com");
        Assert.Equal("git-essentials: 2/3 modules", (string?)read.Body!["summary"]);
        Assert.Equal("old_site", (string?)read.Body["progress"]!["courses"]!["git-essentials"]!["enrollment_source"]);
        Assert.Equal("2", f.Contact("legacy@example.com")![P.TotalProgress]);
        Assert.Single(f.Emulator.Store.AllContacts());
    }

    [Fact]
    public async Task ALostNudge_IsFoundByTheSweeper_AndHubSpotCatchesUp()
    {
        await using var f = await LocalFixture.StartAsync();
        f.Service.Faults.QueueUnavailable = true;
        var (status, body, _) = await f.TrackAsync(Module("lost@example.com", "commits"));
        Assert.Equal((200, "persisted"), (status, (string?)body!["status"]));
        f.Service.Faults.QueueUnavailable = false;
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.NudgeFailed);
        Assert.Null(f.Contact("lost@example.com"));

        await f.ConvergeAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("git-essentials", f.Contact("lost@example.com")![P.EnrolledCourses]);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.ProjectionSwept && (int?)l["nudged"] >= 1);
    }
}
