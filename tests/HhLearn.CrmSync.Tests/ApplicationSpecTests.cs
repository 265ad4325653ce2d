using HhLearn.CrmSync.Contacts;
using HhLearn.Progress.Rules;
using HhLearn.Progress.State;
using HhLearn.Store;
using HhLearn.TestSupport.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace HhLearn.CrmSync.Tests;

/// <summary>
/// The application's rules on its ports alone: the in-memory store (held to the DynamoDB store's contract by
/// StoreContractTests) and an in-memory CRM behind <see cref="IContactGateway"/>. No dynalite, no emulator, no wall
/// clock: each test runs in milliseconds. The adapters and the whole are tested against dynalite and the emulator.
/// </summary>
public sealed class ApplicationSpecTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(SyncFixture.Now);
    private readonly InMemoryProgressStore _store;
    private readonly InMemoryContactGateway _crm = new();
    private readonly RecordingNudges _nudges = new();
    private readonly StringWriter _logText = new();
    private readonly JsonLineLog _log;

    public ApplicationSpecTests()
    {
        _store = new InMemoryProgressStore(SyncFixture.Catalog, _time);
        _log = new JsonLineLog(_logText, _time);
    }

    public void Dispose() => _logText.Dispose();

    private Projector Projector() => new(_store, _crm, SyncFixture.Catalog, _nudges, _log, _time, new ProjectorOptions { Coalesce = TimeSpan.Zero, FillUpTo = 0 });

    private StoreBackend Backend() => new(_store, SyncFixture.Catalog, _nudges, _crm, _log);

    private async Task<StoredLearner> TrackAsync(string email, string course, string module) =>
        (await _store.ApplyAsync(new LearnerIdentity(email, null), l => ProgressEngine.Apply(l, SyncFixture.ModuleCompleted(email, course, module), SyncFixture.Catalog, SyncFixture.Now), default)).Learner;

    private static List<ProjectionMessage> Messages(params StoredLearner[] learners) =>
        learners.Select((l, i) => new ProjectionMessage($"m{i}", l.Key, new Nudge(l.Key, l.Version))).ToList();

    private IEnumerable<string?> Events() => TestSupport.LogLines.Parse(_logText.ToString()).Select(l => (string?)l["event"]);

    [Fact]
    public async Task ABatchOfNewAndKnownLearners_CostsOneFindOneCreateAndOneUpdate_AndLeavesNobodyDue()
    {
        var known = await TrackAsync("known@example.com", "course-a", "a1");
        await Projector().ProcessAsync(Messages(known), "r0", default);
        known = await TrackAsync("known@example.com", "course-a", "a2");
        var fresh = new[] { await TrackAsync("new1@example.com", "course-b", "b1"), await TrackAsync("new2@example.com", "course-b", "b1") };
        var before = _crm.Requests;

        var messages = Messages([known, .. fresh]);
        await Projector().ProcessAsync(messages, "r1", default);

        Assert.All(messages, m => Assert.Equal(MessageOutcome.Done, m.Outcome));
        Assert.Equal(3, _crm.Requests - before);
        Assert.Equal("course-a", _crm.Contact("known@example.com")!.Property(ContactPropertyNames.CompletedCourses));
        Assert.Equal("lead", _crm.Contact("new2@example.com")!.Property(ContactPropertyNames.LifecycleStage));
        Assert.Empty(await _store.DueAsync(_time.GetUtcNow().AddMinutes(1), 10, default));
        Assert.Equal(_crm.Contact("new1@example.com")!.Id, (await _store.ReadAsync(new LearnerIdentity("new1@example.com", null), default))!.ContactId);
    }

    [Fact]
    public async Task ARepeatedNudge_CostsTheCrmNothing()
    {
        var ada = await TrackAsync("ada@example.com", "course-a", "a1");
        await Projector().ProcessAsync(Messages(ada), null, default);
        var before = _crm.Requests;

        var again = Messages(ada);
        await Projector().ProcessAsync(again, null, default);

        Assert.Equal(before, _crm.Requests);
        Assert.Equal(MessageOutcome.Done, again[0].Outcome);
    }

    [Fact]
    public async Task ProgressHeldInTheCrmBeforeTheStore_IsMergedIn_AndTheContactGetsTheUnion()
    {
        var held = ProgressEngine.Apply(LearnerProgress.New, SyncFixture.ModuleCompleted("ada@example.com", "course-b", "b1"), SyncFixture.Catalog, SyncFixture.Now).Learner!;
        _crm.Add("ada@example.com", ContactProgress.Build(held, SyncFixture.Catalog, SyncFixture.Now).Properties);
        var ada = await TrackAsync("ada@example.com", "course-a", "a1");

        await Projector().ProcessAsync(Messages(ada), null, default);

        Assert.Equal("course-b", _crm.Contact("ada@example.com")!.Property(ContactPropertyNames.CompletedCourses));
        Assert.Contains("course-a", _crm.Contact("ada@example.com")!.Property(ContactPropertyNames.EnrolledCourses));
        Assert.Equal(1, _crm.Count);
        var stored = (await _store.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!;
        Assert.Equal((false, false), (stored.ImportPending, stored.IsBehind));
    }

    [Fact]
    public async Task DuringACrmOutage_TheLearnerStaysDue_ItsMessageComesBack_AndNothingIsLost()
    {
        var ada = await TrackAsync("ada@example.com", "course-a", "a1");
        _crm.Outage = true;

        var messages = Messages(ada);
        await Projector().ProcessAsync(messages, null, default);

        Assert.Equal(MessageOutcome.Retry, messages[0].Outcome);
        Assert.Equal([ada.Key], await _store.DueAsync(_time.GetUtcNow().AddMinutes(1), 10, default));
        Assert.Contains(LogEvents.ProjectionFailed, Events());

        _crm.Outage = false;
        await Projector().ProcessAsync(Messages(ada), null, default);
        Assert.Equal("course-a", _crm.Contact("ada@example.com")!.Property(ContactPropertyNames.EnrolledCourses));
        Assert.Empty(await _store.DueAsync(_time.GetUtcNow().AddMinutes(1), 10, default));
    }

    [Fact]
    public async Task ARefusedPortal_BlocksNobody_TheLearnersStayDue_AndTheOperatorIsTold()
    {
        var ada = await TrackAsync("ada@example.com", "course-a", "a1");
        _crm.Forbidden = true;

        var messages = Messages(ada);
        await Projector().ProcessAsync(messages, null, default);

        Assert.Equal(MessageOutcome.Done, messages[0].Outcome);
        Assert.Null((await _store.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!.Blocked);
        Assert.Equal([ada.Key], await _store.DueAsync(_time.GetUtcNow().AddMinutes(1), 10, default));
        Assert.Contains(LogEvents.HubSpotMisconfigured, Events());
    }

    [Fact]
    public async Task ALearnerTheCrmRefusesForGood_IsBlockedAlone_AndTheOthersAreWritten()
    {
        var bad = await TrackAsync("bad@example.com", "course-a", "a1");
        var good = await TrackAsync("good@example.com", "course-a", "a1");
        _crm.Refused.Add("bad@example.com");

        var messages = Messages(bad, good);
        await Projector().ProcessAsync(messages, null, default);

        Assert.Equal([MessageOutcome.Poison, MessageOutcome.Done], messages.Select(m => m.Outcome));
        Assert.NotNull((await _store.ReadAsync(new LearnerIdentity("bad@example.com", null), default))!.Blocked);
        Assert.NotNull(_crm.Contact("good@example.com"));
        Assert.Empty(await _store.DueAsync(_time.GetUtcNow().AddMinutes(1), 10, default));
    }

    [Fact]
    public async Task AContactDeletedInTheCrm_IsNeverCreatedAgain_AndTheLearnerIsKeptOut()
    {
        var ada = await TrackAsync("ada@example.com", "course-a", "a1");
        await Projector().ProcessAsync(Messages(ada), null, default);
        _crm.Delete(_crm.Contact("ada@example.com")!.Id);

        var changed = await TrackAsync("ada@example.com", "course-a", "a2");
        await Projector().ProcessAsync(Messages(changed), null, default);

        Assert.Equal(0, _crm.Count);
        Assert.StartsWith(SuppressionReasons.DeletedUpstream, (await _store.ReadAsync(new LearnerIdentity("ada@example.com", null), default))!.Suppressed);
        Assert.Empty(await _store.DueAsync(_time.GetUtcNow().AddMinutes(1), 10, default));
    }

    [Fact]
    public async Task DuringAStoreOutage_EveryMessageComesBack()
    {
        var ada = await TrackAsync("ada@example.com", "course-a", "a1");
        _store.Unavailable = true;

        var messages = Messages(ada);
        await Projector().ProcessAsync(messages, null, default);

        Assert.Equal(MessageOutcome.Retry, messages[0].Outcome);
        Assert.Equal(0, _crm.Requests);
    }

    [Fact]
    public async Task ATrack_IsStoredAndNudged_AndReadBackWithoutAskingTheCrm()
    {
        var who = new LearnerIdentity("ada@example.com", null);
        var outcome = await Backend().TrackAsync(SyncFixture.ModuleCompleted("ada@example.com", "course-a", "a1"), who, SyncFixture.Now, "r1", default);

        Assert.IsType<TrackPersisted>(outcome);
        Assert.Single(_nudges.Sent);
        var read = (await Backend().ReadAsync(who, "r2", default))!;
        Assert.True(read.Learner.State.Pathway("path-x") is null && read.Learner.State.StandaloneCourse("course-a")?.Module("a1")?.IsCompleted == true);
        Assert.Equal(0, _crm.Requests);
    }

    [Fact]
    public async Task TheFirstReadOfAnUnknownLearner_ImportsWhatTheCrmHolds_Once()
    {
        var held = ProgressEngine.Apply(LearnerProgress.New, SyncFixture.ModuleCompleted("old@example.com", "course-b", "b1"), SyncFixture.Catalog, SyncFixture.Now).Learner!;
        _crm.Add("old@example.com", ContactProgress.Build(held, SyncFixture.Catalog, SyncFixture.Now).Properties);
        var who = new LearnerIdentity("old@example.com", null);

        var first = (await Backend().ReadAsync(who, null, default))!;
        var second = (await Backend().ReadAsync(who, null, default))!;

        Assert.True(first.Learner.State.StandaloneCourse("course-b")?.IsCompleted == true);
        Assert.Equal(first.ContactId, second.ContactId);
        Assert.Equal(1, _crm.Requests);
    }

    [Fact]
    public async Task AStranger_CostsTheCrmOneReadPerLifetime()
    {
        var who = new LearnerIdentity("nobody@example.com", null);

        Assert.Null(await Backend().ReadAsync(who, null, default));
        Assert.Null(await Backend().ReadAsync(who, null, default));
        Assert.Equal(1, _crm.Requests);

        _time.Advance(TimeSpan.FromHours(2));
        Assert.Null(await Backend().ReadAsync(who, null, default));
        Assert.Equal(2, _crm.Requests);
    }

    [Fact]
    public async Task DuringAStoreOutage_ATrackIsAnswered503_WithTheStoresCode_AndTheEventIsLoggedForReplay()
    {
        _store.Unavailable = true;
        var error = await Assert.ThrowsAsync<ProgressUnavailableException>(() =>
            Backend().TrackAsync(SyncFixture.ModuleCompleted("ada@example.com", "course-a", "a1"), new LearnerIdentity("ada@example.com", null), SyncFixture.Now, null, default));
        Assert.Equal(UnavailableCodes.Store, error.Code);
        Assert.Empty(_nudges.Sent);
        var line = Assert.Single(TestSupport.LogLines.Parse(_logText.ToString()), l => (string?)l["event"] == LogEvents.StoreUnavailable);
        Assert.Equal("a1", (string?)line["replay"]!["payload"]!["module_slug"]);
        Assert.DoesNotContain("ada@example.com", _logText.ToString(), StringComparison.Ordinal);
    }

    private StoreBackend Direct() =>
        new(new HubSpotLearnerRepository(_crm, SyncFixture.Catalog, _log, _time), SyncFixture.Catalog, null, null, _log, new StoreBackendOptions { Storage = LearnerStorage.HubSpot });

    [Fact]
    public async Task DirectMode_KeepsLearnersOnTheirContacts_ThroughTheSameTrackAndRead()
    {
        var who = new LearnerIdentity("ada@example.com", null);

        var first = Assert.IsType<TrackPersisted>(await Direct().TrackAsync(SyncFixture.ModuleCompleted("ada@example.com", "course-a", "a1"), who, SyncFixture.Now, "r1", default));
        Assert.Equal(2, _crm.Requests); // a find and a create, with the event applied
        var second = Assert.IsType<TrackPersisted>(await Direct().TrackAsync(SyncFixture.ModuleCompleted("ada@example.com", "course-a", "a2"), who, SyncFixture.Now, "r2", default));
        Assert.Equal(4, _crm.Requests); // a find and an update

        Assert.Equal(("properties", true, false), (first.Backend, first.Created, second.Created));
        Assert.Equal(first.ContactId, second.ContactId);
        Assert.Equal("2", _crm.Contact("ada@example.com")!.Property(ContactPropertyNames.TotalProgress));
        var read = (await Direct().ReadAsync(who, "r3", default))!;
        Assert.Equal((first.ContactId, "2026-11-27"), (read.ContactId, read.UpdatedAt));
        Assert.True(read.Learner.State.StandaloneCourse("course-a")?.IsCompleted == true);
        Assert.Null(await Direct().ReadAsync(new LearnerIdentity("nobody@example.com", null), null, default));
        Assert.Empty(_nudges.Sent);
    }

    [Fact]
    public async Task DirectMode_AnEventThatChangesNothing_WritesNothing()
    {
        var who = new LearnerIdentity("ada@example.com", null);
        var e = SyncFixture.ModuleCompleted("ada@example.com", "course-a", "a1");
        await Direct().TrackAsync(e, who, SyncFixture.Now, null, default);
        var before = _crm.Requests;

        Assert.IsType<TrackPersisted>(await Direct().TrackAsync(e, who, SyncFixture.Now, null, default));

        Assert.Equal(before + 1, _crm.Requests); // the find only
    }

    [Fact]
    public async Task DirectMode_DuringACrmOutage_ATrackIsAnswered503_WithTheCrmsCode_AndKeptForReplay()
    {
        _crm.Outage = true;
        var error = await Assert.ThrowsAsync<ProgressUnavailableException>(() =>
            Direct().TrackAsync(SyncFixture.ModuleCompleted("ada@example.com", "course-a", "a1"), new LearnerIdentity("ada@example.com", null), SyncFixture.Now, "r1", default));

        Assert.Equal((UnavailableCodes.Crm, TimeSpan.FromSeconds(5)), (error.Code, error.RetryAfter));
        var line = Assert.Single(TestSupport.LogLines.Parse(_logText.ToString()), l => (string?)l["event"] == LogEvents.CrmSyncFailed);
        Assert.Equal("a1", (string?)line["replay"]!["payload"]!["module_slug"]);
        Assert.Equal(0, _crm.Count);
    }

    [Fact]
    public async Task DirectMode_AnUnknownContactId_IsPermanent_AndCreatesNobody()
    {
        var error = await Assert.ThrowsAsync<PermanentSyncException>(() =>
            Direct().TrackAsync(SyncFixture.ModuleCompleted("ada@example.com", "course-a", "a1"), new LearnerIdentity(null, "424242"), SyncFixture.Now, null, default));
        Assert.Equal(SyncErrorCodes.ContactNotFound, error.Code);
        Assert.Equal(0, _crm.Count);
    }

    private sealed class RecordingNudges : INudgeSender
    {
        public List<Nudge> Sent { get; } = [];

        public Task SendAsync(IReadOnlyList<Nudge> nudges, string? round, CancellationToken ct)
        {
            Sent.AddRange(nudges);
            return Task.CompletedTask;
        }
    }
}
