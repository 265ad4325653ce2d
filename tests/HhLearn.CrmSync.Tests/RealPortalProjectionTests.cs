using HhLearn.Progress.Rules;
using HhLearn.Store;
using static HhLearn.CrmSync.Tests.ProjectorTests;

namespace HhLearn.CrmSync.Tests;

/// <summary>
/// The projection against HubSpot as real portals hold it (docs/hubspot.md, "Real portals"): contacts found by a
/// secondary email or a merged-away id, records of one person combined, contacts deleted in HubSpot respected.
/// </summary>
public class RealPortalProjectionTests
{
    private const string AdaState = """{"courses":{"course-a":{"enrolled":true,"enrolled_at":"2026-01-10T09:00:00.000Z","modules":{"a1":{"started":true,"completed":true,"completed_at":"2026-01-11T09:00:00.000Z"}}}}}""";

    private static async Task<StoredLearner> TrackByIdAsync(ProgressStore store, string contactId, string course, string module) =>
        (await store.ApplyAsync(new LearnerIdentity(null, contactId),
            l => ProgressEngine.Apply(l, SyncFixture.ModuleCompleted("unused@example.com", course, module), SyncFixture.Catalog, SyncFixture.Now), default)).Learner;

    private static async Task<string> CreateAsync(SyncFixture f, string email) =>
        (await f.Client.CreateContactAsync(new Dictionary<string, string> { ["email"] = email })).Id;

    [Fact]
    public async Task ALearnerWhoseEmailIsAnotherContactsSecondaryEmail_IsWrittenToThatContact_WithWhatItHeld()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var id = f.Emulator.Store.Seed(new Dictionary<string, string>
        {
            ["email"] = "ada@example.com", ["hs_additional_emails"] = "ada.old@example.com", [P.ProgressState] = AdaState,
        });
        var old = await TrackAsync(store, "ada.old@example.com", "course-a", "a2");

        var messages = Messages(old);
        await Projector(f, store).ProcessAsync(messages, null, default);

