using HhLearn.Progress.Rules;
using HhLearn.Store;

namespace HhLearn.CrmSync.Tests;

/// <summary>The projection: the store's latest state into HubSpot, in batches, against dynalite and the emulator.</summary>
public class ProjectorTests
{
    internal static LearnerIdentity Who(string email) => new(email, null);

    internal static async Task<StoredLearner> TrackAsync(ProgressStore store, string email, string course, string module, string ts = "2026-11-27T10:00:00Z") =>
        (await store.ApplyAsync(Who(email), l => ProgressEngine.Apply(l, SyncFixture.ModuleCompleted(email, course, module, ts), SyncFixture.Catalog, SyncFixture.Now), default)).Learner;

    internal static Projector Projector(SyncFixture f, ProgressStore store, int fill = 0) =>
        new(store, new ContactWriter(f.Client), SyncFixture.Catalog, f, f.Log, TimeProvider.System, new ProjectorOptions { FillUpTo = fill });

    internal static List<ProjectionMessage> Messages(params StoredLearner[] learners) =>
        learners.Select((l, i) => new ProjectionMessage($"m{i}", l.Key, new Nudge(l.Key, l.Version))).ToList();

    [Fact]
    public async Task BatchOfNewAndKnownLearners_TakesOneReadOneCreateAndOneUpdate()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var known = await TrackAsync(store, "known@example.com", "course-a", "a1");
        await Projector(f, store).ProcessAsync(Messages(known), "r0", default);
        known = await TrackAsync(store, "known@example.com", "course-a", "a2");
        var fresh = new List<StoredLearner>();
        for (var i = 0; i < 8; i++)
        {
            fresh.Add(await TrackAsync(store, $"new{i}@example.com", "course-b", "b1"));
        }

        f.Emulator.Stats.Reset();
        var messages = Messages([known, .. fresh]);
        await Projector(f, store).ProcessAsync(messages, "r1", default);

