using P = HhLearn.CrmSync.Contacts.ContactPropertyNames;

namespace HhLearn.Function.Tests;

/// <summary>The routes of the HTTP contract (README, "The HTTP API"), driven by API Gateway v2 events in the exact format AWS sends.</summary>
public class EndpointTests
{
    private const string Ada = """{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"pathway_slug":"path-x","course_slug":"course-a","module_slug":"a1","ts":"2026-11-27T10:00:00Z"}}""";

    [Fact]
    public async Task Track_AwsFixture_Base64Body_MixedCaseHeaders_Cookies_PersistsOnANewContact()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.InvokeAsync(FunctionFixture.Fixture("track-module-completed.json"));

        Assert.Equal(200, answer.Status);
        Assert.Equal(("persisted", "authenticated", "properties"), ((string?)answer.Body!["status"], (string?)answer.Body["mode"], (string?)answer.Body["backend"]));
        var contact = f.Contact("fixture@example.com")!;
        Assert.Equal((string?)answer.Body["contactId"], f.Emulator.Store.AllContacts().Single().Id);
        Assert.Equal("lead", contact[P.LifecycleStage]);
        Assert.Equal("path-x: 0/2 courses", contact[P.ProgressSummary]);
        Assert.Equal("course-a", contact[P.EnrolledCourses]);
        Assert.Equal("https://learn.example.com", answer.Headers["access-control-allow-origin"]);
        Assert.Equal("application/json; charset=utf-8", answer.Headers["content-type"]);
    }

    [Fact]
    public async Task Track_WritesExactlyTheExpectedProperties()
    {
        await using var f = await FunctionFixture.StartAsync();
        await f.TrackAsync(Ada);
        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"pathway_slug":"path-x","course_slug":"course-a","module_slug":"a2","ts":"2026-11-27T10:30:00Z"}}""");
        await f.TrackAsync("""{"eventName":"learning_page_viewed","contactIdentifier":{"email":"ada@example.com"},"payload":{"content_type":"course","slug":"course-b","ts":"2026-11-27T10:31:00Z"}}""");

        var contact = f.Contact("ada@example.com")!;
        Assert.Equal("course-a", contact[P.CompletedCourses]);
        Assert.Equal("course-a", contact[P.EnrolledCourses]);
        Assert.Equal("2", contact[P.TotalProgress]);
        Assert.Equal("path-x: 1/2 courses", contact[P.ProgressSummary]);
        Assert.Equal("2026-11-27", contact[P.LastActivity]);
        Assert.Equal(("course", "course-b", "2026-11-27T10:31:00.000Z"), (contact[P.LastViewedType], contact[P.LastViewedSlug], contact[P.LastViewedAt]));
        var state = JsonNode.Parse(contact[P.ProgressState])!;
        Assert.Equal("2026-11-27T10:30:00.000Z", (string?)state["path-x"]!["courses"]!["course-a"]!["completed_at"]);
    }

    [Fact]
    public async Task Track_WithoutIdentity_IsLoggedAnonymous()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("""{"eventName":"learning_page_viewed","payload":{"content_type":"page","slug":"home"}}""");
        Assert.Equal(200, answer.Status);
        Assert.Equal("""{"status":"logged","mode":"anonymous"}""", answer.Body!.ToJsonString());
        Assert.Empty(f.Emulator.Store.AllContacts());
    }

    [Fact]
    public async Task Track_SyncSwitchedOff_IsLoggedAnonymous_AndTouchesNothing()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["ENABLE_CRM_PROGRESS"] = "false" });
        var answer = await f.TrackAsync(Ada);
        Assert.Equal("""{"status":"logged","mode":"anonymous"}""", answer.Body!.ToJsonString());
        Assert.Equal(0, f.Emulator.Stats.Total);
        Assert.Equal("""{"mode":"anonymous"}""", (await f.GetAsync("/progress/read", "email=ada%40example.com")).Body!.ToJsonString());
    }

    [Fact]
    public async Task Track_SyncOff_StillRejectsBadInput()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["ENABLE_CRM_PROGRESS"] = "false" });
        Assert.Equal(400, (await f.TrackAsync("{")).Status);
    }

    [Fact]
    public async Task Track_BadInput_Is400WithCodeAndFieldDetails_AndIsLogged()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"secret@nowhere"},"payload":{"course_slug":"c"}}""");
        Assert.Equal(400, answer.Status);
        Assert.Equal("SCHEMA_VALIDATION_FAILED", answer.Code);
        Assert.Contains("payload.module_slug: is required for learning_module_completed", answer.Body!["details"]!["details"]!.AsArray().Select(d => (string?)d));
        Assert.Equal("Event failed validation", (string?)answer.Body["error"]);
        var logged = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.ValidationFailed);
        Assert.Equal("SCHEMA_VALIDATION_FAILED", (string?)logged["error"]);
        Assert.DoesNotContain("secret@nowhere", f.LogText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Track_IncompleteExplicitCompletion_Is400InvalidEventData_WithTheCount()
    {
        await using var f = await FunctionFixture.StartAsync();
        await f.TrackAsync(Ada);
        var answer = await f.TrackAsync("""{"eventName":"learning_course_completed","contactIdentifier":{"email":"ada@example.com"},"pathway_slug":"path-x","course_slug":"course-a"}""");
        Assert.Equal(400, answer.Status);
        Assert.Equal("INVALID_EVENT_DATA", answer.Code);
        Assert.Equal("course_slug: 1/2 modules completed", (string?)answer.Body!["details"]!["details"]![0]);
    }

    [Fact]
    public async Task Track_HubSpotOutage_AnswersFallback_AndLogsCrmSyncFailed()
    {
        await using var f = await FunctionFixture.StartAsync();
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(5) });
        var answer = await f.InvokeAsync(FunctionFixture.Request("POST", "/events/track", Ada));
        Assert.Equal(200, answer.Status);
        Assert.Equal(("logged", "fallback", "CRM_UNAVAILABLE"), ((string?)answer.Body!["status"], (string?)answer.Body["mode"], (string?)answer.Body["error"]));
        var logged = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.CrmSyncFailed);
        Assert.Equal(EmailHash.Of("ada@example.com"), (string?)logged["emailHash"]);
        Assert.Equal("a1", (string?)logged["replay"]!["payload"]!["module_slug"]);
    }

    [Fact]
    public async Task Track_CorruptStoredState_AnswersFallback_AndNeverOverwrites()
    {
        await using var f = await FunctionFixture.StartAsync();
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "ada@example.com", [P.ProgressState] = "[]" });
        var answer = await f.TrackAsync(Ada);
        Assert.Equal(("fallback", "PROGRESS_STATE_CORRUPT"), ((string?)answer.Body!["mode"], (string?)answer.Body["error"]));
        Assert.Equal("[]", f.Contact("ada@example.com")![P.ProgressState]);
    }

    [Fact]
    public async Task Track_UnknownContactId_Is404ContactNotFound()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"contactId":"987654"}}""");
        Assert.Equal(404, answer.Status);
        Assert.Equal("CONTACT_NOT_FOUND", answer.Code);
    }

    [Fact]
    public async Task Track_EventsBackend_AnswersBackendEvents()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["PROGRESS_BACKEND"] = "events", ["HUBSPOT_EVENT_NAME_PREFIX"] = "pe1_" });
        var answer = await f.TrackAsync(Ada);
        Assert.Equal("events", (string?)answer.Body!["backend"]);
        Assert.Equal("pe1_learning_module_completed", (string?)Assert.Single(f.Emulator.Store.Events())["eventName"]);
    }

    [Fact]
    public async Task ProgressRead_ReturnsStateUpdatedAtSummaryAndLastViewed()
    {
        await using var f = await FunctionFixture.StartAsync();
        await f.TrackAsync(Ada);
        await f.TrackAsync("""{"eventName":"learning_page_viewed","contactIdentifier":{"email":"ada@example.com"},"payload":{"content_type":"module","slug":"a2","ts":"2026-11-27T10:05:00Z"}}""");
        var answer = await f.GetAsync("/progress/read", "email=Ada%40Example.com");
        Assert.Equal(200, answer.Status);
        Assert.Equal("authenticated", (string?)answer.Body!["mode"]);
        Assert.True((bool)answer.Body["progress"]!["path-x"]!["courses"]!["course-a"]!["modules"]!["a1"]!["completed"]!);
        Assert.Equal("path-x: 0/2 courses", (string?)answer.Body["summary"]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", (string?)answer.Body["updated_at"]);
        Assert.Equal("""{"type":"module","slug":"a2","at":"2026-11-27T10:05:00.000Z"}""", answer.Body["last_viewed"]!.ToJsonString());
    }

    [Fact]
    public async Task ProgressRead_WithoutIdentity_IsAnonymous() =>
        Assert.Equal("""{"mode":"anonymous"}""", (await (await FunctionFixture.StartAsync()).GetAsync("/progress/read", "")).Body!.ToJsonString());

    [Fact]
    public async Task ProgressRead_HubSpotDown_Is503Retryable()
    {
        await using var f = await FunctionFixture.StartAsync();
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(5) });
        var answer = await f.GetAsync("/progress/read", "email=ada%40example.com");
        Assert.Equal(503, answer.Status);
        Assert.Equal("CRM_UNAVAILABLE", answer.Code);
        Assert.Equal("5", answer.Headers["retry-after"]);
    }

    [Fact]
    public async Task Aggregate_CourseAndPathway_AreCounts()
    {
        await using var f = await FunctionFixture.StartAsync();
        await f.TrackAsync(Ada);
        var course = await f.GetAsync("/progress/aggregate", "type=course&slug=course-a&email=ada%40example.com");
        Assert.Equal("""{"mode":"authenticated","started":1,"completed":1,"enrolled":true,"enrolled_at":"2026-11-27T10:00:00.000Z"}""", course.Body!.ToJsonString());
        var pathway = await f.GetAsync("/progress/aggregate", "type=pathway&slug=path-x&email=ada%40example.com");
        Assert.Equal("""{"mode":"authenticated","started":1,"completed":0,"enrolled":true,"enrolled_at":"2026-11-27T10:00:00.000Z"}""", pathway.Body!.ToJsonString());
        var unknown = await f.GetAsync("/progress/aggregate", "type=course&slug=nope&email=ada%40example.com");
        Assert.Equal("""{"mode":"authenticated","started":0,"completed":0,"enrolled":false,"enrolled_at":null}""", unknown.Body!.ToJsonString());
    }

    [Theory]
    [InlineData("type=module&slug=x&email=a%40b.com", "type: must be pathway or course")]
    [InlineData("slug=x&email=a%40b.com", "type: is required (pathway or course)")]
    [InlineData("type=course&email=a%40b.com", "slug: is required")]
    [InlineData("type=course&slug=a%3Bb&email=a%40b.com", "slug: may hold only")]
    [InlineData("type=course&slug=x&email=not-an-email", "email: is not a valid email address")]
    public async Task Aggregate_BadQuery_Is400WithTheField(string query, string detail)
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.GetAsync("/progress/aggregate", query);
        Assert.Equal(400, answer.Status);
        Assert.Equal("SCHEMA_VALIDATION_FAILED", answer.Code);
        Assert.Contains(answer.Body!["details"]!["details"]!.AsArray(), d => ((string?)d)!.StartsWith(detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnrollmentsList_ListsPathwaysAndCourses()
    {
        await using var f = await FunctionFixture.StartAsync();
        await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","contactIdentifier":{"email":"ada@example.com"},"pathway_slug":"path-x","enrollment_source":"pathway_page","payload":{"ts":"2026-11-27T09:00:00Z"}}""");
        await f.TrackAsync(Ada);
        var answer = await f.GetAsync("/enrollments/list", "email=ada%40example.com");
        Assert.Equal(
            """{"mode":"authenticated","enrollments":{"pathways":[{"slug":"path-x","enrolled_at":"2026-11-27T09:00:00.000Z","enrollment_source":"pathway_page"}],"courses":[{"slug":"course-a","pathway_slug":"path-x","enrolled_at":"2026-11-27T10:00:00.000Z","enrollment_source":"module_event"}]}}""",
            answer.Body!.ToJsonString());
    }

    [Fact]
    public async Task UnknownRoute_Is404_WrongMethod_Is405WithAllow()
    {
        await using var f = await FunctionFixture.StartAsync();
        var missing = await f.InvokeAsync(FunctionFixture.Request("GET", "/nope"));
        Assert.Equal((404, "NOT_FOUND"), (missing.Status, missing.Code));
        var wrong = await f.InvokeAsync(FunctionFixture.Request("GET", "/events/track"));
        Assert.Equal((405, "METHOD_NOT_ALLOWED"), (wrong.Status, wrong.Code));
        Assert.Equal("POST, OPTIONS", wrong.Headers["allow"]);
    }

    [Fact]
    public async Task Preflight_AllowedOrigin_Is204WithCorsHeaders_OtherOrigin_Is403()
    {
        await using var f = await FunctionFixture.StartAsync();
        var ok = await f.InvokeAsync(FunctionFixture.Request("OPTIONS", "/events/track", headers: new() { ["Origin"] = "https://learn.example.com", ["Access-Control-Request-Method"] = "POST" }));
        Assert.Equal(204, ok.Status);
        Assert.Equal("https://learn.example.com", ok.Headers["access-control-allow-origin"]);
        Assert.Contains("POST", ok.Headers["access-control-allow-methods"], StringComparison.Ordinal);
        var other = await f.InvokeAsync(FunctionFixture.Request("OPTIONS", "/events/track", headers: new() { ["origin"] = "https://evil.example.net" }));
        Assert.Equal((403, "ORIGIN_NOT_ALLOWED"), (other.Status, other.Code));
    }

    [Fact]
    public async Task KeepaliveFetchWithABearerToken_AsApiGatewayDeliversIt_IsAccepted_WithCorsThatExposesRetryAfter()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.InvokeAsync(FunctionFixture.Fixture("track-keepalive-fetch-jwt.json"));
        Assert.Equal(200, answer.Status);
        Assert.Equal("persisted", (string?)answer.Body!["status"]);
        Assert.Equal(("module", "a1"), (f.Contact("keepalive@example.com")![P.LastViewedType], f.Contact("keepalive@example.com")![P.LastViewedSlug]));
        Assert.Equal("https://learn.example.com", answer.Headers["access-control-allow-origin"]);
        Assert.Contains("retry-after", answer.Headers["access-control-expose-headers"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Preflight_ForAKeepaliveFetchWithAuthorization_AllowsTheAuthorizationAndContentTypeHeaders()
    {
        await using var f = await FunctionFixture.StartAsync();
        var preflight = await f.InvokeAsync(FunctionFixture.Request("OPTIONS", "/events/track", headers: new()
        {
            ["origin"] = "https://learn.example.com",
            ["access-control-request-method"] = "POST",
            ["access-control-request-headers"] = "authorization,content-type",
        }));
        Assert.Equal(204, preflight.Status);
        var allowed = preflight.Headers["access-control-allow-headers"].Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("authorization", allowed);
        Assert.Contains("content-type", allowed);
        Assert.Contains("retry-after", preflight.Headers["access-control-expose-headers"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task NamedStagePrefix_IsStripped()
    {
        await using var f = await FunctionFixture.StartAsync();
        var request = JsonNode.Parse(FunctionFixture.Request("POST", "/prod/events/track", Ada))!;
        request["requestContext"]!["stage"] = "prod";
        Assert.Equal(200, (await f.InvokeAsync(request.ToJsonString())).Status);
    }

    [Theory]
    [InlineData("/learn/events/track")]
    [InlineData("/v1/learning/events/track")]
    public async Task BehindACustomDomainsApiMappingKey_TheRouteApiGatewayMatched_IsServed(string rawPath)
    {
        await using var f = await FunctionFixture.StartAsync();
        var request = JsonNode.Parse(FunctionFixture.Request("POST", "/events/track", Ada))!;
        request["rawPath"] = rawPath;
        request["requestContext"]!["http"]!["path"] = rawPath;
        var answer = await f.InvokeAsync(request.ToJsonString());
        Assert.Equal(200, answer.Status);

        var read = JsonNode.Parse(FunctionFixture.Request("GET", "/progress/read", query: "email=ada%40example.com"))!;
        read["rawPath"] = "/learn/progress/read";
        Assert.Equal(200, (await f.InvokeAsync(read.ToJsonString())).Status);
    }

    [Fact]
    public async Task OnTheDefaultRoute_TheRawPathIsTheRoute()
    {
        await using var f = await FunctionFixture.StartAsync();
        var request = JsonNode.Parse(FunctionFixture.Request("POST", "/events/track", Ada))!;
        request["routeKey"] = "$default";
        request["requestContext"]!["routeKey"] = "$default";
        Assert.Equal(200, (await f.InvokeAsync(request.ToJsonString())).Status);
        request["rawPath"] = "/learn/events/track";
        Assert.Equal(404, (await f.InvokeAsync(request.ToJsonString())).Status);
    }

    [Fact]
    public async Task TextPlainBody_FromSendBeacon_IsAccepted_OtherMediaTypes_Are415()
    {
        await using var f = await FunctionFixture.StartAsync();
        Assert.Equal(200, (await f.InvokeAsync(FunctionFixture.Request("POST", "/events/track", Ada, headers: new() { ["content-type"] = "text/plain;charset=UTF-8" }))).Status);
        var xml = await f.InvokeAsync(FunctionFixture.Request("POST", "/events/track", Ada, headers: new() { ["content-type"] = "application/xml" }));
        Assert.Equal((415, "UNSUPPORTED_MEDIA_TYPE"), (xml.Status, xml.Code));
    }
}

public class UnicodeEdgeEndpointTests
{
    [Fact]
    public async Task ErrorDetails_AreReadableText_NotJsonEscapes_AndNeverSniffed()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("{\"eventName\": nope}");
        Assert.Equal((400, "INVALID_JSON"), (answer.Status, answer.Code));
        Assert.Contains("body: 'nope}' is an invalid JSON literal", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", answer.Text, StringComparison.Ordinal);
        Assert.Equal("nosniff", answer.Headers["x-content-type-options"]);
    }

    [Theory]
    [InlineData("""{"eventName":"\ud800"}""")]
    [InlineData("""{"eventName":"learning_pathway_enrolled","pathway_slug":"\ud800","contactIdentifier":{"email":"victim@example.com"}}""")]
    [InlineData("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"\ud800":1}}""")]
    public async Task Track_EscapedLoneSurrogate_Is400InvalidJson_Not500(string body)
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync(body);
        Assert.Equal((400, "INVALID_JSON"), (answer.Status, answer.Code));
    }
}