        Assert.Equal(MessageOutcome.Done, messages[0].Outcome);
        var contact = Assert.Single(f.Emulator.Store.AllContacts());
        Assert.Equal(id, contact.Id);
        Assert.Equal("course-a", contact.Properties[P.CompletedCourses]);
        Assert.Equal(0, f.Emulator.Stats.Count(409));
        var stored = (await store.ReadAsync(Who("ada.old@example.com"), default))!;
        Assert.Equal((id, false), (stored.ContactId, stored.IsBehind));
    }

    [Fact]
    public async Task EventsForAMergedAwayContactId_LandOnTheMergedRecord_NoContactIsCreated()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var primary = await CreateAsync(f, "ada@example.com");
        var other = await CreateAsync(f, "augusta@example.com");
        var merged = await f.Client.MergeContactsAsync(primary, other);
        var byOldId = await TrackByIdAsync(store, other, "course-b", "b1");

        await Projector(f, store).ProcessAsync(Messages(byOldId), null, default);

        var contact = Assert.Single(f.Emulator.Store.AllContacts());
        Assert.Equal(merged.Id, contact.Id);
        Assert.Equal("course-b", contact.Properties[P.CompletedCourses]);
        Assert.Equal(merged.Id, (await store.ReadKeyAsync(byOldId.Key, default))!.ContactId);
    }

    [Fact]
    public async Task TwoKeysOfOnePersonInOneBatch_AreCombined_AndWrittenOnceWithTheUnion()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var id = await CreateAsync(f, "ada@example.com");
        var byEmail = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        var byId = await TrackByIdAsync(store, id, "course-a", "a2");
        f.Emulator.Stats.Reset();

        var messages = Messages(byEmail, byId);
        await Projector(f, store).ProcessAsync(messages, "r1", default);

        Assert.All(messages, m => Assert.Equal(MessageOutcome.Done, m.Outcome));
        Assert.Equal(1, f.Emulator.Stats.Count("POST /crm/v3/objects/contacts/batch/update"));
        Assert.Equal("course-a", f.Contact("ada@example.com")[P.CompletedCourses]);
        var line = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.LearnersCombined);
        Assert.Equal(2, (int)line["records"]!);

        // One record for the person from now on: events and reads under either key reach it.
        var fromId = (await store.ReadAsync(new LearnerIdentity(null, id), default))!;
        var fromEmail = (await store.ReadAsync(Who("ada@example.com"), default))!;
        Assert.Equal(fromEmail.Key, fromId.Key);
        Assert.True(fromEmail.Learner.State.StandaloneCourse("course-a")!.IsCompleted);
        await TrackByIdAsync(store, id, "course-b", "b1");
        Assert.NotNull((await store.ReadAsync(Who("ada@example.com"), default))!.Learner.State.StandaloneCourse("course-b"));
        Assert.Equal(byId.Key, Assert.Single((await store.ReadAsync(Who("ada@example.com"), default))!.Aliases));
    }

    [Fact]
    public async Task TwoLearnersWhoseContactsMarketingMerged_AreCombined_AndTheMergedContactGetsTheUnion()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        var augusta = await TrackAsync(store, "augusta@example.com", "course-a", "a2");
        await Projector(f, store).ProcessAsync(Messages(ada, augusta), null, default);
        var adaId = (await store.ReadAsync(Who("ada@example.com"), default))!.ContactId!;
        var augustaId = (await store.ReadAsync(Who("augusta@example.com"), default))!.ContactId!;

        // Marketing merges the two contacts: the merged record keeps the primary's values, so Augusta's a2 is gone there.
        var merged = await f.Client.MergeContactsAsync(adaId, augustaId);
        ada = await TrackAsync(store, "ada@example.com", "course-b", "b1");
        await Projector(f, store).ProcessAsync(Messages(ada), "after-merge", default);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.LearnersCombined);

        // The combined record is behind (it holds Augusta's progress too) and was nudged again; the next batch writes the union.
        var (again, round) = Assert.Single(f.Nudges, n => n.Round?.StartsWith("again-", StringComparison.Ordinal) == true);
        Assert.NotNull(round);
        await Projector(f, store).ProcessAsync([new ProjectionMessage("n", again.Key, again)], null, default);

        var contact = Assert.Single(f.Emulator.Store.AllContacts());
        Assert.Equal(merged.Id, contact.Id);
        Assert.Equal("course-a;course-b", contact.Properties[P.CompletedCourses]);
        var fromAugusta = (await store.ReadAsync(Who("augusta@example.com"), default))!;
        Assert.Equal((await store.ReadAsync(Who("ada@example.com"), default))!.Key, fromAugusta.Key);
        Assert.False(fromAugusta.IsBehind);
        Assert.Equal(merged.Id, fromAugusta.ContactId);
    }

    [Fact]
    public async Task OneUnresolvableLearnerInABatchOfTen_FailsAlone_TheOtherNineAreWritten()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var learners = new List<StoredLearner>();
        for (var i = 0; i < 9; i++)
        {
            learners.Add(await TrackAsync(store, $"learner{i}@example.com", "course-b", "b1"));
        }

        learners.Insert(4, await TrackByIdAsync(store, "987654", "course-b", "b1"));
        var messages = Messages([.. learners]);
        await Projector(f, store).ProcessAsync(messages, null, default);

        Assert.Equal(MessageOutcome.Poison, messages[4].Outcome);
        Assert.All(messages.Where((_, i) => i != 4), m => Assert.Equal(MessageOutcome.Done, m.Outcome));
        Assert.Equal(9, f.Emulator.Store.AllContacts().Count);
    }

    [Theory]
    [InlineData("archive")]
    [InlineData("gdpr")]
    public async Task AContactDeletedInHubSpot_IsNotCreatedAgain_TheLearnerIsSuppressed_AndStillStored(string how)
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        await Projector(f, store).ProcessAsync(Messages(ada), null, default);
        var id = f.Emulator.Store.AllContacts().Single().Id;
        if (how == "archive")
        {
            await f.Client.ArchiveContactAsync(id);
        }
        else
        {
            await f.Client.GdprDeleteContactAsync("ada@example.com", byEmail: true);
        }

        ada = await TrackAsync(store, "ada@example.com", "course-a", "a2");
        var messages = Messages(ada);
        await Projector(f, store).ProcessAsync(messages, null, default);

        Assert.Equal(MessageOutcome.Done, messages[0].Outcome);
        Assert.Empty(f.Emulator.Store.AllContacts());
        var line = Assert.Single(f.LogLines, l => (string?)l["event"] == LogEvents.ContactDeletedUpstream);
        Assert.Equal(id, (string?)line["contactId"]);
        Assert.DoesNotContain("ada@example.com", line.ToJsonString(), StringComparison.Ordinal);

        // Later events are stored and read as usual, never nudged or swept towards HubSpot.
        var later = await TrackAsync(store, "ada@example.com", "course-b", "b1");
        Assert.NotNull(later.Suppressed);
        Assert.False(later.Projectable);
        Assert.Empty(await store.DueAsync(DateTimeOffset.UtcNow.AddHours(1), 10, default));
        await Projector(f, store, fill: 100).ProcessAsync(Messages(later), null, default);
        Assert.Empty(f.Emulator.Store.AllContacts());
        Assert.True((await store.ReadAsync(Who("ada@example.com"), default))!.Learner.State.StandaloneCourse("course-a")!.IsCompleted);
    }

    [Fact]
    public async Task AContactDeletedAndMadeAgainByMarketing_IsFoundByEmail_AndWrittenThere()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        await Projector(f, store).ProcessAsync(Messages(ada), null, default);
        await f.Client.ArchiveContactAsync(f.Emulator.Store.AllContacts().Single().Id);
        var again = await CreateAsync(f, "ada@example.com");

        ada = await TrackAsync(store, "ada@example.com", "course-a", "a2");
        await Projector(f, store).ProcessAsync(Messages(ada), null, default);

        Assert.Equal("course-a", f.Contact("ada@example.com")[P.CompletedCourses]);
        Assert.Equal(again, (await store.ReadAsync(Who("ada@example.com"), default))!.ContactId);
        Assert.DoesNotContain(f.LogLines, l => (string?)l["event"] == LogEvents.ContactDeletedUpstream);
    }

    [Fact]
    public async Task LiftingASuppression_ProjectsTheLearnerAgain()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var ada = await TrackAsync(store, "ada@example.com", "course-a", "a1");
        await store.SuppressAsync(ada.Key, SuppressionReasons.DeletedUpstream, default);
        Assert.NotNull(await store.SuppressionOfAsync(ada.Key, default));

        Assert.True(await store.LiftSuppressionAsync(Who("ada@example.com"), default));
        Assert.Null(await store.SuppressionOfAsync(ada.Key, default));
        var lifted = (await store.ReadAsync(Who("ada@example.com"), default))!;
        Assert.True(lifted.Projectable);
        Assert.Contains(lifted.Key, await store.DueAsync(DateTimeOffset.UtcNow.AddHours(1), 10, default));
        await Projector(f, store).ProcessAsync(Messages(lifted), null, default);
        Assert.Equal("course-a: 1/2 modules", f.Contact("ada@example.com")[P.ProgressSummary]);
        Assert.False(await store.LiftSuppressionAsync(Who("ada@example.com"), default));
    }
}
