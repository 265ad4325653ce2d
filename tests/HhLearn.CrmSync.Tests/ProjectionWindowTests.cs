using HhLearn.Store;
using Microsoft.Extensions.Time.Testing;
using static HhLearn.CrmSync.Tests.ProjectorTests;

namespace HhLearn.CrmSync.Tests;

/// <summary>
/// The projection window: under steady traffic the quota is spent on full batches, not on arrivals. Nudges that
/// arrive while a window is open cost HubSpot nothing and are written together when it closes (on a fake clock).
/// </summary>
public class ProjectionWindowTests
{
    private sealed record Setup(SyncFixture F, ProgressStore Store, FakeTimeProvider Clock, ProjectorOptions Options)
    {
        public Projector Projector() => new(Store, new ContactWriter(F.Client), SyncFixture.Catalog, F, F.Log, Clock, Options);
    }

    private static async Task<Setup> StartAsync(SyncFixture f, ProjectionWindowOptions window, int windowFill = 500)
    {
        var (_, table, client) = await TestSupport.SharedDynalite.NewTableAsync("window");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new ProgressStore(client, table, SyncFixture.Catalog, clock, new StoreOptions { HashKey = TestSupport.TestHashKey.Key });
        return new Setup(f, store, clock, new ProjectorOptions { Window = window, WindowFillUpTo = windowFill });
    }

    /// <summary>Runs the fake clock in <paramref name="step"/>s until the owner is done (or a real-time minute passed).</summary>
    private static async Task RunClockUntilAsync(FakeTimeProvider clock, Task owner, TimeSpan step, TimeSpan? atMost = null)
    {
        var advanced = TimeSpan.Zero;
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!owner.IsCompleted && DateTime.UtcNow < deadline && (atMost is null || advanced < atMost))
        {
            await Task.Delay(20);
            clock.Advance(step);
            advanced += step;
        }

        await owner.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task WaitForWindowAsync(ProgressStore store)
    {
        for (var i = 0; i < 500 && await store.WindowAsync(default) is null; i++)
        {
            await Task.Delay(10);
        }
    }

    private static List<JsonNode> Batches(SyncFixture f) => f.LogLines.Where(l => (string?)l["event"] == LogEvents.BatchProcessed).ToList();

    [Fact]
    public async Task NudgesDuringAWindow_CostNothing_AndAreWrittenWithTheOwnersInOneBatchUpdate()
    {
        await using var f = await SyncFixture.StartAsync();
        var s = await StartAsync(f, new ProjectionWindowOptions { Length = TimeSpan.FromSeconds(5), Budget = 80 });
        var learners = new List<StoredLearner>();
        for (var i = 0; i < 3; i++)
        {
            var first = await TrackAsync(s.Store, $"w{i}@example.com", "course-a", "a1");
            await ProjectorTests.Projector(f, s.Store).ProcessAsync(Messages(first), null, default);
            learners.Add(await TrackAsync(s.Store, $"w{i}@example.com", "course-a", "a2"));
        }

        f.Emulator.Stats.Reset();
        var ownerMessages = Messages(learners[0]);
        var owner = s.Projector().ProcessAsync(ownerMessages, "owner", default);
        await WaitForWindowAsync(s.Store);
        var joined = new[] { Messages(learners[1]), Messages(learners[2]) };
        foreach (var messages in joined)
        {
            await s.Projector().ProcessAsync(messages, "joiner", default).WaitAsync(TimeSpan.FromSeconds(10));
        }

        // The joiners are done at once (their learners stay due) and HubSpot has not been called yet.
        Assert.All(joined.SelectMany(m => m), m => Assert.Equal(MessageOutcome.Done, m.Outcome));
        Assert.Equal(0, f.Emulator.Stats.Total);
        Assert.False(owner.IsCompleted);

        await RunClockUntilAsync(s.Clock, owner, TimeSpan.FromMilliseconds(250));

        Assert.Equal(MessageOutcome.Done, ownerMessages.Single().Outcome);
        Assert.Equal(1, f.Emulator.Stats.Total);
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/update"));
        Assert.All(Enumerable.Range(0, 3), i => Assert.Contains("\"a2\"", f.Contact($"w{i}@example.com")[P.ProgressState], StringComparison.Ordinal));
        Assert.Empty(await s.Store.DueAsync(s.Clock.GetUtcNow().AddMinutes(1), 10, default));

        // Each batch says what it did with the window and what it cost the quota.
        var lines = Batches(f);
        Assert.Equal(2, lines.Count(l => (string?)l["window"] == "joined" && (long?)l["hubspotCalls"] == 0));
        var written = lines.Single(l => (string?)l["window"] == "owner");
        Assert.Equal((1L, 3L, 3.0), ((long?)written["hubspotCalls"], (long?)written["written"], (double?)written["learnersPerCall"]));
        Assert.True((double?)written["callsPer10s"] >= 1);
        Assert.Equal(Math.Round(100 * (double)written["callsPer10s"]! / 80, 1), (double?)written["quotaUsage"]);
        Assert.True((long?)written["windowWaitedMs"] >= 5000);
    }

