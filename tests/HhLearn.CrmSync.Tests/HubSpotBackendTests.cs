using HhLearn.CrmSync.Contacts;
using HhLearn.Progress.Views;

namespace HhLearn.CrmSync.Tests;

/// <summary>HubSpot-only direct mode against the emulator: resolve, create, read-apply-write, guards and logs.</summary>
public class HubSpotBackendTests
{
    private static LearnerIdentity Who(string email) => new(email, null);

    [Fact]
    public async Task NewLearner_IsCreatedAsALead_WithTheEventApplied_InTwoCalls()
    {
        await using var f = await SyncFixture.StartAsync();
        var outcome = await f.Sync.TrackAsync(SyncFixture.ModuleCompleted("new@example.com", "course-a", "a1"), Who("new@example.com"), SyncFixture.Now, "req-1", default);

        var persisted = Assert.IsType<TrackPersisted>(outcome);
        Assert.True(persisted.Created);
        var contact = f.Contact("new@example.com");
        Assert.Equal("lead", contact[P.LifecycleStage]);
        Assert.Equal("course-a: 1/2 modules", contact[P.ProgressSummary]);
        Assert.Equal("1", contact[P.TotalProgress]);
        Assert.Equal("course-a", contact[P.EnrolledCourses]);
        Assert.Equal("2026-11-27", contact[P.LastActivity]);
        Assert.True((bool)JsonNode.Parse(contact[P.ProgressState])!["courses"]!["course-a"]!["modules"]!["a1"]!["completed"]!);
        Assert.Equal(2, f.Emulator.Stats.Total - 0);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.ContactCreated);
    }

    [Fact]
    public async Task KnownLearner_IsReadAndUpdated_InTwoCalls()
    {
        await using var f = await SyncFixture.StartAsync();
        await f.Sync.TrackAsync(SyncFixture.ModuleCompleted("known@example.com", "course-a", "a1"), Who("known@example.com"), SyncFixture.Now, null, default);
        f.Emulator.Stats.Reset();

        var outcome = await f.Sync.TrackAsync(SyncFixture.ModuleCompleted("known@example.com", "course-a", "a2"), Who("known@example.com"), SyncFixture.Now, null, default);

        Assert.False(Assert.IsType<TrackPersisted>(outcome).Created);
        Assert.Equal(2, f.Emulator.Stats.Total);
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/read"));
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/update"));
        var contact = f.Contact("known@example.com");
        Assert.Equal("course-a", contact[P.CompletedCourses]);
        Assert.Equal("course-a: 2/2 modules", contact[P.ProgressSummary]);
    }

    [Fact]
    public async Task ContactId_IsUsedBeforeEmail()
    {
        await using var f = await SyncFixture.StartAsync();
        var id = f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "byid@example.com" });
        var e = SyncFixture.Event($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"contactId":"{{{id}}}"}}""");
        var outcome = await f.Sync.TrackAsync(e, new LearnerIdentity(null, id), SyncFixture.Now, null, default);
        Assert.Equal(id, Assert.IsType<TrackPersisted>(outcome).ContactId);
        Assert.Contains("path-x", f.Contact("byid@example.com")[P.ProgressState], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownContactId_IsAPermanentContactNotFound()
    {
        await using var f = await SyncFixture.StartAsync();
        var e = SyncFixture.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x"}""");
        var error = await Assert.ThrowsAsync<PermanentSyncException>(() => f.Sync.TrackAsync(e, new LearnerIdentity(null, "424242"), SyncFixture.Now, null, default));
        Assert.Equal(SyncErrorCodes.ContactNotFound, error.Code);
    }

    [Fact]
    public async Task TwoFirstEventsForANewEmailAtOnce_GiveOneContact_WithBothApplied()
    {
        await using var f = await SyncFixture.StartAsync();
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { Latency = TimeSpan.FromMilliseconds(50) });
        await Task.WhenAll(
            f.Sync.TrackAsync(SyncFixture.ModuleCompleted("twin@example.com", "course-a", "a1"), Who("twin@example.com"), SyncFixture.Now, null, default),
            f.Sync.TrackAsync(SyncFixture.ModuleCompleted("twin@example.com", "course-b", "b1"), Who("twin@example.com"), SyncFixture.Now, null, default));

        var contact = Assert.Single(f.Emulator.Store.AllContacts()).Properties;
        Assert.Equal("course-a;course-b", contact[P.EnrolledCourses]);
        Assert.Equal("2", contact[P.TotalProgress]);

        // Usually the two creates race and one gets the 409; either way there is one contact with both events.
        Assert.InRange(f.Emulator.Stats.Count(409), 0, 1);
    }

    [Fact]
    public async Task CorruptStoredState_IsNeverOverwritten_AndTheEventIsLoggedForReplay_WithoutTheEmail()
    {
        await using var f = await SyncFixture.StartAsync();
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "corrupt@example.com", [P.ProgressState] = "{not json" });
        var error = await Assert.ThrowsAsync<PermanentSyncException>(() =>
            f.Sync.TrackAsync(SyncFixture.ModuleCompleted("corrupt@example.com", "course-a", "a1"), Who("corrupt@example.com"), SyncFixture.Now, "req-9", default));

        Assert.Equal(SyncErrorCodes.ProgressStateCorrupt, error.Code);
        Assert.Equal("{not json", f.Contact("corrupt@example.com")[P.ProgressState]);
        var line = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.ProgressStateCorrupt);
        Assert.Equal("req-9", (string?)line["requestId"]);
        Assert.Equal(EmailHash.Of("corrupt@example.com"), (string?)line["emailHash"]);
        Assert.Equal("a1", (string?)line["replay"]!["payload"]!["module_slug"]);
        Assert.DoesNotContain("corrupt@example.com", f.LogText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateOverTheLimit_IsNotWritten()
    {
        await using var f = await SyncFixture.StartAsync();
        var big = "{" + string.Join(',', Enumerable.Range(0, 700).Select(i => $"\"pathway-{i:D4}-{new string('x', 80)}\":{{\"enrolled\":true}}")) + "}";
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "big@example.com", [P.ProgressState] = big });
        var error = await Assert.ThrowsAsync<PermanentSyncException>(() =>
            f.Sync.TrackAsync(SyncFixture.ModuleCompleted("big@example.com", "course-a", "a1"), Who("big@example.com"), SyncFixture.Now, null, default));
        Assert.Equal(SyncErrorCodes.ProgressStateTooLarge, error.Code);
        Assert.Equal(big, f.Contact("big@example.com")[P.ProgressState]);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.ProgressStateTooLarge);
    }

    [Fact]
    public async Task RejectedExplicitCompletion_WritesNothing_AndIsLogged()
    {
        await using var f = await SyncFixture.StartAsync();
        await f.Sync.TrackAsync(SyncFixture.ModuleCompleted("r@example.com", "course-a", "a1"), Who("r@example.com"), SyncFixture.Now, null, default);
        f.Emulator.Stats.Reset();
        var claim = SyncFixture.Event("""{"eventName":"learning_course_completed","course_slug":"course-a","contactIdentifier":{"email":"r@example.com"}}""");
        var outcome = await f.Sync.TrackAsync(claim, Who("r@example.com"), SyncFixture.Now, null, default);
        var rejected = Assert.IsType<TrackRejected>(outcome);
        Assert.Equal(ErrorCodes.InvalidEventData, rejected.Error.Code);
        Assert.Contains("course_slug: 1/2 modules completed", rejected.Error.Details);
        Assert.Equal(0, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/update"));
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.EventRejected);
    }

    [Fact]
    public async Task RejectedFirstEvent_StillCreatesTheLearnersContact_WithInitialValues()
    {
        await using var f = await SyncFixture.StartAsync();
        var claim = SyncFixture.Event("""{"eventName":"learning_course_completed","course_slug":"course-a","contactIdentifier":{"email":"first@example.com"}}""");
        Assert.IsType<TrackRejected>(await f.Sync.TrackAsync(claim, Who("first@example.com"), SyncFixture.Now, null, default));
        var contact = f.Contact("first@example.com");
        Assert.Equal("{}", contact[P.ProgressState]);
        Assert.Equal("No progress yet", contact[P.ProgressSummary]);
        Assert.Equal("lead", contact[P.LifecycleStage]);
    }

    [Fact]
    public async Task EventsBackend_SendsABehavioralEvent_AndTouchesNoProperties()
    {
        await using var f = await SyncFixture.StartAsync(new SyncOptions { Backend = ProgressBackend.Events, EventNamePrefix = "pe42_" });
        var outcome = await f.Sync.TrackAsync(SyncFixture.ModuleCompleted("ev@example.com", "course-a", "a1"), Who("ev@example.com"), SyncFixture.Now, null, default);
        Assert.Equal("events", Assert.IsType<TrackPersisted>(outcome).Backend);
        var sent = Assert.Single(f.Emulator.Store.Events());
        Assert.Equal("pe42_learning_module_completed", (string?)sent["eventName"]);
        Assert.Equal("a1", (string?)sent["properties"]!["module_slug"]);
        Assert.False(f.Contact("ev@example.com").ContainsKey(P.ProgressState));
    }

    [Fact]
    public async Task Read_ReturnsTheStoredProgress_OrNullForAnUnknownLearner()
    {
        await using var f = await SyncFixture.StartAsync();
        await f.Sync.TrackAsync(SyncFixture.ModuleCompleted("read@example.com", "course-a", "a1"), Who("read@example.com"), SyncFixture.Now, null, default);
        var record = await f.Sync.ReadAsync(Who("read@example.com"), null, default);
        Assert.NotNull(record!.Learner.State.StandaloneCourse("course-a"));
        Assert.Equal("course-a: 1/2 modules", ProgressFigures.Summary(record.Learner.State, SyncFixture.Catalog));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", record.UpdatedAt);
        Assert.Null(await f.Sync.ReadAsync(Who("nobody@example.com"), null, default));
        Assert.Null(await f.Sync.ReadAsync(new LearnerIdentity(null, "99999"), null, default));
    }

    [Fact]
    public async Task HubSpotOutage_IsCrmUnavailable_AndTheEventIsLoggedForReplay()
    {
        await using var f = await SyncFixture.StartAsync();
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(1) });
        await using var client = new HubSpot.HubSpotClient(f.Http, new HubSpot.StaticTokenProvider("t"), new HubSpot.HubSpotClientOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(5) });
        var sync = HubSpotBackend.Create(client, SyncFixture.Catalog, f.Log, TimeProvider.System);
        var error = await Assert.ThrowsAsync<ProgressUnavailableException>(() =>
            sync.TrackAsync(SyncFixture.ModuleCompleted("down@example.com", "course-a", "a1"), Who("down@example.com"), SyncFixture.Now, null, default));
        Assert.Equal(UnavailableCodes.Crm, error.Code);
        Assert.Equal("a1", (string?)Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.CrmSyncFailed)["replay"]!["payload"]!["module_slug"]);
    }

    [Fact]
    public void EmailHash_IsTwelveHexCharacters_OfTheNormalisedEmail()
    {
        Assert.Matches("^[0-9a-f]{12}$", EmailHash.Of("Ada@Example.com"));
        Assert.Equal(EmailHash.Of("ada@example.com"), EmailHash.Of("  ADA@example.com "));
    }

    [Fact]
    public void CanonicalEvent_RoundTripsThroughTheParser()
    {
        var e = SyncFixture.Event("""{"eventName":"learning_course_enrolled","eventId":"e-1","contactIdentifier":{"email":"X@Y.com","contactId":"7"},"pathway_slug":"p","course_slug":"c","enrollment_source":"page","payload":{"ts":"2026-11-27T10:00:00.123Z"}}""");
        var again = SyncFixture.Event(TrackEventJson.Write(e, includeIdentity: true));
        Assert.Equal(e, again);
        Assert.Null(SyncFixture.Event(TrackEventJson.Write(e, includeIdentity: false)).Email);
    }
}
