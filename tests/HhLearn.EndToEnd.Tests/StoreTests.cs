using System.Diagnostics;

namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// The progress store through <c>hhlearn local</c>: read-your-writes, concurrent writers, a DynamoDB outage, HubSpot down
/// during a learner's first touch, and the projection catching up.
/// </summary>
public class StoreTests
{
    internal static string Module(string email, string module, string course = "git-essentials") =>
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