        Assert.All(messages, m => Assert.Equal(MessageOutcome.Done, m.Outcome));
        Assert.Equal(3, f.Emulator.Stats.Total);
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/read"));
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/create"));
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/update"));
        Assert.Equal("course-a", f.Contact("known@example.com")[P.CompletedCourses]);
        Assert.Equal("lead", f.Contact("new3@example.com")[P.LifecycleStage]);
        Assert.Equal("course-b", f.Contact("new7@example.com")[P.CompletedCourses]);
        var stored = (await store.ReadAsync(Who("new3@example.com"), default))!;
        Assert.Equal((stored.Version, false, false), (stored.ProjectedVersion, stored.IsBehind, stored.ImportPending));
        Assert.Equal(f.Emulator.Store.AllContacts().Single(c => c.Properties["email"] == "new3@example.com").Id, stored.ContactId);
        Assert.Equal(9, f.LogLines.Count(l => (string?)l["event"] == LogEvents.ProjectionWritten && (string?)l["requestId"] == "r1"));
    }

    [Fact]
    public async Task RepeatedOrStaleNudges_CostHubSpotNothing()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var v1 = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        var v2 = await TrackAsync(store, "ada@example.com", "course-a", "a2");
        await Projector(f, store).ProcessAsync(Messages(v2), null, default);
        f.Emulator.Stats.Reset();

        var stale = Messages(v1, v2);
        await Projector(f, store).ProcessAsync(stale, null, default);
        Assert.All(stale, m => Assert.Equal(MessageOutcome.Done, m.Outcome));
        Assert.Equal(0, f.Emulator.Stats.Total);
    }

    [Fact]
    public async Task ANudgeForAnOlderVersion_WritesTheLatestState()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var v1 = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        await TrackAsync(store, "ada@example.com", "course-a", "a2");
        await Projector(f, store).ProcessAsync(Messages(v1), null, default);
        Assert.Equal("course-a", f.Contact("ada@example.com")[P.CompletedCourses]);
        Assert.False((await store.ReadAsync(Who("ada@example.com"), default))!.IsBehind);
    }

    [Fact]
    public async Task LegacyProgressInHubSpot_IsMergedIntoTheStore_AndHubSpotGetsTheUnion()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        f.Emulator.Store.Seed(new Dictionary<string, string>
        {
            ["email"] = "legacy@example.com",
            [P.ProgressState] = """{"courses":{"course-a":{"enrolled":true,"enrolled_at":"2026-01-10T09:00:00.000Z","enrollment_source":"old_site","modules":{"a1":{"started":true,"completed":true,"completed_at":"2026-01-11T09:00:00.000Z"}}}}}""",
            [P.EnrolledCourses] = "old-course",
        });
        var tracked = await TrackAsync(store, "legacy@example.com", "course-a", "a2");
        Assert.True(tracked.ImportPending);

        await Projector(f, store).ProcessAsync(Messages(tracked), null, default);

        var stored = (await store.ReadAsync(Who("legacy@example.com"), default))!;
        var course = stored.Learner.State.StandaloneCourse("course-a")!;
        Assert.True(course.IsCompleted);
        Assert.Equal(("2026-01-10T09:00:00.000Z", "old_site"), (course.EnrolledAt!.Value.Text, course.EnrollmentSource));
        Assert.False(stored.ImportPending);
        Assert.False(stored.IsBehind);
        var contact = f.Contact("legacy@example.com");
        Assert.Equal("course-a", contact[P.CompletedCourses]);
        Assert.Equal("course-a;old-course", contact[P.EnrolledCourses]);
        Assert.Single(f.Emulator.Store.AllContacts());
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.LegacyImported);
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
    public async Task AContactCreatedByAnotherWriterMeanwhile_409_IsReadMergedAndUpdated_NotDuplicated()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var race = await TrackAsync(store, "race@example.com", "course-a", "a1");
        var solo = await TrackAsync(store, "solo@example.com", "course-b", "b1");
        using var http = new HttpClient(new CreateRaceHandler(() => f.Emulator.Store.Seed(new Dictionary<string, string>
        {
            ["email"] = "race@example.com",
            [P.ProgressState] = """{"courses":{"course-a":{"enrolled":true,"modules":{"a2":{"started":true,"completed":true,"completed_at":"2026-11-26T10:00:00.000Z"}}}}}""",
        }))) { BaseAddress = f.Emulator.BaseUrl };
        await using var client = new HubSpot.HubSpotClient(http, new HubSpot.StaticTokenProvider("t"), new HubSpot.HubSpotClientOptions { RequestsPerTenSeconds = 10_000 });
        var messages = Messages(race, solo);
        await new Projector(store, new ContactWriter(client), SyncFixture.Catalog, f, f.Log, TimeProvider.System, new ProjectorOptions { FillUpTo = 0 }).ProcessAsync(messages, null, default);

        Assert.All(messages, m => Assert.Equal(MessageOutcome.Done, m.Outcome));
        Assert.True(f.Emulator.Stats.Count(409) >= 1);
        Assert.Single(f.Emulator.Store.AllContacts(), c => c.Properties.GetValueOrDefault("email") == "race@example.com");
        Assert.Equal("course-a", f.Contact("race@example.com")[P.CompletedCourses]);
        Assert.NotNull(f.Contact("solo@example.com"));
        Assert.True((await store.ReadAsync(Who("race@example.com"), default))!.Learner.State.StandaloneCourse("course-a")!.IsCompleted);
    }

    [Fact]
    public async Task CorruptLegacyStateInHubSpot_BlocksThatLearnerAlone_AndItsMessagesGoToTheDlq()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "bad@example.com", [P.ProgressState] = "not json" });
        var bad = await TrackAsync(store, "bad@example.com", "course-a", "a1");
        var good = await TrackAsync(store, "good@example.com", "course-a", "a1");
        var messages = Messages(bad, good);
        await Projector(f, store).ProcessAsync(messages, null, default);

        Assert.Equal([MessageOutcome.Poison, MessageOutcome.Done], messages.Select(m => m.Outcome));
        Assert.Equal("not json", f.Contact("bad@example.com")[P.ProgressState]);
        var blocked = (await store.ReadAsync(Who("bad@example.com"), default))!;
        Assert.Equal(SyncErrorCodes.ProgressStateCorrupt, blocked.Blocked);
        Assert.DoesNotContain(blocked.Key, await store.DueAsync(DateTimeOffset.UtcNow.AddHours(1), 10, default));
        var failed = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.ProjectionFailed);
        Assert.Equal(EmailHash.Of("bad@example.com"), (string?)failed["emailHash"]);

        // The blocked learner's messages keep failing until the DLQ has them; its progress is safe in the store.
        var again = Messages(blocked);
        await Projector(f, store).ProcessAsync(again, null, default);
        Assert.Equal(MessageOutcome.Poison, again[0].Outcome);
    }

    [Fact]
    public async Task AValueHubSpotRefusesForOneLearner_FailsThatLearnerAlone()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var odd = await TrackAsync(store, "odd@example.com", "course-a", "a1");
        var fine = await TrackAsync(store, "fine@example.com", "course-a", "a1");
        await Projector(f, store).ProcessAsync(Messages(odd, fine), null, default);

        // A stored page view whose time HubSpot's datetime property refuses (a value from the earlier system).
        var view = SyncFixture.Event("""{"eventName":"learning_page_viewed","payload":{"content_type":"course","slug":"course-a"}}""");
        odd = (await store.ApplyAsync(Who("odd@example.com"), l => ProgressEngine.Apply(l, view, SyncFixture.Catalog, SyncFixture.Now) is var r && r.IsApplied
            ? ApplyResult.Applied(r.Learner with { LastViewed = new PageView("course", "course-a", new Progress.State.Stamp("last tuesday", null)) }, [], SyncFixture.Now)
            : r, default)).Learner;
        fine = await TrackAsync(store, "fine@example.com", "course-a", "a2");
        var messages = Messages(odd, fine);
        await Projector(f, store).ProcessAsync(messages, null, default);

        Assert.Equal([MessageOutcome.Poison, MessageOutcome.Done], messages.Select(m => m.Outcome));
        Assert.Equal("course-a", f.Contact("fine@example.com")[P.CompletedCourses]);
        Assert.StartsWith("400", (await store.ReadAsync(Who("odd@example.com"), default))!.Blocked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreadableMessage_FailsWithEveryLaterMessageOfItsGroup_SoOrderHolds()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        var grace = await TrackAsync(store, "grace@example.com", "course-a", "a1");
        var messages = new List<ProjectionMessage>
        {
            new("m0", ada.Key, new Nudge(ada.Key, 1)),
            new("m1", grace.Key, null),
            new("m2", grace.Key, new Nudge(grace.Key, 1)),
            new("m3", ada.Key, new Nudge(ada.Key, 1)),
        };
        await Projector(f, store).ProcessAsync(messages, null, default);
        Assert.Equal([MessageOutcome.Done, MessageOutcome.Poison, MessageOutcome.Retry, MessageOutcome.Done], messages.Select(m => m.Outcome));
        Assert.NotNull(f.Contact("ada@example.com"));
    }

    [Fact]
    public async Task HubSpotDown_LeavesTheProjectionBehind_NeverTheLearner_AndALaterBatchCatchesUp()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        await using var impatient = new HubSpot.HubSpotClient(f.Http, new HubSpot.StaticTokenProvider("t"), new HubSpot.HubSpotClientOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(5) });
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(1) });
        var messages = Messages(ada);
        await new Projector(store, new ContactWriter(impatient), SyncFixture.Catalog, f, f.Log, TimeProvider.System, new ProjectorOptions { FillUpTo = 0 }).ProcessAsync(messages, null, default);
        Assert.Equal(MessageOutcome.Retry, messages[0].Outcome);
        Assert.True((await store.ReadAsync(Who("ada@example.com"), default))!.IsBehind);

        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings());
        await Projector(f, store).ProcessAsync(Messages(ada), null, default);
        Assert.Equal("course-a: 1/2 modules", f.Contact("ada@example.com")[P.ProgressSummary]);
    }

    [Fact]
    public async Task LearnersBehindButNotNudged_RideAlongInTheSameCalls()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var nudged = await TrackAsync(store, "nudged@example.com", "course-a", "a1");
        for (var i = 0; i < 5; i++)
        {
            await TrackAsync(store, $"quiet{i}@example.com", "course-b", "b1");
        }

        f.Emulator.Stats.Reset();
        await Projector(f, store, fill: 100).ProcessAsync(Messages(nudged), null, default);
        Assert.Equal(6, f.Emulator.Store.AllContacts().Count);
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/create"));
        Assert.Empty(await store.DueAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10, default));
    }

    [Fact]
    public async Task ALearnerKnownOnlyByAContactIdHubSpotDoesNotHave_IsBlocked_NotCreated()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var e = SyncFixture.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x"}""");
        var byId = (await store.ApplyAsync(new LearnerIdentity(null, "424242"), l => ProgressEngine.Apply(l, e, SyncFixture.Catalog, SyncFixture.Now), default)).Learner;
        var messages = Messages(byId);
        await Projector(f, store).ProcessAsync(messages, null, default);
        Assert.Equal(MessageOutcome.Poison, messages[0].Outcome);
        Assert.Empty(f.Emulator.Store.AllContacts());
        Assert.Equal(SyncErrorCodes.ContactNotFound, (await store.ReadAsync(new LearnerIdentity(null, "424242"), default))!.Blocked);
    }

    [Fact]
    public async Task TheSweeper_NudgesLearnersBehindForTooLong_WithARoundSoSqsDoesNotDropThem()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        var sweeper = new Sweeper(store, f, f.Log, TimeProvider.System, TimeSpan.Zero);
        Assert.Equal(1, await sweeper.SweepAsync("sweep-1", default));
        var (nudge, round) = Assert.Single(f.Nudges);
        Assert.Equal(new Nudge(ada.Key, 1, Urgent: true), nudge);
        Assert.NotEqual(NudgeMessages.DeduplicationId(nudge), NudgeMessages.DeduplicationId(nudge, round));
        var line = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.ProjectionSwept);
        Assert.Equal(1, (int)line["nudged"]!);
        Assert.True((double)line["oldestBehindSeconds"]! >= 0);

        await Projector(f, store).ProcessAsync(Messages(ada), null, default);
        Assert.Equal(0, await new Sweeper(store, f, f.Log, TimeProvider.System, TimeSpan.Zero).SweepAsync(null, default));
    }

    /// <summary>Holds every batch update until the test lets it go.</summary>
    private sealed class HeldUpdates : DelegatingHandler
    {
        public HeldUpdates()
            : base(new HttpClientHandler())
        {
        }

        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/batch/update", StringComparison.Ordinal))
            {
                Arrived.TrySetResult();
                await Release.Task;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task ALearnerOneProjectorIsWriting_IsNotWrittenByAnother_EvenWhenItIsBehind()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        await Projector(f, store).ProcessAsync(Messages(ada), null, default);
        ada = await TrackAsync(store, "ada@example.com", "course-a", "a2");

        using var held = new HeldUpdates();
        using var slowHttp = new HttpClient(held) { BaseAddress = f.Emulator.BaseUrl };
        await using var slowClient = new HubSpot.HubSpotClient(slowHttp, new HubSpot.StaticTokenProvider("t"), new HubSpot.HubSpotClientOptions { RequestsPerTenSeconds = 10_000 });
        var slow = new Projector(store, new ContactWriter(slowClient), SyncFixture.Catalog, f, f.Log, TimeProvider.System, new ProjectorOptions { FillUpTo = 0 });
        var first = Messages(ada);
        var writing = slow.ProcessAsync(first, "slow", default);
        await held.Arrived.Task;

        // Ada changes again while the slow projector is writing her; a second projector, filling up from the due
        // index, must leave her alone: its write could land first and the slow one's older write after it.
        ada = await TrackAsync(store, "ada@example.com", "course-b", "b1");
        var grace = await TrackAsync(store, "grace@example.com", "course-a", "a1");
        f.Emulator.Stats.Reset();
        await Projector(f, store, fill: 100).ProcessAsync(Messages(grace), "fast", default);
        Assert.DoesNotContain("course-b", f.Contact("ada@example.com")[P.ProgressState], StringComparison.Ordinal);
        Assert.NotNull(f.Contact("grace@example.com"));

        // Her own nudge for b1 finds her held: it is done at once, without waiting for the slow projector.
        var late = Messages(ada);
        await Projector(f, store, fill: 100).ProcessAsync(late, "late", default);
        Assert.Equal(MessageOutcome.Done, late[0].Outcome);
        Assert.DoesNotContain("course-b", f.Contact("ada@example.com")[P.ProgressState], StringComparison.Ordinal);

        // The slow projector sees, on marking, that she moved on while it wrote, and nudges her again.
        f.Nudges.Clear();
        held.Release.SetResult();
        await writing;
        Assert.Equal(MessageOutcome.Done, first[0].Outcome);
        Assert.True((await store.ReadAsync(Who("ada@example.com"), default))!.IsBehind);
        var again = Assert.Single(f.Nudges);
        Assert.Equal(ada.Key, again.Nudge.Key);
        Assert.StartsWith("again-", again.Round, StringComparison.Ordinal);
        await Projector(f, store, fill: 100).ProcessAsync([], "last", default);
        Assert.Contains("course-b", f.Contact("ada@example.com")[P.ProgressState], StringComparison.Ordinal);
        Assert.False((await store.ReadAsync(Who("ada@example.com"), default))!.IsBehind);
    }

    [Fact]
    public async Task ABatchThatArrivesAtOnce_WaitsForTheNextMomentsEvents_AndWritesThemInTheSameCalls()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        // The projector on a fake clock set a minute ahead (every stored stamp is before its "now"): how long the
        // machine takes to store the next moment's events cannot matter.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(1));
        var projector = new Projector(store, new ContactWriter(f.Client), SyncFixture.Catalog, f, f.Log, clock,
            new ProjectorOptions { FillUpTo = 100, Coalesce = TimeSpan.FromSeconds(1) });
        f.Emulator.Stats.Reset();

        var messages = new List<ProjectionMessage> { new("m0", ada.Key, new Nudge(ada.Key, ada.Version), clock.GetUtcNow()) };
        var projecting = projector.ProcessAsync(messages, "r", default);
        await TrackAsync(store, "grace@example.com", "course-b", "b1");
        await TrackAsync(store, "ada@example.com", "course-a", "a2");
        Assert.False(projecting.IsCompleted, "the batch did not wait for the next moment's events");
        clock.Advance(TimeSpan.FromSeconds(1));
        await projecting;

        Assert.Equal(MessageOutcome.Done, messages[0].Outcome);
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/create"));
        Assert.Equal("course-a", f.Contact("ada@example.com")[P.CompletedCourses]);
        Assert.Equal("course-b", f.Contact("grace@example.com")[P.CompletedCourses]);
    }

    [Fact]
    public async Task AnOldNudge_IsNotHeldBack()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        var projector = new Projector(store, new ContactWriter(f.Client), SyncFixture.Catalog, f, f.Log, TimeProvider.System,
            new ProjectorOptions { Coalesce = TimeSpan.FromSeconds(30) });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await projector.ProcessAsync([new("m0", ada.Key, new Nudge(ada.Key, ada.Version), DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1))], "r", default);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.NotNull(f.Contact("ada@example.com"));
    }

    [Fact]
    public void TheReplayCopyOfAnEvent_KeepsNonAsciiTextUnescaped_SoItFitsWhereTheBrowsersBodyFit()
    {
        var source = string.Concat(Enumerable.Repeat("学習の進捗", 190));
        var body = $$$"""{"eventName":"learning_course_enrolled","contactIdentifier":{"email":"ada@example.com"},"enrollment_source":"{{{source}}}","payload":{"course_slug":"course-a"}}""";
        var replay = TrackEventJson.WithoutIdentity(SyncFixture.Event(body)).GetRawText();

        Assert.Contains(source, replay, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.com", replay, StringComparison.Ordinal);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(replay) <= System.Text.Encoding.UTF8.GetByteCount(body));
        Assert.True(Progress.Events.TrackEventParser.Parse(replay).IsOk);
    }

    [Fact]
    public void Nudge_CarriesNoEmail_AndRoundTrips()
    {
        var nudge = new Nudge(ProgressTable.KeyOfEmail("ada@example.com"), 7);
        var body = NudgeMessages.Write(nudge);
        Assert.DoesNotContain("ada", body, StringComparison.Ordinal);
        Assert.True(NudgeMessages.TryRead(body, out var read));
        Assert.Equal(nudge, read);
        Assert.False(NudgeMessages.TryRead("{\"learner\":1}", out _));
        Assert.False(NudgeMessages.TryRead("not json", out _));
        Assert.Equal(JsonNode.Parse(body)!["learner"]!.GetValue<string>(), NudgeMessages.GroupId(nudge));

        // An urgent nudge says so; an ordinary one keeps the shape older projectors read.
        var urgent = nudge with { Urgent = true };
        Assert.True(NudgeMessages.TryRead(NudgeMessages.Write(urgent), out var readUrgent));
        Assert.Equal(urgent, readUrgent);
        Assert.Null(JsonNode.Parse(body)!["urgent"]);
    }

    [Fact]
    public async Task ALearnerWhoseContactIdIsSuppressed_IsNotWritten_AndIsSuppressedToo()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var id = f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "ada@example.com" });
        await store.ForgetAsync(new LearnerIdentity(null, id), default);
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        Assert.True(ada.Projectable);

        f.Emulator.Stats.Reset();
        var messages = Messages(ada);
        await Projector(f, store).ProcessAsync(messages, "r1", default);

        Assert.Equal(MessageOutcome.Done, Assert.Single(messages).Outcome);
        Assert.False(f.Contact("ada@example.com").ContainsKey(P.ProgressState));
        Assert.Equal(0, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/update") + f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/create"));
        Assert.StartsWith(SuppressionReasons.ContactSuppressed, (await store.ReadAsync(Who("ada@example.com"), default))!.Suppressed, StringComparison.Ordinal);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.LearnerSuppressed && (string?)l["contactId"] == id);
    }
}
