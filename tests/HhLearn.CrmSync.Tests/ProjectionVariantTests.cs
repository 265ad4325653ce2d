using HhLearn.HubSpotEmulator;
using HhLearn.Store;
using Microsoft.Extensions.Time.Testing;
using static HhLearn.CrmSync.Tests.ProjectorTests;

namespace HhLearn.CrmSync.Tests;

/// <summary>
/// The projection under every variant of what HubSpot leaves undocumented (docs/hubspot.md, "Variants"): merged ids in
/// batches resolved or omitted, secondary emails found or not by reads, batch validation whole-request or per-input.
/// The outcomes must be the same under all of them: every event reaches the person's surviving contact, no duplicate
/// contact, no wrongful suppression, only the poison learner blocked; a misconfigured portal blocks nobody.
/// </summary>
public class ProjectionVariantTests
{
    public static TheoryData<string, string, string> Variants => new()
    {
        { "resolve", "found", "whole-request" },
        { "resolve", "not-found", "whole-request" },
        { "omit", "found", "whole-request" },
        { "omit", "not-found", "whole-request" },
        { "omit", "not-found", "per-input" },
    };

    private static PortalBehaviour Behaviour(string merged, string secondary, string validation) =>
        new PortalBehaviour().With("mergedIdsInBatch", merged).With("secondaryEmailLookup", secondary).With("batchValidation", validation);

    /// <summary>Projects the learner until HubSpot holds its latest version (or it is blocked or suppressed), at most a few rounds.</summary>
    private static async Task<StoredLearner> ProjectAsync(SyncFixture f, ProgressStore store, Projector projector, string email)
    {
        for (var round = 0; round < 4; round++)
        {
            var learner = (await store.ReadAsync(Who(email), default))!;
            if (!learner.Projectable || (!learner.IsBehind && !learner.ImportPending))
            {
                return learner;
            }

            await projector.ProcessAsync(Messages(learner), $"{email}-{round}", default);
        }

        return (await store.ReadAsync(Who(email), default))!;
    }

