using HhLearn.CrmSync;

namespace HhLearn.EndToEnd.Tests;

/// <summary>End to end over HTTP against <c>hhlearn local</c>, with the real bootstrap behind the local Runtime API.</summary>
public class LocalServiceTests
{
    private const string Module = """{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"pathway_slug":"cloud-foundations","course_slug":"intro-to-cloud","module_slug":"what-is-cloud","ts":"2026-11-27T10:00:00Z"}}""";

    [Fact]
    public async Task Events_CreateAContact_WithExactlyTheExpectedProperties()
    {
        await using var f = await LocalFixture.StartAsync();
        var (status, body, _) = await f.TrackAsync(Module);
        Assert.Equal(200, status);
        Assert.Equal("persisted", (string?)body!["status"]);
        await f.TrackAsync("""{"eventName":"learning_course_enrolled","contactIdentifier":{"email":"ada@example.com"},"course_slug":"git-essentials","enrollment_source":"course_page","payload":{"ts":"2026-11-27T10:05:00Z"}}""");
        await f.TrackAsync("""{"eventName":"learning_page_viewed","contactIdentifier":{"email":"ada@example.com"},"payload":{"content_type":"course","slug":"git-essentials","ts":"2026-11-27T10:06:00Z"}}""");
        await f.ConvergeAsync();

        var contact = f.Contact("ada@example.com")!;
        var expected = new Dictionary<string, string>
        {
            [P.Email] = "ada@example.com",
            [P.LifecycleStage] = "lead",
            [P.ProgressSummary] = "git-essentials: 0/3 modules; cloud-foundations: 0/2 courses",
            [P.EnrolledCourses] = "git-essentials;intro-to-cloud",
            [P.CompletedCourses] = "",
            [P.TotalProgress] = "1",
            [P.LastActivity] = "2026-11-27",
            [P.LastViewedType] = "course",
            [P.LastViewedSlug] = "git-essentials",
            [P.LastViewedAt] = "2026-11-27T10:06:00.000Z",
        };
        foreach (var (name, value) in expected.Where(kv => kv.Value.Length > 0))
        {
            Assert.True(value == contact[name], $"{name}: expected '{value}', got '{contact[name]}'");
        }

        Assert.False(contact.ContainsKey(P.CompletedCourses));
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), contact[P.ProgressUpdatedAt]);
        var state = JsonNode.Parse(contact[P.ProgressState])!;
        Assert.Equal("2026-11-27T10:00:00.000Z", (string?)state["cloud-foundations"]!["courses"]!["intro-to-cloud"]!["modules"]!["what-is-cloud"]!["completed_at"]);
        Assert.Equal("course_page", (string?)state["courses"]!["git-essentials"]!["enrollment_source"]);
    }

    [Fact]
    public async Task ReadRoutes_AnswerFromTheStore()
    {
        await using var f = await LocalFixture.StartAsync();
        await f.TrackAsync(Module);
        var read = await f.GetAsync("progress/read?email=ada%40example.com");
        Assert.Equal("cloud-foundations: 0/2 courses", (string?)read.Body!["summary"]);
        var aggregate = await f.GetAsync("progress/aggregate?type=course&slug=intro-to-cloud&email=ada%40example.com");
        Assert.Equal("""{"mode":"authenticated","started":1,"completed":1,"enrolled":true,"enrolled_at":"2026-11-27T10:00:00.000Z"}""", aggregate.Body!.ToJsonString());
        var enrollments = await f.GetAsync("enrollments/list?email=ada%40example.com");
        Assert.Equal("cloud-foundations", (string?)enrollments.Body!["enrollments"]!["pathways"]![0]!["slug"]);
        Assert.Equal("intro-to-cloud", (string?)enrollments.Body["enrollments"]!["courses"]![0]!["slug"]);
    }

    [Fact]
    public async Task SyncSwitchedOff_EverythingIsAnonymous_AndHubSpotIsUntouched()
    {
        await using var f = await LocalFixture.StartAsync(environment: new() { ["ENABLE_CRM_PROGRESS"] = "false" });
        Assert.Equal("""{"status":"logged","mode":"anonymous"}""", (await f.TrackAsync(Module)).Body!.ToJsonString());
        Assert.Equal("""{"mode":"anonymous"}""", (await f.GetAsync("progress/read?email=ada%40example.com")).Body!.ToJsonString());
        Assert.Equal(0, f.Emulator.Stats.Total);
    }

    [Fact]
    public async Task JwtClaims_WinOverTheBody_AndADifferentIdentifierIs403()
    {
        await using var f = await LocalFixture.StartAsync();
        var token = LocalFixture.Jwt(new JsonObject { ["sub"] = "u-1", ["email"] = "grace@example.com", ["email_verified"] = true });
        var anonymousBody = """{"eventName":"learning_pathway_enrolled","pathway_slug":"cloud-foundations"}""";
        var own = await f.TrackAsync(anonymousBody, token);
        Assert.Equal("persisted", (string?)own.Body!["status"]);
        await f.ConvergeAsync();
        Assert.NotNull(f.Contact("grace@example.com"));

        var other = await f.TrackAsync(Module, token);
        Assert.Equal(403, other.Status);
        Assert.Equal("IDENTITY_MISMATCH", (string?)other.Body!["details"]!["code"]);
        Assert.Null(await f.StoredAsync("ada@example.com"));

        Assert.Equal(403, (await f.GetAsync("progress/read?email=ada%40example.com", token)).Status);
        Assert.Equal("cloud-foundations", (string?)(await f.GetAsync("enrollments/list", token)).Body!["enrollments"]!["pathways"]![0]!["slug"]);
    }

    [Fact]
    public async Task UnverifiedEmailClaim_Is403_LocallyToo()
    {
        await using var f = await LocalFixture.StartAsync();
        var token = LocalFixture.Jwt(new JsonObject { ["sub"] = "u-2", ["email"] = "mallory@example.com", ["email_verified"] = false });
        var answer = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"cloud-foundations"}""", token);
        Assert.Equal((403, "IDENTITY_UNVERIFIED"), (answer.Status, (string?)answer.Body!["details"]!["code"]));
        Assert.Null(await f.StoredAsync("mallory@example.com"));
    }

    [Fact]
    public async Task TwoFirstEventsForANewEmailAtTheSameMoment_GiveOneContact_WithBothApplied()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 2);
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { Latency = TimeSpan.FromMilliseconds(30) });
        await f.TrackAsync("""{"eventName":"learning_page_viewed","payload":{"content_type":"page","slug":"warm-up"}}""");
        var results = await Task.WhenAll(
            f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"twin@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"commits"}}"""),
            f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"twin@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"branches"}}"""));
        Assert.All(results, r => Assert.Equal("persisted", (string?)r.Body!["status"]));
        await f.ConvergeAsync();
        var contact = Assert.Single(f.Emulator.Store.AllContacts()).Properties;
        Assert.Equal("2", contact[P.TotalProgress]);
    }

    [Fact]
    public async Task HubSpotOutage_InDirectMode_AnswersFallback_AndLogsCrmSyncFailed()
    {
        await using var f = await LocalFixture.StartAsync(direct: true, environment: new() { ["HUBSPOT_RATE_LIMIT"] = "1000" });
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(10) });
        var (status, body, _) = await f.TrackAsync(Module);
        Assert.Equal(200, status);
        Assert.Equal("""{"status":"logged","mode":"fallback","error":"CRM_UNAVAILABLE"}""", body!.ToJsonString());
        for (var i = 0; i < 50 && !f.LogLines.Any(l => (string?)l["event"] == LogEvents.CrmSyncFailed); i++)
        {
            await Task.Delay(100);
        }

        var logged = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.CrmSyncFailed);
        Assert.Equal(EmailHash.Of("ada@example.com"), (string?)logged["emailHash"]);
        Assert.DoesNotContain("ada@example.com", string.Join('\n', f.Logs), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadConfiguration_IsReportedOnceThroughTheInitError_AndAnswers500()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 1, environment: new() { ["PROGRESS_BACKEND"] = "spreadsheet" });
        var (status, body, _) = await f.TrackAsync(Module);
        Assert.Equal(500, status);
        Assert.Equal("""{"message":"Internal Server Error"}""", body!.ToJsonString());
        Assert.Contains(f.Logs, l => l.Contains("PROGRESS_BACKEND must be properties or events (got 'spreadsheet')", StringComparison.Ordinal));
        Assert.Contains("PROGRESS_BACKEND", f.Service.Runtime.InitError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_LocalPagesMayCallWithCredentials_OtherOriginsGetNoGrant()
    {
        await using var f = await LocalFixture.StartAsync();
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "events/track");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
            return await f.Http.SendAsync(preflight);
        }

        var local = await Preflight("http://127.0.0.1:3000");
        Assert.Equal(204, (int)local.StatusCode);
        Assert.Equal("http://127.0.0.1:3000", local.Headers.GetValues("access-control-allow-origin").Single());
        Assert.Equal("true", local.Headers.GetValues("access-control-allow-credentials").Single());
        Assert.Contains("content-type", local.Headers.GetValues("access-control-allow-headers").Single(), StringComparison.Ordinal);

        var stranger = await Preflight("https://learn.example.com");
        Assert.False(stranger.Headers.Contains("access-control-allow-origin"));
    }
}
