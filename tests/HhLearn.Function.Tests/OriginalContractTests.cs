namespace HhLearn.Function.Tests;

/// <summary>
/// What the original site's browser code relies on (README, "The HTTP API"): counts from the aggregate
/// route, strangers read as anonymous (404 on the enrolments list), and an identifier that names no one is a 400.
/// </summary>
public class OriginalContractTests
{
    private static string Module(string email, string module, string ts) =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{"email":"{{{email}}}"},"payload":{"course_slug":"course-c","module_slug":"{{{module}}}","ts":"{{{ts}}}"}}""";

    [Fact]
    public async Task Aggregate_ThreeModuleCourseWithTwoDone_ReadsCompletedTwo_NeverTrue()
    {
        await using var f = await FunctionFixture.StartAsync();
        await f.TrackAsync(Module("ada@example.com", "c1", "2026-11-27T10:00:00Z"));
        await f.TrackAsync(Module("ada@example.com", "c2", "2026-11-27T10:05:00Z"));
        var answer = await f.GetAsync("/progress/aggregate", "type=course&slug=course-c&email=ada%40example.com");
        Assert.Equal("""{"mode":"authenticated","started":2,"completed":2,"enrolled":true,"enrolled_at":"2026-11-27T10:00:00.000Z"}""", answer.Body!.ToJsonString());
    }

    [Fact]
    public async Task Aggregate_LegacyFlatPathway_CountsItsModules()
    {
        await using var f = await FunctionFixture.StartAsync();
        await f.TrackAsync("""{"eventName":"learning_module_started","contactIdentifier":{"email":"ada@example.com"},"payload":{"pathway_slug":"old-path","module_slug":"m1","ts":"2026-11-27T10:00:00Z"}}""");
        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"pathway_slug":"old-path","module_slug":"m2","ts":"2026-11-27T10:01:00Z"}}""");
        var answer = await f.GetAsync("/progress/aggregate", "type=pathway&slug=old-path&email=ada%40example.com");
        Assert.Equal((2, 1), ((int)answer.Body!["started"]!, (int)answer.Body["completed"]!));
    }

    [Theory]
    [InlineData("/progress/read", "email=ghost%40example.com")]
    [InlineData("/progress/read", "contactId=424242")]
    [InlineData("/progress/aggregate", "type=course&slug=course-a&email=ghost%40example.com")]
    [InlineData("/progress/aggregate", "type=pathway&slug=path-x&contactId=424242")]
    public async Task Read_IdentifierNamingNobody_IsAnonymous_AndCreatesNothing(string path, string query)
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.GetAsync(path, query);
        Assert.Equal(200, answer.Status);
        Assert.Equal("""{"mode":"anonymous"}""", answer.Body!.ToJsonString());
        Assert.Empty(f.Emulator.Store.AllContacts());
    }

    [Fact]
    public async Task Read_SignedInLearnerNotYetAContact_IsAnonymous()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.GetAsync("/progress/read", "", new() { ["email"] = "new@example.com", ["email_verified"] = "true" });
        Assert.Equal("""{"mode":"anonymous"}""", answer.Body!.ToJsonString());
    }

    [Theory]
    [InlineData("email=ghost%40example.com")]
    [InlineData("contactId=424242")]
    public async Task EnrollmentsList_IdentifierNamingNobody_Is404ContactNotFound(string query)
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.GetAsync("/enrollments/list", query);
        Assert.Equal((404, "CONTACT_NOT_FOUND"), (answer.Status, answer.Code));
    }

    [Fact]
    public async Task EnrollmentsList_WithoutAnyIdentifier_Is400_WhenSyncIsOn()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.GetAsync("/enrollments/list", "");
        Assert.Equal((400, "SCHEMA_VALIDATION_FAILED"), (answer.Status, answer.Code));
        Assert.Equal("email or contactId is required", (string?)answer.Body!["error"]);
    }

    [Fact]
    public async Task EnrollmentsList_WithoutAnyIdentifier_IsAnonymous_WhenSyncIsOff()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["ENABLE_CRM_PROGRESS"] = "false" });
        Assert.Equal("""{"mode":"anonymous"}""", (await f.GetAsync("/enrollments/list", "")).Body!.ToJsonString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"email":null}""")]
    public async Task Track_ContactIdentifierNamingNoOne_Is400_AndTouchesNothing(string identifier)
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{{{identifier}}}}""");
        Assert.Equal((400, "SCHEMA_VALIDATION_FAILED"), (answer.Status, answer.Code));
        Assert.Equal(0, f.Emulator.Stats.Total);
    }

    [Fact]
    public async Task Track_AbsentContactIdentifier_StaysTheAnonymousCase()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x"}""");
        Assert.Equal((200, """{"status":"logged","mode":"anonymous"}"""), (answer.Status, answer.Body!.ToJsonString()));
    }

    [Theory]
    [InlineData("/progress/read", "contactId=000")]
    [InlineData("/progress/read", "contactId=0")]
    [InlineData("/progress/read", "contactId=")]
    [InlineData("/progress/aggregate", "type=course&slug=course-a&contactId=000")]
    [InlineData("/enrollments/list", "contactId=000")]
    public async Task Read_ContactIdThatReducesToNothing_Is400_AndNeverCallsHubSpot(string path, string query)
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.GetAsync(path, query);
        Assert.Equal((400, "SCHEMA_VALIDATION_FAILED"), (answer.Status, answer.Code));
        Assert.Contains("contactId: must be a positive numeric HubSpot contact id", answer.Body!["details"]!["details"]!.AsArray().Select(d => (string?)d));
        Assert.Equal(0, f.Emulator.Stats.Total);
    }

    [Theory]
    [InlineData("000")]
    [InlineData("0")]
    public async Task Track_ContactIdThatReducesToNothing_Is400_AndNeverCallsHubSpot(string id)
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"contactId":"{{{id}}}"}}""");
        Assert.Equal((400, "SCHEMA_VALIDATION_FAILED"), (answer.Status, answer.Code));
        Assert.Equal(0, f.Emulator.Stats.Total);
    }

    [Fact]
    public async Task BodyAndQuery_ApplyTheSameRules_ToTheSameValue()
    {
        await using var f = await FunctionFixture.StartAsync();
        var body = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"contactId":"00"}}""");
        var query = await f.GetAsync("/progress/read", "contactId=00");
        Assert.Equal(
            ((string?)body.Body!["details"]!["details"]![0])!.Replace("contactIdentifier.", "", StringComparison.Ordinal),
            (string?)query.Body!["details"]!["details"]![0]);
    }
}