    [Fact]
    public async Task AFullBatch_ClosesTheWindowEarly()
    {
        await using var f = await SyncFixture.StartAsync();
        var s = await StartAsync(f, new ProjectionWindowOptions { Length = TimeSpan.FromSeconds(30), FullBatch = 3, IndexSettle = TimeSpan.FromSeconds(1) });
        var learners = new List<StoredLearner>();
        for (var i = 0; i < 3; i++)
        {
            learners.Add(await TrackAsync(s.Store, $"full{i}@example.com", "course-a", "a1"));
        }

        var owner = s.Projector().ProcessAsync(Messages(learners[0]), "owner", default);
        await WaitForWindowAsync(s.Store);
        await s.Projector().ProcessAsync(Messages(learners[1], learners[2]), "joiner", default).WaitAsync(TimeSpan.FromSeconds(10));

        // Far less than the 30 s window: a poll and the index's settling time.
        await RunClockUntilAsync(s.Clock, owner, TimeSpan.FromMilliseconds(250), atMost: TimeSpan.FromSeconds(5));
        Assert.True(owner.IsCompletedSuccessfully);
        Assert.All(Enumerable.Range(0, 3), i => Assert.NotNull(f.Contact($"full{i}@example.com")));
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/create"));
    }

    [Fact]
    public async Task ALearnerWhoWaitedAWholeWindowAlready_IsNotMadeToWaitAnother()
    {
        await using var f = await SyncFixture.StartAsync();
        var s = await StartAsync(f, new ProjectionWindowOptions { Length = TimeSpan.FromSeconds(30), IndexSettle = TimeSpan.FromSeconds(1) });
        var waiting = await TrackAsync(s.Store, "backlog@example.com", "course-a", "a1");

        // HubSpot was down for a minute: the learner is still behind.
        s.Clock.Advance(TimeSpan.FromMinutes(1));
        var owner = s.Projector().ProcessAsync(Messages(waiting), "owner", default);
        await RunClockUntilAsync(s.Clock, owner, TimeSpan.FromMilliseconds(250), atMost: TimeSpan.FromSeconds(3));

        Assert.True(owner.IsCompletedSuccessfully);
        Assert.NotNull(f.Contact("backlog@example.com"));
        Assert.True((long?)Batches(f).Single()["windowWaitedMs"] < 3000);
    }

