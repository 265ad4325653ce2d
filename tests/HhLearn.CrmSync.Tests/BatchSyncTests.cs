using HhLearn.Progress.Events;
using HhLearn.Operations;
using System.Text.Json.Nodes;
using HhLearn.Progress.Contact;
using P = HhLearn.Progress.Contact.ContactPropertyNames;

namespace HhLearn.CrmSync.Tests;

/// <summary>Batches from the FIFO queue: few HubSpot calls, per-learner outcomes, 409 recovery, poison and retry.</summary>
public class BatchSyncTests
{
    private static BatchItem Item(string id, string email, string course, string module, string ts = "2026-11-27T10:00:00Z")
    {
        var e = SyncFixture.ModuleCompleted(email, course, module, ts);
        Assert.True(QueueMessages.TryRead(QueueMessages.Write(e, SyncFixture.Now, "r-" + id), out var queued, out _));
        return new BatchItem(id, queued, null);
    }

    private static BatchSync Batch(SyncFixture f) => new(f.Client, SyncFixture.Catalog, new JsonLineLog(f.LogText, TimeProvider.System), TimeProvider.System);

    [Fact]
    public async Task BatchOfTenForNewAndKnownLearners_TakesThreeCalls_AndAppliesEverything()
    {
        await using var f = await SyncFixture.StartAsync();
        await f.Sync.TrackAsync(SyncFixture.ModuleCompleted("known@example.com", "course-a", "a1"), new LearnerIdentity("known@example.com", null), SyncFixture.Now, null, default);
        f.Emulator.Stats.Reset();

        var items = new List<BatchItem>();
        for (var i = 0; i < 10; i++)
        {
            items.Add(Item($"m{i}", i % 2 == 0 ? "known@example.com" : $"new{i % 3}@example.com", i % 2 == 0 ? "course-a" : "course-b", i % 2 == 0 ? "a2" : "b1"));
        }

        await Batch(f).ProcessAsync(items, "req", default);

        Assert.All(items, i => Assert.Equal(MessageOutcome.Done, i.Outcome));
        Assert.Equal(3, f.Emulator.Stats.Total);
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/read"));
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/create"));
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/update"));
        Assert.Equal("course-a", f.Contact("known@example.com")[P.CompletedCourses]);
        Assert.Equal("course-b", f.Contact("new1@example.com")[P.CompletedCourses]);
        Assert.Equal("lead", f.Contact("new2@example.com")[P.LifecycleStage]);
        Assert.Equal(4, f.Emulator.Store.AllContacts().Count);
    }