    private static IReadOnlyDictionary<string, string> ContactHolding(SyncFixture f, string email) =>
        f.Emulator.Store.AllContacts().Single(c => c.Properties.GetValueOrDefault("email") == email ||
            (c.Properties.GetValueOrDefault("hs_additional_emails") ?? string.Empty).Split(';').Contains(email)).Properties;

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task MergesSecondaryEmailsDeletionsAndPoison_EndTheSameUnderEveryVariant(string merged, string secondary, string validation)
    {
        await using var f = await SyncFixture.StartAsync();
        f.Emulator.Configure(o => o with { Behaviour = Behaviour(merged, secondary, validation), SearchLag = TimeSpan.Zero });
        var store = await SyncFixture.StoreAsync();
        var projector = Projector(f, store);

        // Merged by its old id: Ada's contact merged with another (the merged record gets a new id).
        await TrackAsync(store, "ada@example.com", "course-a", "a1");
        var ada = await ProjectAsync(f, store, projector, "ada@example.com");
        var other = f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "ada.work@example.com" });
        Assert.Equal(200, f.Emulator.Store.Merge(ada.ContactId, other).Status);

        // Merged by its old email: Bob's contact merged into another that stays primary (Bob's email becomes secondary).
        await TrackAsync(store, "bob@example.com", "course-a", "a1");
        var bob = await ProjectAsync(f, store, projector, "bob@example.com");
        var bobsOther = f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "robert@example.com" });
        Assert.Equal(200, f.Emulator.Store.Merge(bobsOther, bob.ContactId).Status);

        // A secondary email: marketing has Carol under her work address, with her own address as a secondary one.
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "carol.work@example.com", ["hs_additional_emails"] = "carol@example.com" });

        // Deleted for good (GDPR), and deleted then created again by marketing under the same email.
        await TrackAsync(store, "dave@example.com", "course-a", "a1");
        var dave = await ProjectAsync(f, store, projector, "dave@example.com");
        await TrackAsync(store, "erin@example.com", "course-a", "a1");
        var erin = await ProjectAsync(f, store, projector, "erin@example.com");
        f.Emulator.Store.GdprDelete(dave.ContactId!, null);
        f.Emulator.Store.GdprDelete(erin.ContactId!, null);
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "erin@example.com" });

        // Deleted, but the person lives on as a secondary email of another contact (marketing kept her under a new address).
        await TrackAsync(store, "gina@example.com", "course-a", "a1");
        var gina = await ProjectAsync(f, store, projector, "gina@example.com");
        f.Emulator.Store.GdprDelete(gina.ContactId!, null);
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "gina.new@example.com", ["hs_additional_emails"] = "gina@example.com" });

        // Poison: HubSpot holds a progress document the projection cannot read.
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "frank@example.com", [P.ProgressState] = "not json" });

        foreach (var email in new[] { "ada@example.com", "bob@example.com", "carol@example.com", "dave@example.com", "erin@example.com", "frank@example.com", "gina@example.com" })
        {
            await TrackAsync(store, email, "course-b", "b1");
        }

        var outcomes = new Dictionary<string, StoredLearner>();
        foreach (var email in new[] { "ada@example.com", "bob@example.com", "carol@example.com", "dave@example.com", "erin@example.com", "frank@example.com", "gina@example.com" })
        {
            outcomes[email] = await ProjectAsync(f, store, projector, email);
        }

        // Every event reached the surviving contact of each person, and no contact was made twice.
        foreach (var email in new[] { "ada@example.com", "bob@example.com", "carol@example.com", "erin@example.com", "gina@example.com" })
        {
            var state = ContactHolding(f, email)[P.ProgressState];
            Assert.True(state.Contains("\"b1\"", StringComparison.Ordinal), $"{email}: {state}");
            Assert.Null(outcomes[email].Suppressed);
            Assert.Null(outcomes[email].Blocked);
            Assert.False(outcomes[email].IsBehind, email);
        }

        Assert.Contains("\"a1\"", ContactHolding(f, "ada@example.com")[P.ProgressState], StringComparison.Ordinal);
        Assert.Contains("\"a1\"", ContactHolding(f, "bob@example.com")[P.ProgressState], StringComparison.Ordinal);
        Assert.Equal(6, f.Emulator.Store.AllContacts().Count); // Ada's, Bob's, Carol's, Erin's new one, Frank's, Gina's: no duplicate, Dave's gone

        // The variant's own paths were taken: an omitted merged id is resolved by a single read by id.
        if (merged == "omit")
        {
            Assert.True(f.Emulator.Stats.Count("GET /crm/v3/objects/contacts/{id}") > 0, f.Emulator.Stats.ToJson().ToJsonString());
        }

        // Only the person deleted for good is suppressed, only the poison learner blocked.
        Assert.StartsWith(SuppressionReasons.DeletedUpstream, outcomes["dave@example.com"].Suppressed, StringComparison.Ordinal);
        Assert.NotNull(outcomes["frank@example.com"].Blocked);
        Assert.DoesNotContain(f.Emulator.Store.AllContacts(), c => c.Properties.GetValueOrDefault("email") == "dave@example.com");
    }

    [Theory]
    [InlineData("whole-request")]
    [InlineData("per-input")]
    public async Task APortalThatRequiresAPropertyOnCreate_BlocksNobody_AndTheLearnersAreWrittenOnceItIsFixed(string validation)
    {
        await using var f = await SyncFixture.StartAsync();
        f.Emulator.Configure(o => o with { Behaviour = new PortalBehaviour { RequiredOnCreate = ["firstname"] }.With("batchValidation", validation) });
        var store = await SyncFixture.StoreAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var projector = new Projector(store, new ContactWriter(f.Client), SyncFixture.Catalog, f, f.Log, clock,
            new ProjectorOptions { FillUpTo = 0, FirstPause = TimeSpan.FromSeconds(30) });
        var learners = new[] { await TrackAsync(store, "n1@example.com", "course-a", "a1"), await TrackAsync(store, "n2@example.com", "course-a", "a1") };
        var messages = Messages(learners);
        await projector.ProcessAsync(messages, "r1", default);

        Assert.All(messages, m => Assert.Equal(MessageOutcome.Done, m.Outcome));
        Assert.Empty(f.Emulator.Store.AllContacts());
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.HubSpotMisconfigured && ((string?)l["error"])!.Contains("REQUIRED_PROPERTY", StringComparison.Ordinal));
        Assert.All(learners, l => Assert.Contains(l.Key, store.DueAsync(DateTimeOffset.UtcNow.AddHours(1), 10, default).Result));
        Assert.DoesNotContain(f.LogLines, l => (string?)l["event"] == LogEvents.ProjectionFailed && (bool?)l["retry"] == false);

        // While paused, HubSpot is not called at all.
        var calls = f.Emulator.Stats.Total;
        await projector.ProcessAsync(Messages(learners), "r2", default);
        Assert.Equal(calls, f.Emulator.Stats.Total);

        // The admin drops the requirement (or HUBSPOT_CREATE_DEFAULTS supplies it): the round after the pause writes both.
        f.Emulator.Configure(o => o with { Behaviour = new PortalBehaviour() });
        clock.Advance(TimeSpan.FromSeconds(31));
        await projector.ProcessAsync(Messages(learners), "r3", default);
        Assert.Equal(2, f.Emulator.Store.AllContacts().Count);
    }

    [Fact]
    public async Task ARequiredPropertyWithACreateDefault_IsWritten()
    {
        await using var f = await SyncFixture.StartAsync();
        f.Emulator.Configure(o => o with { Behaviour = new PortalBehaviour { RequiredOnCreate = ["hs_lead_status"] } });
        var store = await SyncFixture.StoreAsync();
        var writer = new ContactWriter(f.Client, new ContactWriterOptions { CreateDefaults = new Dictionary<string, string> { ["lifecyclestage"] = "lead", ["hs_lead_status"] = "NEW" } });
        var projector = new Projector(store, writer, SyncFixture.Catalog, f, f.Log, TimeProvider.System, new ProjectorOptions { FillUpTo = 0 });
        var learner = await TrackAsync(store, "d1@example.com", "course-a", "a1");
        await projector.ProcessAsync(Messages(learner), "r1", default);
        Assert.Equal("NEW", f.Contact("d1@example.com")["hs_lead_status"]);
    }

    [Fact]
    public async Task AMissingScope_PausesTheProjection_BlocksNobody_AndItCatchesUpOnceGranted()
    {
        await using var f = await SyncFixture.StartAsync();
        var store = await SyncFixture.StoreAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var projector = new Projector(store, new ContactWriter(f.Client), SyncFixture.Catalog, f, f.Log, clock,
            new ProjectorOptions { FillUpTo = 0, FirstPause = TimeSpan.FromSeconds(30) });
        var known = await TrackAsync(store, "k@example.com", "course-a", "a1");
        await projector.ProcessAsync(Messages(known), "r0", default);
        known = await TrackAsync(store, "k@example.com", "course-a", "a2");
        var fresh = await TrackAsync(store, "fresh@example.com", "course-a", "a1");

        f.Emulator.Configure(o => o with { Behaviour = new PortalBehaviour { MissingScopes = ["crm.objects.contacts.write"] } });
        var messages = Messages(known, fresh);
        await projector.ProcessAsync(messages, "r1", default);
        Assert.All(messages, m => Assert.Equal(MessageOutcome.Done, m.Outcome));
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.HubSpotMisconfigured && ((string?)l["error"])!.Contains("MISSING_SCOPES", StringComparison.Ordinal));
        Assert.All(await store.GetManyAsync([known.Key, fresh.Key], default), kv => Assert.Null(kv.Value.Blocked));

        f.Emulator.Configure(o => o with { Behaviour = new PortalBehaviour() });
        clock.Advance(TimeSpan.FromSeconds(31));
        await projector.ProcessAsync(Messages((await store.ReadAsync(Who("k@example.com"), default))!, (await store.ReadAsync(Who("fresh@example.com"), default))!), "r2", default);
        Assert.Contains("\"a2\"", f.Contact("k@example.com")[P.ProgressState], StringComparison.Ordinal);
        Assert.NotNull(f.Contact("fresh@example.com"));
    }
}

