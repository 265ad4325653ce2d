namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// The original site's contract through <c>hhlearn local</c>, in both modes: aggregate counts, strangers anonymous
/// (404 on the enrolments list), identifiers that name no one refused with 400.
/// </summary>
public class OriginalContractTests
{
    private static string Module(string module, string ts) =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"{{{module}}}","ts":"{{{ts}}}"}}""";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Aggregate_ThreeModuleCourseWithTwoDone_ReadsCompletedTwo(bool direct)
    {
        await using var f = await LocalFixture.StartAsync(direct: direct);
        await f.TrackAsync(Module("commits", "2026-11-27T10:00:00Z"));
        await f.TrackAsync(Module("branches", "2026-11-27T10:05:00Z"));
        var answer = await f.GetAsync("progress/aggregate?type=course&slug=git-essentials&email=ada%40example.com");
        Assert.Equal("""{"mode":"authenticated","started":2,"completed":2,"enrolled":true,"enrolled_at":"2026-11-27T10:00:00.000Z"}""", answer.Body!.ToJsonString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnknownLearner_ReadsAnonymous_AndIs404OnTheEnrolmentsList(bool direct)
    {
        await using var f = await LocalFixture.StartAsync(direct: direct);
        Assert.Equal("""{"mode":"anonymous"}""", (await f.GetAsync("progress/read?email=ghost%40example.com")).Body!.ToJsonString());
        Assert.Equal("""{"mode":"anonymous"}""", (await f.GetAsync("progress/aggregate?type=pathway&slug=cloud-foundations&contactId=424242")).Body!.ToJsonString());
        var list = await f.GetAsync("enrollments/list?email=ghost%40example.com");
        Assert.Equal((404, "CONTACT_NOT_FOUND"), (list.Status, (string?)list.Body!["details"]!["code"]));
        var token = LocalFixture.Jwt(new System.Text.Json.Nodes.JsonObject { ["email"] = "signed-in@example.com", ["email_verified"] = true });
        Assert.Equal("""{"mode":"anonymous"}""", (await f.GetAsync("progress/read", token)).Body!.ToJsonString());
        Assert.Empty(f.Emulator.Store.AllContacts());
        if (!direct)
        {
            Assert.Null(await f.StoredAsync("ghost@example.com"));
        }
    }

    [Fact]
    public async Task IdentifiersNamingNoOne_Are400_AndNeverReachHubSpot()
    {
        await using var f = await LocalFixture.StartAsync();
        var noIdentity = await f.GetAsync("enrollments/list");
        Assert.Equal((400, "SCHEMA_VALIDATION_FAILED"), (noIdentity.Status, (string?)noIdentity.Body!["details"]!["code"]));
        var empty = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"cloud-foundations","contactIdentifier":{}}""");
        Assert.Equal((400, "SCHEMA_VALIDATION_FAILED"), (empty.Status, (string?)empty.Body!["details"]!["code"]));
        var zeros = await f.GetAsync("progress/read?contactId=000");
        Assert.Equal((400, "SCHEMA_VALIDATION_FAILED"), (zeros.Status, (string?)zeros.Body!["details"]!["code"]));
        var absent = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"cloud-foundations"}""");
        Assert.Equal("""{"status":"logged","mode":"anonymous"}""", absent.Body!.ToJsonString());
        Assert.Equal(0, f.Emulator.Stats.Total);
    }
}