    /// <summary>Lets another writer create a contact at the exact moment our batch create leaves: a deterministic race.</summary>
    private sealed class CreateRaceHandler(Action beforeCreate) : DelegatingHandler(new HttpClientHandler())
    {
        private bool _done;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!_done && request.RequestUri!.AbsolutePath.EndsWith("/batch/create", StringComparison.Ordinal))
            {
                _done = true;
                beforeCreate();
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task LearnerCreatedByAnotherWriterMeanwhile_ConflictIsResolved_AndTheEventsAreApplied()
    {
        await using var f = await SyncFixture.StartAsync();
        var items = new List<BatchItem> { Item("m1", "race@example.com", "course-a", "a1"), Item("m2", "solo@example.com", "course-b", "b1") };
        using var http = new HttpClient(new CreateRaceHandler(() => f.Emulator.Store.Seed(new Dictionary<string, string>
        {
            ["email"] = "race@example.com",
            [P.ProgressState] = """{"courses":{"course-a":{"enrolled":true,"modules":{"a2":{"started":true,"completed":true,"completed_at":"2026-11-26T10:00:00.000Z"}}}}}""",
        }))) { BaseAddress = f.Emulator.BaseUrl };
        await using var client = new HubSpot.HubSpotClient(http, new HubSpot.StaticTokenProvider("t"), new HubSpot.HubSpotClientOptions { RequestsPerTenSeconds = 10_000 });
        await new BatchSync(client, SyncFixture.Catalog, new JsonLineLog(f.LogText, TimeProvider.System), TimeProvider.System).ProcessAsync(items, null, default);

        Assert.All(items, i => Assert.Equal(MessageOutcome.Done, i.Outcome));
        Assert.Equal(1, f.Emulator.Stats.Count(409));
        Assert.Single(f.Emulator.Store.AllContacts(), c => c.Properties.GetValueOrDefault("email") == "race@example.com");
        Assert.Equal("course-a", f.Contact("race@example.com")[P.CompletedCourses]);
        Assert.NotNull(f.Contact("solo@example.com"));
    }

    [Fact]
    public async Task CorruptLearner_IsPoison_OthersAreUnaffected()
    {
        await using var f = await SyncFixture.StartAsync();
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "bad@example.com", [P.ProgressState] = "not json" });
        var items = new List<BatchItem> { Item("m1", "bad@example.com", "course-a", "a1"), Item("m2", "good@example.com", "course-a", "a1"), Item("m3", "bad@example.com", "course-b", "b1") };
        await Batch(f).ProcessAsync(items, null, default);
        Assert.Equal([MessageOutcome.Poison, MessageOutcome.Done, MessageOutcome.Poison], items.Select(i => i.Outcome));
        Assert.Equal("not json", f.Contact("bad@example.com")[P.ProgressState]);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.ProgressStateCorrupt);
    }

    [Fact]
    public async Task HubSpotDown_EveryMessageIsRetried()
    {
        await using var f = await SyncFixture.StartAsync();
        await using var client = new HubSpot.HubSpotClient(f.Http, new HubSpot.StaticTokenProvider("t"), new HubSpot.HubSpotClientOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(5) });
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(1) });
        var items = new List<BatchItem> { Item("m1", "x@example.com", "course-a", "a1"), Item("m2", "y@example.com", "course-a", "a1") };
        await new BatchSync(client, SyncFixture.Catalog, new JsonLineLog(f.LogText, TimeProvider.System), TimeProvider.System).ProcessAsync(items, null, default);
        Assert.All(items, i => Assert.Equal(MessageOutcome.Retry, i.Outcome));

        // One line per event, however many HTTP attempts the client made.
        var failed = f.LogLines.Where(l => (string?)l["event"] == LogEvents.CrmSyncFailed).ToList();
        Assert.Equal(["m1", "m2"], failed.Select(l => (string?)l["messageId"]));
        Assert.All(failed, l => Assert.StartsWith("503", (string?)l["error"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryEventEndsInExactlyOneOutcomeLine_SoTheFailureRateCountsEvents()
    {
        await using var f = await SyncFixture.StartAsync();
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "bad@example.com", [P.ProgressState] = "not json" });
        var items = new List<BatchItem>
        {
            Item("m1", "bad@example.com", "course-a", "a1"), Item("m2", "good@example.com", "course-a", "a1"), Item("m3", "bad@example.com", "course-b", "b1"),
            Item("m4", "good@example.com", "course-a", "a2"), Item("m5", "other@example.com", "course-b", "b1"), new BatchItem("m6", null, "not JSON"),
        };
        await Batch(f).ProcessAsync(items, null, default);

        var outcomes = f.LogLines.Where(l => (string?)l["event"] is LogEvents.EventPersisted or LogEvents.CrmSyncFailed or LogEvents.EventRejected).ToList();
        Assert.Equal(items.Count, outcomes.Count);
        Assert.Equal(["m2", "m4", "m5"], outcomes.Where(l => (string?)l["event"] == LogEvents.EventPersisted).Select(l => (string?)l["messageId"]).Order());
        Assert.Equal(["m1", "m3", "m6"], outcomes.Where(l => (string?)l["event"] == LogEvents.CrmSyncFailed).Select(l => (string?)l["messageId"]).Order());
        Assert.Equal(SyncErrorCodes.ProgressStateCorrupt, (string?)outcomes.Single(l => (string?)l["messageId"] == "m1")["error"]);
        Assert.DoesNotContain("bad@example.com", f.LogText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectedEvent_IsDone_NotRetried_AndTheOthersOfTheLearnerAreApplied()
    {
        await using var f = await SyncFixture.StartAsync();
        var claim = SyncFixture.Event("""{"eventName":"learning_course_completed","course_slug":"course-a","contactIdentifier":{"email":"z@example.com"}}""");
        Assert.True(QueueMessages.TryRead(QueueMessages.Write(claim, SyncFixture.Now, null), out var queuedClaim, out _));
        var items = new List<BatchItem> { new("m1", queuedClaim, null), Item("m2", "z@example.com", "course-b", "b1") };
        await Batch(f).ProcessAsync(items, null, default);
        Assert.All(items, i => Assert.Equal(MessageOutcome.Done, i.Outcome));
        Assert.Equal("course-b", f.Contact("z@example.com")[P.CompletedCourses]);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.EventRejected);
    }

    [Fact]
    public async Task UnreadableMessage_IsPoison()
    {
        await using var f = await SyncFixture.StartAsync();
        var items = new List<BatchItem> { new("m1", null, "message body is not JSON") };
        await Batch(f).ProcessAsync(items, null, default);
        Assert.Equal(MessageOutcome.Poison, items[0].Outcome);
    }

    [Fact]
    public void QueueMessage_CarriesTheReceiveTime_ForEventsWithoutTs()
    {
        var e = SyncFixture.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"email":"t@example.com"}}""");
        var receivedAt = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
        Assert.True(QueueMessages.TryRead(QueueMessages.Write(e, receivedAt, "req"), out var queued, out _));
        Assert.Equal(receivedAt, queued.ReceivedAt);
        Assert.Equal(receivedAt, queued.Event.TimeAt(queued.ReceivedAt));
        Assert.Equal("email:t@example.com", queued.Learner.Key);
        Assert.Matches("^[0-9a-f]{64}$", QueueMessages.GroupId(queued.Learner));
        Assert.Equal(QueueMessages.DeduplicationId(e, receivedAt), QueueMessages.DeduplicationId(queued.Event, queued.ReceivedAt));
        Assert.NotEqual(QueueMessages.DeduplicationId(e, receivedAt), QueueMessages.DeduplicationId(e, receivedAt.AddSeconds(1)));
        var withId = SyncFixture.Event("""{"eventName":"learning_pathway_enrolled","eventId":"client-1","pathway_slug":"path-x","contactIdentifier":{"email":"t@example.com"}}""");
        Assert.Equal("client-1", QueueMessages.DeduplicationId(withId, receivedAt));
    }
}
