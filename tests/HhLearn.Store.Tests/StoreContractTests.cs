using HhLearn.TestSupport.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace HhLearn.Store.Tests;

/// <summary>
/// The contract of the store's ports (<see cref="IProgressRepository"/>), run against each implementation: DynamoDB
/// (through dynalite) and the in-memory store the application's tests use. A rule the fake broke would let those
/// tests pass where the real store fails, so every rule the application relies on is checked here on both.
/// </summary>
public abstract class StoreContractTests
{
    private static readonly LearnerIdentity Ada = new("ada@example.com", null);
    private static readonly LearnerIdentity Bob = new("bob@example.com", null);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    /// <summary>A new, empty store on <paramref name="time"/>.</summary>
    protected abstract Task<IProgressRepository> NewStoreAsync(TimeProvider time);

    private static Func<LearnerProgress, ApplyResult> Module(string course, string module) =>
        learner => ProgressEngine.Apply(learner, TrackEvents.ModuleCompleted(course, module), TestCatalogs.Small, new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));

    private static Func<LearnerProgress, ApplyResult> CourseCompleted(string course) =>
        learner => ProgressEngine.Apply(learner, TrackEvents.Parse($$$"""{"eventName":"learning_course_completed","payload":{"course_slug":"{{{course}}}"}}"""), TestCatalogs.Small, DateTimeOffset.UnixEpoch);

    private static bool HasModule(StoredLearner learner, string course, string module) => learner.Learner.State.StandaloneCourse(course)?.Module(module)?.IsCompleted == true;

    [Fact]
    public async Task AFirstEvent_CreatesTheLearnerAtVersionOne_BehindAndWaitingForAnImport()
    {
        var store = await NewStoreAsync(_time);
        var write = await store.ApplyAsync(Ada, Module("course-a", "a1"), default);

        Assert.Equal(StoreOutcome.Written, write.Outcome);
        var read = (await store.ReadAsync(Ada, default))!;
        Assert.Equal((1L, 0L, true, "ada@example.com"), (read.Version, read.ProjectedVersion, read.ImportPending, read.Email));
        Assert.True(HasModule(read, "course-a", "a1"));
        Assert.Equal([read.Key], await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
    }

    [Fact]
    public async Task TheSameEventAgain_IsUnchanged_AndARefusedEventWritesNothing()
    {
        var store = await NewStoreAsync(_time);
        await store.ApplyAsync(Ada, Module("course-a", "a1"), default);

        Assert.Equal(StoreOutcome.Unchanged, (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Outcome);
        Assert.Equal(StoreOutcome.Rejected, (await store.ApplyAsync(Ada, CourseCompleted("course-a"), default)).Outcome);
        Assert.Equal(StoreOutcome.Rejected, (await store.ApplyAsync(Bob, CourseCompleted("course-a"), default)).Outcome);
        Assert.Equal(1, (await store.ReadAsync(Ada, default))!.Version);
        Assert.Null(await store.ReadAsync(Bob, default));
    }

    [Fact]
    public async Task MarkingTheLatestVersion_ClearsTheDueIndex_AnOlderOneMovesOn_AndAStaleOneIsOvertaken()
    {
        var store = await NewStoreAsync(_time);
        var first = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        var second = (await store.ApplyAsync(Ada, Module("course-a", "a2"), default)).Learner;

        Assert.Equal(ProjectionMark.MovedOn, await store.MarkProjectedAsync(first, "101", default));
        Assert.Single(await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
        Assert.Equal(ProjectionMark.Cleared, await store.MarkProjectedAsync(second, "101", default));
        Assert.Equal(ProjectionMark.Overtaken, await store.MarkProjectedAsync(first, "101", default));

        var read = (await store.ReadAsync(Ada, default))!;
        Assert.Equal((2L, 2L, "101", false), (read.Version, read.ProjectedVersion, read.ContactId, read.ImportPending));
        Assert.Empty(await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
    }

    [Fact]
    public async Task ALearnerKnownByEmail_IsFoundByTheContactIdTheProjectionRecorded()
    {
        var store = await NewStoreAsync(_time);
        var written = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        await store.MarkProjectedAsync(written, "101", default);

        Assert.Equal(written.Key, (await store.ReadAsync(new LearnerIdentity(null, "101"), default))?.Key);
        Assert.Equal([written.Key], await store.KeysWithContactIdAsync("101", default));
    }

    [Fact]
    public async Task TheDueIndex_AnswersTheOldestFirst_UpToTheLimit()
    {
        var store = await NewStoreAsync(_time);
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        _time.Advance(TimeSpan.FromSeconds(5));
        var bob = (await store.ApplyAsync(Bob, Module("course-a", "a1"), default)).Learner;

        Assert.Equal([ada.Key, bob.Key], await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
        Assert.Equal([ada.Key], await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 1, default));
        Assert.Equal([ada.Key], await store.DueAsync(_time.GetUtcNow().AddSeconds(-1), 10, default));
    }

    [Fact]
    public async Task AClaim_KeepsOtherProjectorsOut_UntilReleasedOrItsLeaseRunsOut()
    {
        var store = await NewStoreAsync(_time);
        var key = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner.Key;

        Assert.Equal([key], await store.ClaimAsync([key, "L#nobody"], "one", TimeSpan.FromSeconds(30), default));
        Assert.Empty(await store.ClaimAsync([key], "two", TimeSpan.FromSeconds(30), default));
        Assert.Equal([key], await store.ClaimAsync([key], "one", TimeSpan.FromSeconds(30), default));

        await store.ReleaseAsync([key], "two", default);
        Assert.Empty(await store.ClaimAsync([key], "two", TimeSpan.FromSeconds(30), default));
        await store.ReleaseAsync([key], "one", default);
        Assert.Equal([key], await store.ClaimAsync([key], "two", TimeSpan.FromSeconds(30), default));

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal([key], await store.ClaimAsync([key], "three", TimeSpan.FromSeconds(30), default));
    }

    [Fact]
    public async Task ABlock_TakesTheLearnerOutOfTheDueIndex_AndMarkingItBehindBringsItBack()
    {
        var store = await NewStoreAsync(_time);
        var key = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner.Key;

        await store.BlockAsync(key, "INVALID_OPTION", default);
        Assert.Empty(await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
        Assert.Equal("INVALID_OPTION", (await store.ReadAsync(Ada, default))!.Blocked);

        Assert.True(await store.MarkBehindAsync(key, _time.GetUtcNow(), default));
        Assert.False(await store.MarkBehindAsync("L#nobody", _time.GetUtcNow(), default));
        Assert.Null((await store.ReadAsync(Ada, default))!.Blocked);
        Assert.Equal([key], await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
    }

    [Fact]
    public async Task AnImport_CreatesWhatHubSpotHeld_MergesIntoWhatTheStoreHas_AndIsIdempotent()
    {
        var store = await NewStoreAsync(_time);
        var held = Module("course-b", "b1")(LearnerProgress.New).Learner!;

        var (created, outcome) = await store.ImportWithOutcomeAsync(Bob, held, "202", default);
        Assert.Equal((ImportOutcome.Created, "202"), (outcome, created.ContactId));
        Assert.Equal(ImportOutcome.Unchanged, (await store.ImportWithOutcomeAsync(Bob, held, "202", default)).Outcome);

        await store.ApplyAsync(Ada, Module("course-a", "a1"), default);
        var (merged, again) = await store.ImportWithOutcomeAsync(Ada, held, "101", default);
        Assert.Equal((ImportOutcome.Merged, 2L, false), (again, merged.Version, merged.ImportPending));
        Assert.True(HasModule(merged, "course-a", "a1") && HasModule(merged, "course-b", "b1"));
        Assert.Equal(2, (await store.ImportAsync(Ada, held, "101", default)).Version);
    }

    [Fact]
    public async Task CombiningTwoRecords_JoinsTheirProgress_AndTheOtherAnswersAsAnAliasOfThePrimary()
    {
        var store = await NewStoreAsync(_time);
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        var other = (await store.ApplyAsync(Bob, Module("course-b", "b1"), default)).Learner;

        var combined = (await store.CombineAsync(ada.Key, [other.Key], "101", default))!;
        Assert.Equal((ada.Key, "101", 2L), (combined.Key, combined.ContactId, combined.Version));
        Assert.Contains(other.Key, combined.Aliases);
        Assert.True(HasModule(combined, "course-a", "a1") && HasModule(combined, "course-b", "b1"));

        Assert.Equal(ada.Key, (await store.ReadAsync(Bob, default))!.Key);
        Assert.Equal(ada.Key, (await store.GetManyAsync([other.Key], default))[other.Key].AliasOf);
        Assert.Equal([ada.Key], await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
        Assert.Equal([ada.Key], await store.RecordsOfContactAsync("101", default));
    }

    [Fact]
    public async Task ASuppressedPerson_IsKeptOutUnderEveryIdentifier_AndStaysOutOfTheDueIndex()
    {
        var store = await NewStoreAsync(_time);
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        await store.MarkProjectedAsync(ada, "101", default);

        await store.SuppressAsync(ada.Key, SuppressionReasons.DeletedUpstream, default);
        Assert.StartsWith(SuppressionReasons.DeletedUpstream, await store.SuppressionForAsync(Ada, null, default));
        Assert.StartsWith(SuppressionReasons.DeletedUpstream, await store.SuppressionForAsync(new LearnerIdentity(null, "101"), null, default));
        Assert.StartsWith(SuppressionReasons.DeletedUpstream, await store.SuppressionOfContactsAsync(["999", "101"], default));
        Assert.Null(await store.SuppressionForAsync(Bob, null, default));

        Assert.Equal(StoreOutcome.Written, (await store.ApplyAsync(Ada, Module("course-a", "a2"), default)).Outcome);
        Assert.Empty(await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
        Assert.False(await store.MarkBehindAsync(ada.Key, _time.GetUtcNow(), default));
    }

    [Fact]
    public async Task AGdprDeleteInHubSpot_ErasesTheRecords_AndThePersonComesBackSuppressed()
    {
        var store = await NewStoreAsync(_time);
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        await store.MarkProjectedAsync(ada, "101", default);

        Assert.Equal([ada.Key], await store.ForgetContactAsync("101", default));
        Assert.Null(await store.ReadAsync(Ada, default));
        Assert.StartsWith(SuppressionReasons.Forgotten, await store.SuppressionForAsync(Ada, null, default));

        var back = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        Assert.StartsWith(SuppressionReasons.Forgotten, back.Suppressed);
        Assert.Empty(await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
        Assert.Equal(ImportOutcome.Suppressed, (await store.ImportWithOutcomeAsync(new LearnerIdentity("other@example.com", null), LearnerProgress.New, "101", default)).Outcome);
    }

    [Fact]
    public async Task ARestoreInHubSpot_LiftsOnlyTheSuppressionADeletionCaused()
    {
        var store = await NewStoreAsync(_time);
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        await store.MarkProjectedAsync(ada, "101", default);
        var bob = (await store.ApplyAsync(Bob, Module("course-a", "a1"), default)).Learner;
        await store.MarkProjectedAsync(bob, "202", default);

        await store.SuppressContactAsync("101", default);
        await store.SuppressAsync(bob.Key, SuppressionReasons.Operator, default);

        Assert.True(await store.LiftDeletedContactAsync("101", default));
        Assert.False(await store.LiftDeletedContactAsync("202", default));
        Assert.Null((await store.ReadAsync(Ada, default))!.Suppressed);
        Assert.NotNull((await store.ReadAsync(Bob, default))!.Suppressed);
        Assert.Equal([ada.Key], await store.DueAsync(_time.GetUtcNow().AddSeconds(1), 10, default));
    }

    [Fact]
    public async Task AnEmailChangedInHubSpot_MakesTheRecordAnswerToTheNewEmailToo()
    {
        var store = await NewStoreAsync(_time);
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        await store.MarkProjectedAsync(ada, "101", default);

        Assert.True(await store.AddEmailAsync("101", "Ada.New@Example.com", default));
        Assert.False(await store.AddEmailAsync("101", "ada.new@example.com", default));
        Assert.False(await store.AddEmailAsync("999", "nobody@example.com", default));
        Assert.Equal(ada.Key, (await store.ReadAsync(new LearnerIdentity("ada.new@example.com", null), default))!.Key);
    }

    [Fact]
    public async Task DeletionsAndRestores_AreRecordedInTheOrderTheyHappened_NotTheOrderTheyArrived()
    {
        var store = await NewStoreAsync(_time);
        Assert.True(await store.TryRecordDeletionOrRestoreAsync("101", 2_000, default));
        Assert.False(await store.TryRecordDeletionOrRestoreAsync("101", 1_000, default));
        Assert.True(await store.TryRecordDeletionOrRestoreAsync("101", 3_000, default));
        Assert.True(await store.TryRecordDeletionOrRestoreAsync("202", 1_000, default));
    }

    [Fact]
    public async Task TheWindow_IsOpenedByOne_JoinedByOthersUntilFull_AndMovedOnlyByItsOwner()
    {
        var store = await NewStoreAsync(_time);
        var now = _time.GetUtcNow();
        Assert.Null(await store.WindowAsync(default));

        var opened = (await store.OpenOrJoinWindowAsync("one", ["a"], now.AddSeconds(5), now.AddSeconds(1), 3, default))!;
        Assert.Equal((true, now.AddSeconds(5)), (opened.Owner, opened.FlushAt));
        var joined = (await store.OpenOrJoinWindowAsync("two", ["b", "c"], now.AddSeconds(6), now.AddSeconds(1), 3, default, () => throw new InvalidOperationException("a joiner is never asked")))!;
        Assert.Equal((false, 3), (joined.Owner, joined.Waiting));
        var full = (await store.OpenOrJoinWindowAsync("three", ["d"], now.AddSeconds(6), now.AddSeconds(1), 3, default))!;
        Assert.False(full.Owner);

        Assert.False(await store.MoveWindowAsync("two", now, default));
        Assert.True(await store.MoveWindowAsync("one", now, default));
        Assert.Null(await store.OpenOrJoinWindowAsync("four", ["e"], now.AddSeconds(5), now.AddSeconds(1), 3, default, () => Task.FromResult(false)));
        var next = (await store.OpenOrJoinWindowAsync("four", ["e"], now.AddSeconds(5), now.AddSeconds(1), 3, default, () => Task.FromResult(true)))!;
        Assert.True(next.Owner);
        Assert.Equal(("four", 1), ((await store.WindowAsync(default))!.Owner, (await store.WindowAsync(default))!.Waiting));
    }

    [Fact]
    public async Task TheCallsTally_AndTheSharedBudget_CountEveryCallerTogether()
    {
        var store = await NewStoreAsync(_time);
        _time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal(4, await store.CountCallsAsync("projection", 4, default));
        Assert.Equal(7, await store.CountCallsAsync("projection", 3, default));
        Assert.Equal(7, await store.CountCallsAsync("projection", 0, default));

        Assert.True(await store.TryTakeSharedBudgetAsync("reads", 10, 3, default));
        Assert.True(await store.TryTakeSharedBudgetAsync("reads", 10, 2, default));
        Assert.False(await store.TryTakeSharedBudgetAsync("reads", 10, 1, default));
        Assert.False(await store.TryTakeSharedBudgetAsync("reads", 10, 6, default));
    }

    [Fact]
    public async Task AStranger_IsRememberedForItsLifetime()
    {
        var store = await NewStoreAsync(_time);
        Assert.False(await store.IsRecentStrangerAsync(Ada, default));
        await store.MarkStrangerAsync(Ada, TimeSpan.FromMinutes(10), default);
        Assert.True(await store.IsRecentStrangerAsync(Ada, default));
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.False(await store.IsRecentStrangerAsync(Ada, default));
    }
}

/// <summary>The contract against DynamoDB (dynalite).</summary>
public sealed class DynamoStoreContractTests : StoreContractTests
{
    protected override async Task<IProgressRepository> NewStoreAsync(TimeProvider time)
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("contract");
        return new ProgressStore(client, table, TestCatalogs.Small, time);
    }
}

/// <summary>The contract against the in-memory store.</summary>
public sealed class InMemoryStoreContractTests : StoreContractTests
{
    protected override Task<IProgressRepository> NewStoreAsync(TimeProvider time) => Task.FromResult<IProgressRepository>(new InMemoryProgressStore(TestCatalogs.Small, time));
}
