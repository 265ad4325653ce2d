namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// HubSpot's changes flow back through the whole local stack: the emulator delivers signed webhooks to the API, the
/// projector applies them within seconds, without any new track.
/// </summary>
public class WebhookFlowTests
{
    private static async Task<bool> WithinAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return await condition();
    }

    [Fact]
    public async Task AGdprDeleteInHubSpot_ErasesTheLearner_WithinSeconds_AndALaterTrackNeverRecreatesTheContact()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 1, webhookSecret: "local-client-secret");
        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"commits"}}""");
        await f.ConvergeAsync();
        var id = f.Emulator.Store.AllContacts().Single().Id;

        // Marketing's GDPR delete in HubSpot (the admin endpoint is the UI's button).
        using (var deleted = await f.Http.DeleteAsync(new Uri(f.Emulator.BaseUrl, $"_emulator/contacts/{id}")))
        {
            Assert.True(deleted.IsSuccessStatusCode);
        }

        Assert.True(await WithinAsync(async () => await f.StoredAsync("ada@example.com") is null, TimeSpan.FromSeconds(10)), "the stored progress was not erased");
        Assert.Equal("anonymous", (string?)(await f.GetAsync("progress/read?email=ada%40example.com")).Body!["mode"]);
        Assert.True(f.Emulator.Webhooks.Delivered >= 1);

        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"branches"}}""");
        await f.ConvergeAsync();
        Assert.Empty(f.Emulator.Store.AllContacts());
    }

    [Fact]
    public async Task AMergeInHubSpot_CombinesTwoLearners_WithoutANewTrack()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 1, webhookSecret: "local-client-secret");
        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"commits"}}""");
        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada.old@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"branches"}}""");
        await f.ConvergeAsync();
        var ids = f.Emulator.Store.AllContacts().ToDictionary(c => c.Properties["email"], c => c.Id);
        Assert.Equal(200, f.Emulator.Store.Merge(ids["ada@example.com"], ids["ada.old@example.com"]).Status);

        Assert.True(await WithinAsync(() => Task.FromResult(f.Emulator.Store.AllContacts() is [var only] &&
            only.Properties.GetValueOrDefault(P.ProgressState) is { } state && state.Contains("\"commits\"", StringComparison.Ordinal) && state.Contains("\"branches\"", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15)), "the survivor did not get the union");
        var read = (await f.GetAsync("progress/read?email=ada.old%40example.com")).Body!;
        Assert.Contains("commits", read.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliveriesOutOfOrderAndTwice_EndTheSame_AnEmailChangeIsFollowed()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 1, webhookSecret: "local-client-secret");
        f.Emulator.Webhooks.Subscription = f.Emulator.Webhooks.Subscription! with { Unordered = true };
        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"carol@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"commits"}}""");
        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"erin@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"commits"}}""");
        await f.ConvergeAsync();
        var ids = f.Emulator.Store.AllContacts().ToDictionary(c => c.Properties["email"], c => c.Id);

        // An email change and a GDPR delete, delivered shuffled and twice.
        Assert.Equal(200, f.Emulator.Store.Update(ids["carol@example.com"], false, new JsonObject { ["email"] = "carol.new@example.com" }).Status);
        f.Emulator.Store.GdprDelete(ids["erin@example.com"], null);

        Assert.True(await WithinAsync(async () => await f.StoredAsync("erin@example.com") is null &&
            (string?)(await f.GetAsync("progress/read?email=carol.new%40example.com")).Body!["mode"] == "authenticated", TimeSpan.FromSeconds(15)));
        Assert.True(f.Emulator.Webhooks.Delivered >= 2);
        Assert.Contains("commits", (await f.GetAsync("progress/read?email=carol.new%40example.com")).Body!.ToJsonString(), StringComparison.Ordinal);
    }
}