/// <summary>What a batch of creates with conflicts costs: each 409 names one existing contact, whose learner is set aside.</summary>
public class CreateConflictCostTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData("found")]
    [InlineData("not-found")]
    public async Task TenCreatesWithThreeConflicts_CostAtMostTwoCallsPerConflictPlusOne_AndEveryConflictIsAdopted(string secondary)
    {
        await using var f = await SyncFixture.StartAsync();
        f.Emulator.Configure(o => o with { Behaviour = new PortalBehaviour().With("secondaryEmailLookup", secondary) });
        var existing = new[] { 2, 5, 8 }.ToDictionary(i => i, i => f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = $"held{i}@example.com", ["hs_additional_emails"] = $"new{i}@example.com" }));
        var writer = new ContactWriter(f.Client);
        f.Emulator.Stats.Reset();
        var items = Enumerable.Range(0, 10).Select(i => (new ContactTarget($"r{i}", $"new{i}@example.com", null), (IReadOnlyDictionary<string, string>)new Dictionary<string, string>())).ToList();

        var results = await writer.CreateAsync(items, default);

        output.WriteLine($"10 creates, 3 conflicts ({secondary}): {f.Emulator.Stats.Total} HubSpot calls; {f.Emulator.Stats.ToJson()["byEndpoint"]!.ToJsonString()}");
        Assert.InRange(f.Emulator.Stats.Total, 1, (2 * 3) + 1);
        foreach (var (i, id) in existing)
        {
            Assert.Equal((ContactWriteStatus.Exists, id), (results.Single(r => r.Ref == $"r{i}").Status, results.Single(r => r.Ref == $"r{i}").ContactId));
        }

        Assert.Equal(7, results.Count(r => r.Status == ContactWriteStatus.Written));
        Assert.Equal(10, f.Emulator.Store.AllContacts().Count);
    }
}
