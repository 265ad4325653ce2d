using System.Text;

namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// Through <c>hhlearn local</c>, against an emulator holding what real portals hold: merged contacts, secondary emails,
/// contacts deleted by marketing, and events dense with non-ASCII text. The DLQ stays empty throughout.
/// </summary>
public class RealPortalTests
{
    private static string Module(string who, string module, string course = "git-essentials") =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{{{who}}},"payload":{"course_slug":"{{{course}}}","module_slug":"{{{module}}}"}}""";

    private static string Email(string email) => $$"""{"email":"{{email}}"}""";

    private static async Task<string> SeedAsync(LocalFixture f, string json)
    {
        using var response = await f.Http.PostAsync(new Uri(f.Emulator.BaseUrl, "_emulator/contacts"), new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(201, (int)response.StatusCode);
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!;
    }

    [Fact]
    public async Task AMergedContact_IsReachedByItsSecondaryEmail_AndByAnOldId_NoContactIsCreated()
    {
        await using var f = await LocalFixture.StartAsync();
        var id = await SeedAsync(f, """{"properties":{"email":"ada@example.com"},"additionalEmails":["ada.old@example.com"],"mergedIds":["4242"]}""");

        Assert.Equal(200, (await f.TrackAsync(Module(Email("ada.old@example.com"), "commits"))).Status);
        Assert.Equal(200, (await f.TrackAsync(Module("""{"contactId":"4242"}""", "branches"))).Status);
        await f.ConvergeAsync();

        var contact = Assert.Single(f.Emulator.Store.AllContacts());
        Assert.Equal(id, contact.Id);
        var state = JsonNode.Parse(contact.Properties[P.ProgressState])!["courses"]!["git-essentials"]!["modules"]!;
        Assert.NotNull(state["commits"]);
        Assert.NotNull(state["branches"]);
        Assert.Equal(0, f.Service.Queue!.DeadLetter!.Count);

        // Both keys read the same progress from now on.
        var byId = await f.GetAsync("progress/read?contactId=4242");
        var byEmail = await f.GetAsync("progress/read?email=ada.old%40example.com");
        Assert.Equal(byEmail.Body!["progress"]!.ToJsonString(), byId.Body!["progress"]!.ToJsonString());
        Assert.NotNull(byEmail.Body["progress"]!["courses"]!["git-essentials"]!["modules"]!["branches"]);
    }

    [Fact]
    public async Task ASevenKilobyteEventDenseWithNonAsciiText_IsStoredAndProjected()
    {
        await using var f = await LocalFixture.StartAsync();
        var payload = new JsonObject { ["course_slug"] = "git-essentials", ["module_slug"] = "commits" };
        for (var i = 0; i < 15; i++)
        {
            payload[$"note_{i}"] = string.Concat(Enumerable.Repeat("学習の進捗é", 27));
        }

        var body = new JsonObject { ["eventName"] = "learning_module_completed", ["contactIdentifier"] = new JsonObject { ["email"] = "unicode@example.com" }, ["payload"] = payload }
            .ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var bytes = Encoding.UTF8.GetByteCount(body);
        Assert.InRange(bytes, 6 * 1024, 10 * 1024);
        Assert.True(System.Text.Json.JsonSerializer.Serialize(body).Length > 10 * 1024, "escaped, the body would be over the limit");

        Assert.Equal(200, (await f.TrackAsync(body)).Status);
        await f.ConvergeAsync();
        Assert.Contains("commits", f.Contact("unicode@example.com")![P.ProgressState], StringComparison.Ordinal);
        Assert.Equal(0, f.Service.Queue!.DeadLetter!.Count);
    }

    [Fact]
    public async Task AContactMarketingDeleted_IsNotCreatedAgain_TheLearnerKeepsWorking()
    {
        await using var f = await LocalFixture.StartAsync();
        Assert.Equal(200, (await f.TrackAsync(Module(Email("gone@example.com"), "commits"))).Status);
        await f.ConvergeAsync();
        var id = f.Emulator.Store.AllContacts().Single().Id;
        using (var deleted = await f.Http.DeleteAsync(new Uri(f.Emulator.BaseUrl, $"_emulator/contacts/{id}")))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }

        Assert.Equal(200, (await f.TrackAsync(Module(Email("gone@example.com"), "branches"))).Status);
        await f.ConvergeAsync();
        await WaitForAsync(() => f.LogLines.Any(l => (string?)l["event"] == LogEvents.ContactDeletedUpstream));
        Assert.Equal(200, (await f.TrackAsync(Module(Email("gone@example.com"), "merging"))).Status);
        await f.ConvergeAsync();

        Assert.Empty(f.Emulator.Store.AllContacts());
        var read = await f.GetAsync("progress/read?email=gone%40example.com");
        Assert.NotNull(read.Body!["progress"]!["courses"]!["git-essentials"]!["modules"]!["merging"]);
        Assert.Equal(0, f.Service.Queue!.DeadLetter!.Count);
        Assert.DoesNotContain(f.Logs, l => l.Contains("gone@example.com", StringComparison.Ordinal));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), "the condition never held");
    }
}
