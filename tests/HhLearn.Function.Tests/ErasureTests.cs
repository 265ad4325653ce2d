using HhLearn.Progress.Events;
using HhLearn.Store;
using P = HhLearn.CrmSync.Contacts.ContactPropertyNames;

namespace HhLearn.Function.Tests;

/// <summary>
/// Erasure that stays erased: after <c>hhlearn forget</c> (without asking HubSpot to delete the contact) or
/// <c>hhlearn suppress</c>, nothing the person does reaches their HubSpot contact again, by email or by contact id, and
/// HubSpot's copy is never imported back. They are answered as a new learner.
/// </summary>
public class ErasureTests
{
    private static string Module(string who, string module) =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{{{who}}},"payload":{"course_slug":"course-a","module_slug":"{{{module}}}","ts":"2026-11-27T10:00:00Z"}}""";

    private const string ByEmail = """{"email":"ada@example.com"}""";

    public static TheoryData<string> Ways => new() { "forget", "suppress" };

    [Theory]
    [MemberData(nameof(Ways))]
    public async Task AfterForgetOrSuppress_NothingReachesTheContact_ByEmailOrByContactId_AndTheReadIsANewLearners(string way)
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        await f.TrackAsync(Module(ByEmail, "a1"));
        await f.ProjectAsync();
        var contact = f.Contact("ada@example.com")!;
        var contactId = f.Emulator.Store.AllContacts().Single().Id;
        var held = contact[P.ProgressState];
        Assert.Contains("a1", held, StringComparison.Ordinal);

        var ada = new LearnerIdentity("ada@example.com", null);
        if (way == "forget")
        {
            await f.Store!.ForgetAsync(ada, default);
        }
        else
        {
            await f.Store!.SuppressAsync(ProgressTable.KeyOf(ada), SuppressionReasons.Operator, default);
        }

        var writesBefore = f.Emulator.Stats.Total;

        // A read right after: HubSpot still holds a1, but the person is not imported back from it.
        var read = await f.GetAsync("/progress/read", "email=ada%40example.com");
        Assert.Equal(200, read.Status);
        if (way == "forget")
        {
            Assert.Equal("anonymous", (string?)read.Body!["mode"]);
        }

        // An event by email, and one naming only the contact id (a token with just that claim, or an open API).
        Assert.Equal(200, (await f.TrackAsync(Module(ByEmail, "a2"))).Status);
        Assert.Equal(200, (await f.TrackAsync(Module($$"""{"contactId":"{{contactId}}"}""", "b1"))).Status);
        Assert.Equal(200, (await f.TrackAsync(Module("null", "b2"), new Dictionary<string, string> { ["hubspot_contact_id"] = contactId })).Status);
        await f.ProjectAsync();

        Assert.Equal(held, f.Contact("ada@example.com")![P.ProgressState]);
        Assert.Equal(writesBefore, f.Emulator.Stats.Total);
        Assert.Single(f.Emulator.Store.AllContacts());

        // What the site reads for the email is only what happened since: a new learner's progress.
        var after = (await f.GetAsync("/progress/read", "email=ada%40example.com")).Body!;
        var modules = after["progress"]!.ToJsonString();
        Assert.Contains("a2", modules, StringComparison.Ordinal);
        if (way == "forget")
        {
            Assert.DoesNotContain("\"a1\"", modules, StringComparison.Ordinal);
        }
    }
}