    [Fact]
    public async Task AnUrgentNudge_IsWrittenAtOnce_WithoutWaitingForAWindow()
    {
        await using var f = await SyncFixture.StartAsync();
        var s = await StartAsync(f, new ProjectionWindowOptions { Length = TimeSpan.FromSeconds(30) });
        var learner = await TrackAsync(s.Store, "urgent@example.com", "course-a", "a1");

        // The sweeper found it behind for long: it has waited already.
        var messages = new List<ProjectionMessage> { new("m0", learner.Key, new Nudge(learner.Key, learner.Version, Urgent: true)) };
        await s.Projector().ProcessAsync(messages, "urgent", default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(f.Contact("urgent@example.com"));
        Assert.Equal("urgent", (string?)Batches(f).Single()["window"]);
        Assert.Null(await s.Store.WindowAsync(default));
    }

    [Fact]
    public async Task ANudgeForALearnerAlreadyWritten_OpensNoWindow_AndCostsNothing()
    {
        await using var f = await SyncFixture.StartAsync();
        var s = await StartAsync(f, new ProjectionWindowOptions { Length = TimeSpan.FromSeconds(30) });
        var learner = await TrackAsync(s.Store, "current@example.com", "course-a", "a1");
        await ProjectorTests.Projector(f, s.Store).ProcessAsync(Messages(learner), null, default);
        f.Emulator.Stats.Reset();

        // The same nudge again, late (a queue backlog): the learner is already written at that version.
        var late = Messages(learner);
        await s.Projector().ProcessAsync(late, "late", default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(MessageOutcome.Done, late.Single().Outcome);
        Assert.Equal(0, f.Emulator.Stats.Total);
        Assert.Null(await s.Store.WindowAsync(default));
        Assert.Equal("current", (string?)Batches(f).Last()["window"]);
    }

    [Fact]
    public async Task AWindowWhoseOwnerIsGone_IsReplacedByTheNextNudge_WhichWritesItsLearnersToo()
    {
        await using var f = await SyncFixture.StartAsync();
        var s = await StartAsync(f, new ProjectionWindowOptions { Length = TimeSpan.FromSeconds(5) });
        var orphan = await TrackAsync(s.Store, "orphan@example.com", "course-a", "a1");
        var now = s.Clock.GetUtcNow();

        // A projector opened a window and died; a learner joined it.
        await s.Store.OpenOrJoinWindowAsync("gone", [], now.AddSeconds(5), now.AddSeconds(1), 100, default);
        await s.Projector().ProcessAsync(Messages(orphan), "joiner", default).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, f.Emulator.Stats.Total);

        s.Clock.Advance(TimeSpan.FromSeconds(6));
        var next = await TrackAsync(s.Store, "next@example.com", "course-a", "a1");
        var owner = s.Projector().ProcessAsync(Messages(next), "next", default);
        await RunClockUntilAsync(s.Clock, owner, TimeSpan.FromMilliseconds(250));

        Assert.NotNull(f.Contact("orphan@example.com"));
        Assert.NotNull(f.Contact("next@example.com"));
    }

    [Fact]
    public async Task MoreBehindThanOneWriteTakes_OldestFirst_AndTheRestNudgedForTheNextWindow()
    {
        await using var f = await SyncFixture.StartAsync();
        var s = await StartAsync(f, new ProjectionWindowOptions { Length = TimeSpan.FromSeconds(2) }, windowFill: 3);
        var learners = new List<StoredLearner>();
        for (var i = 0; i < 5; i++)
        {
            learners.Add(await TrackAsync(s.Store, $"many{i}@example.com", "course-a", "a1"));
            s.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var owner = s.Projector().ProcessAsync(Messages(learners[4]), "owner", default);
        await RunClockUntilAsync(s.Clock, owner, TimeSpan.FromMilliseconds(250));

        // The nudged learner and the two oldest; the next oldest is nudged so that the next window opens at once.
        Assert.Equal(["many0@example.com", "many1@example.com", "many4@example.com"],
            f.Emulator.Store.AllContacts().Select(c => c.Properties["email"]).Order(StringComparer.Ordinal));
        var nudge = Assert.Single(f.Nudges);
        Assert.Equal(learners[2].Key, nudge.Nudge.Key);
        Assert.StartsWith("window-", nudge.Round, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, null)]
    [InlineData(0.5, null)]
    [InlineData(0.75, 10.0)]
    [InlineData(1.0, 15.0)]
    [InlineData(3.0, 15.0)]
    public void TheWindowGrows_AsUsageRisesAboveHalfTheBudget(double usage, double? seconds)
    {
        var window = new ProjectionWindow(null!, TimeProvider.System, new ProjectionWindowOptions { Length = TimeSpan.FromSeconds(5), Budget = 80 });
        Assert.Equal(seconds, window.Grown(usage)?.TotalSeconds);
    }
}
