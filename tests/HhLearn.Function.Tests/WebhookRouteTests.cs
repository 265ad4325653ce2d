using HhLearn.CrmSync.Webhooks;
using HhLearn.Progress.Events;
using P = HhLearn.CrmSync.Contacts.ContactPropertyNames;

namespace HhLearn.Function.Tests;

/// <summary>
/// HubSpot's changes flow back: <c>POST /hubspot/webhooks</c> verifies the v3 signature and queues the events; the
/// projector applies them (erase on a GDPR delete, combine on a merge, follow an email change). Forged, stale and
/// replayed deliveries change nothing.
/// </summary>
public class WebhookRouteTests
{
    private const string Secret = "hubspot-client-secret";
    private const string Uri = "https://abcd1234.execute-api.eu-west-1.amazonaws.com/hubspot/webhooks";

    private static Task<FunctionFixture> StartAsync() => FunctionFixture.StartAsync(new() { ["HUBSPOT_WEBHOOK_SECRET"] = Secret }, store: true);

    private static string Module(string email, string module) =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{"email":"{{{email}}}"},"payload":{"course_slug":"course-a","module_slug":"{{{module}}}","ts":"2026-11-27T10:00:00Z"}}""";

    private static Task<Answer> DeliverAsync(FunctionFixture f, string body, string? secret = Secret, TimeSpan? age = null)
    {
        var ts = (DateTimeOffset.UtcNow - (age ?? TimeSpan.Zero)).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = WebhookSignature.Sign("POST", Uri, System.Text.Encoding.UTF8.GetBytes(body), ts, secret ?? "forged");
        return f.InvokeAsync(FunctionFixture.Request("POST", "/hubspot/webhooks", body, headers: new()
        {
            ["content-type"] = "application/json", ["x-hubspot-request-timestamp"] = ts, ["x-hubspot-signature-v3"] = signature,
        }));
    }

    [Fact]
    public async Task AGdprDeleteInHubSpot_ErasesTheStoredProgress_AndTheContactIsNeverCreatedAgain()
    {
        await using var f = await StartAsync();
        await f.TrackAsync(Module("ada@example.com", "a1"));
        await f.ProjectAsync();
        var contactId = f.Emulator.Store.AllContacts().Single().Id;
        f.Emulator.Store.GdprDelete(contactId, null);

        var delivery = $$"""[{"eventId":101,"subscriptionType":"contact.privacyDeletion","objectId":{{contactId}},"occurredAt":1765000000000}]""";
        var answer = await DeliverAsync(f, delivery);
        Assert.Equal((200, 1), (answer.Status, (int)answer.Body!["received"]!));
        await f.ProjectAsync();

        Assert.Null(await f.Store!.ReadAsync(new LearnerIdentity("ada@example.com", null), default));
        Assert.Equal("anonymous", (string?)(await f.GetAsync("/progress/read", "email=ada%40example.com")).Body!["mode"]);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.LearnerErasedUpstream && (string?)l["contactId"] == contactId);

        // The same delivery again (HubSpot delivers at least once) changes nothing; a later track is stored, never sent.
        Assert.Equal(200, (await DeliverAsync(f, delivery)).Status);
        await f.ProjectAsync();
        Assert.Equal(200, (await f.TrackAsync(Module("ada@example.com", "a2"))).Status);
        await f.ProjectAsync();
        Assert.Empty(f.Emulator.Store.AllContacts());
        Assert.DoesNotContain("ada@example.com", f.LogText.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("stale")]
    public async Task AForgedOrStaleDelivery_Is401_AndChangesNothing(string how)
    {
        await using var f = await StartAsync();
        await f.TrackAsync(Module("ada@example.com", "a1"));
        await f.ProjectAsync();
        var contactId = f.Emulator.Store.AllContacts().Single().Id;
        var delivery = $$"""[{"eventId":7,"subscriptionType":"contact.privacyDeletion","objectId":{{contactId}},"occurredAt":1765000000000}]""";

        var answer = how == "forged" ? await DeliverAsync(f, delivery, secret: null) : await DeliverAsync(f, delivery, age: TimeSpan.FromMinutes(6));
        Assert.Equal((401, "WEBHOOK_SIGNATURE_INVALID"), (answer.Status, answer.Code));
        Assert.Equal(0, f.Queue!.Count);
        Assert.NotNull(await f.Store!.ReadAsync(new LearnerIdentity("ada@example.com", null), default));
        var rejected = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.WebhookRejected);
        Assert.DoesNotContain("privacyDeletion", rejected.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMergeInHubSpot_CombinesTheTwoLearners_WithoutANewTrack_AndTheSurvivorGetsTheUnion()
    {
        await using var f = await StartAsync();
        await f.TrackAsync(Module("ada@example.com", "a1"));
        await f.TrackAsync(Module("ada.old@example.com", "a2"));
        await f.ProjectAsync();
        var ids = f.Emulator.Store.AllContacts().ToDictionary(c => c.Properties["email"], c => c.Id);
        var merged = f.Emulator.Store.Merge(ids["ada@example.com"], ids["ada.old@example.com"]);
        var survivor = (string)merged.Body!["id"]!;

        var delivery = $$"""[{"eventId":201,"subscriptionType":"contact.merge","objectId":{{survivor}},"primaryObjectId":{{ids["ada@example.com"]}},"mergedObjectIds":[{{ids["ada@example.com"]}},{{ids["ada.old@example.com"]}}],"newObjectId":{{survivor}},"occurredAt":1765000000000}]""";
        Assert.Equal(200, (await DeliverAsync(f, delivery)).Status);
        await f.ProjectAsync();

        var ada = (await f.Store!.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!;
        Assert.Equal(ada.Key, (await f.Store.ReadAsync(new LearnerIdentity("ada.old@example.com", null), default))!.Key);
        var state = f.Emulator.Store.AllContacts().Single().Properties[P.ProgressState];
        Assert.Contains("\"a1\"", state, StringComparison.Ordinal);
        Assert.Contains("\"a2\"", state, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEmailChangeInHubSpot_IsFollowed_TheRecordAnswersToTheNewEmail()
    {
        await using var f = await StartAsync();
        await f.TrackAsync(Module("carol@example.com", "a1"));
        await f.ProjectAsync();
        var contactId = f.Emulator.Store.AllContacts().Single().Id;
        var delivery = $$"""[{"eventId":301,"subscriptionType":"contact.propertyChange","objectId":{{contactId}},"propertyName":"email","propertyValue":"carol.new@example.com","occurredAt":1765000000000},{"eventId":302,"subscriptionType":"company.creation","objectId":5}]""";
        var answer = await DeliverAsync(f, delivery);
        Assert.Equal((200, 1, 1), (answer.Status, (int)answer.Body!["received"]!, (int)answer.Body["ignored"]!));
        await f.ProjectAsync();

        var read = await f.GetAsync("/progress/read", "email=carol.new%40example.com");
        Assert.Equal("authenticated", (string?)read.Body!["mode"]);
        Assert.Equal((await f.Store!.ReadAsync(new LearnerIdentity("carol@example.com", null), default))!.Key,
            (await f.Store.ReadAsync(new LearnerIdentity("carol.new@example.com", null), default))!.Key);
    }

    [Fact]
    public async Task ADeletionSuppresses_ARestoreLiftsIt_ButNotAfterAGdprDelete()
    {
        await using var f = await StartAsync();
        await f.TrackAsync(Module("dan@example.com", "a1"));
        await f.ProjectAsync();
        var id = f.Emulator.Store.AllContacts().Single().Id;
        var dan = new LearnerIdentity("dan@example.com", null);

        await DeliverAsync(f, $$"""[{"eventId":401,"subscriptionType":"contact.deletion","objectId":{{id}},"occurredAt":1765000000000}]""");
        await f.ProjectAsync();
        Assert.StartsWith(HhLearn.Store.SuppressionReasons.DeletedUpstream, (await f.Store!.ReadAsync(dan, default))!.Suppressed, StringComparison.Ordinal);

        await DeliverAsync(f, $$"""[{"eventId":402,"subscriptionType":"contact.restore","objectId":{{id}},"occurredAt":1765000001000}]""");
        await f.ProjectAsync();
        Assert.Null((await f.Store.ReadAsync(dan, default))!.Suppressed);

        await DeliverAsync(f, $$"""[{"eventId":403,"subscriptionType":"contact.privacyDeletion","objectId":{{id}},"occurredAt":1765000002000},{"eventId":404,"subscriptionType":"contact.restore","objectId":{{id}},"occurredAt":1765000003000}]""");
        await f.ProjectAsync();
        Assert.Null(await f.Store.ReadAsync(dan, default));
        Assert.StartsWith(HhLearn.Store.SuppressionReasons.Forgotten, await f.Store.SuppressionForAsync(dan, id, default), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARestoreDeliveredBeforeItsDeletion_EndsRestored_TheLastThingThatHappenedDecides()
    {
        await using var f = await StartAsync();
        await f.TrackAsync(Module("dan@example.com", "a1"));
        await f.ProjectAsync();
        var id = f.Emulator.Store.AllContacts().Single().Id;

        await DeliverAsync(f, $$"""[{"eventId":502,"subscriptionType":"contact.restore","objectId":{{id}},"occurredAt":1765000001000}]""");
        await f.ProjectAsync();
        await DeliverAsync(f, $$"""[{"eventId":501,"subscriptionType":"contact.deletion","objectId":{{id}},"occurredAt":1765000000000}]""");
        await f.ProjectAsync();
        Assert.Null((await f.Store!.ReadAsync(new LearnerIdentity("dan@example.com", null), default))!.Suppressed);
    }

    [Fact]
    public async Task WithoutASecret_TheRouteDoesNotExist()
    {
        await using var f = await FunctionFixture.StartAsync(store: true);
        Assert.Equal(404, (await f.InvokeAsync(FunctionFixture.Request("POST", "/hubspot/webhooks", "[]"))).Status);
    }
}
