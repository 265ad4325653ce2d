using Amazon.Runtime;
using HhLearn.Progress.Views;

namespace HhLearn.Store.Tests;

/// <summary>The progress store against dynalite: conditional writes, retries, contact ids, imports, projection marks.</summary>
public class ProgressStoreTests
{
    private static readonly LearningCatalog Catalog = TestCatalogs.Small;
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly LearnerIdentity Ada = new("ada@example.com", null);

    private static async Task<(ProgressStore Store, AmazonDynamoDBClient Client, string Table)> StoreAsync(StoreOptions? options = null)
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("store");
        return (new ProgressStore(client, table, Catalog, TimeProvider.System, options), client, table);
    }

    private static TrackEvent Module(string course, string module, int minutes = 0, string? pathway = "path-x")
    {
        var payload = new System.Text.Json.Nodes.JsonObject { ["course_slug"] = course, ["module_slug"] = module, ["ts"] = Stamp.Format(Now.AddMinutes(minutes)) };
        if (pathway is not null)
        {
            payload["pathway_slug"] = pathway;
        }

        var parsed = TrackEventParser.Parse(new System.Text.Json.Nodes.JsonObject { ["eventName"] = "learning_module_completed", ["payload"] = payload }.ToJsonString());
        Assert.True(parsed.IsOk, parsed.Error is null ? null : string.Join("; ", parsed.Error.Details));
        return parsed.Value;
    }

    private static Func<LearnerProgress, ApplyResult> Apply(TrackEvent e) => learner => ProgressEngine.Apply(learner, e, Catalog, Now);

    private static bool Completed(StoredLearner learner, string course, string module) =>
        learner.Learner.State.Pathway("path-x")?.Course(course)?.Module(module)?.IsCompleted == true;

    [Fact]
    public async Task FirstEvent_CreatesTheLearner_AtVersionOne_MarkedBehindAndNotYetImported()
    {
        var (store, _, _) = await StoreAsync();
        var write = await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default);

        Assert.Equal(StoreOutcome.Written, write.Outcome);
        var read = (await store.ReadAsync(Ada, default))!;
        Assert.Equal((1L, 0L, true, "ada@example.com"), (read.Version, read.ProjectedVersion, read.ImportPending, read.Email));
        Assert.True(read.IsBehind);
        Assert.NotNull(read.DueSince);
        Assert.True(Completed(read, "course-a", "a1"));
        Assert.Equal(ProgressTable.KeyOfEmail("ADA@example.com "), read.Key);
    }

    [Fact]
    public async Task TheSameEventAgain_ChangesNothing_AndWritesNothing()
    {
        var (store, _, _) = await StoreAsync();
        await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default);
        var again = await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default);
        Assert.Equal(StoreOutcome.Unchanged, again.Outcome);
        Assert.Equal(1, (await store.ReadAsync(Ada, default))!.Version);
    }

    [Fact]
    public async Task ACompletionTheStateDoesNotSupport_IsRejected_AndNothingIsWritten()
    {
        var (store, _, _) = await StoreAsync();
        await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default);
        var claim = TrackEventParser.Parse("""{"eventName":"learning_course_completed","pathway_slug":"path-x","course_slug":"course-a"}""").Value!;
        var write = await store.ApplyAsync(Ada, Apply(claim), default);
        Assert.Equal(StoreOutcome.Rejected, write.Outcome);
        Assert.Equal("course_slug: 1/2 modules completed", write.Result!.Rejection!.Details[0]);
        Assert.Equal(1, (await store.ReadAsync(Ada, default))!.Version);
    }

    [Fact]
    public async Task SixteenConcurrentWritersOnOneLearner_LoseNothing()
    {
        var (store, _, _) = await StoreAsync(new StoreOptions { MaxAttempts = 100 });
        var modules = Enumerable.Range(0, 16).SelectMany(client => Enumerable.Range(0, 8).Select(i => $"m-{client}-{i}")).ToList();
        var writes = await Task.WhenAll(Enumerable.Range(0, 16).Select(client => Task.Run(async () =>
        {
            var results = new List<StoreWrite>();
            for (var i = 0; i < 8; i++)
            {
                results.Add(await store.ApplyAsync(Ada, Apply(Module("course-z", $"m-{client}-{i}", pathway: null)), default));
            }

            return results;
        })));

        var stored = (await store.ReadAsync(Ada, default))!;
        var course = stored.Learner.State.StandaloneCourse("course-z")!;
        Assert.All(modules, m => Assert.True(course.Module(m)?.IsCompleted, $"{m} was lost"));
        Assert.Equal(modules.Count, stored.Version);
        Assert.Contains(writes.SelectMany(w => w), w => w.Attempts > 1);
    }

    [Fact]
    public async Task ALearnerHammeredPastTheBound_GetsContended_ButNoWriteThatSucceededIsLost()
    {
        var (store, _, _) = await StoreAsync(new StoreOptions { MaxAttempts = 1 });
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            try
            {
                return (await store.ApplyAsync(Ada, Apply(Module("course-z", $"m{i}", pathway: null)), default)).Outcome.ToString();
            }
            catch (StoreContendedException)
            {
                return "contended";
            }
        })));

        Assert.Contains("contended", outcomes);
        var stored = (await store.ReadAsync(Ada, default))!;
        Assert.Equal(outcomes.Count(o => o == nameof(StoreOutcome.Written)), stored.Learner.State.StandaloneCourse("course-z")!.Modules!.Count);
        Assert.Equal(stored.Version, outcomes.Count(o => o == nameof(StoreOutcome.Written)));
    }

    [Fact]
    public async Task ALearnerKnownOnlyByContactId_HasAnItemOfItsOwn()
    {
        var (store, _, _) = await StoreAsync();
        var byId = new LearnerIdentity(null, "1234");
        await store.ApplyAsync(byId, Apply(Module("course-a", "a1")), default);
        await store.ApplyAsync(byId, Apply(Module("course-a", "a2")), default);
        var stored = (await store.ReadAsync(byId, default))!;
        Assert.Equal((2L, "1234", (string?)null), (stored.Version, stored.ContactId, stored.Email));
        Assert.Null(await store.ReadAsync(new LearnerIdentity(null, "999"), default));
    }

    [Fact]
    public async Task ALearnerKeyedByEmail_IsFoundByItsContactId_OnceTheProjectionRecordedIt()
    {
        var (store, _, _) = await StoreAsync();
        var write = await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default);
        Assert.Equal(ProjectionMark.Cleared, await store.MarkProjectedAsync(write.Learner, "777", default));

        await store.ApplyAsync(new LearnerIdentity(null, "777"), Apply(Module("course-a", "a2")), default);
        var byEmail = (await store.ReadAsync(Ada, default))!;
        Assert.True(Completed(byEmail, "course-a", "a2"));
        Assert.Equal(byEmail.Key, (await store.ReadAsync(new LearnerIdentity(null, "777"), default))!.Key);
    }

    [Fact]
    public async Task MarkProjected_ClearsTheDueMarker_OnlyForTheLatestVersion_AndNeverMovesBackwards()
    {
        var (store, _, _) = await StoreAsync();
        var v1 = (await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default)).Learner;
        var v2 = (await store.ApplyAsync(Ada, Apply(Module("course-a", "a2")), default)).Learner;

        Assert.Equal(ProjectionMark.MovedOn, await store.MarkProjectedAsync(v1, "1", default));
        var afterOld = (await store.ReadAsync(Ada, default))!;
        Assert.Equal((1L, true), (afterOld.ProjectedVersion, afterOld.IsBehind));
        Assert.NotNull(afterOld.DueSince);

        Assert.Equal(ProjectionMark.Cleared, await store.MarkProjectedAsync(v2, "1", default));
        var cleared = (await store.ReadAsync(Ada, default))!;
        Assert.Equal((2L, false, (string?)null), (cleared.ProjectedVersion, cleared.IsBehind, cleared.DueSince));

        Assert.Equal(ProjectionMark.Overtaken, await store.MarkProjectedAsync(v1, "1", default));
        Assert.Equal(2, (await store.ReadAsync(Ada, default))!.ProjectedVersion);
    }

    [Fact]
    public async Task Due_ListsTheLearnersBehindSinceBeforeTheCutoff_AndNotTheProjectedOnes()
    {
        var (store, _, _) = await StoreAsync();
        var behind = (await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default)).Learner;
        var projected = (await store.ApplyAsync(new LearnerIdentity("grace@example.com", null), Apply(Module("course-a", "a1")), default)).Learner;
        await store.MarkProjectedAsync(projected, "2", default);

        Assert.Equal([behind.Key], await store.DueAsync(DateTimeOffset.UtcNow.AddSeconds(1), 10, default));
        Assert.Empty(await store.DueAsync(DateTimeOffset.UtcNow.AddMinutes(-5), 10, default));
    }

    [Fact]
    public async Task Import_IntoAnEmptyStore_CreatesTheLearnerAsHubSpotHoldsIt_NotBehind()
    {
        var (store, _, _) = await StoreAsync();
        var legacy = ProgressEngine.Apply(LearnerProgress.New, Module("course-b", "b1"), Catalog, Now).Learner!;
        var imported = await store.ImportAsync(Ada, legacy, "555", default);
        var read = (await store.ReadAsync(Ada, default))!;
        Assert.Equal((1L, 1L, "555", false), (read.Version, read.ProjectedVersion, read.ContactId, read.ImportPending));
        Assert.True(Completed(read, "course-b", "b1"));
        Assert.Equal(imported.Key, read.Key);
    }

    [Fact]
    public async Task Import_IntoALearnerFirstSeenByATrack_MergesBoth_AndMarksHubSpotBehind_Idempotently()
    {
        var (store, _, _) = await StoreAsync();
        await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default);
        var legacy = ProgressEngine.Apply(LearnerProgress.New, Module("course-a", "a2", minutes: -60 * 24), Catalog, Now).Learner!;

        var merged = await store.ImportAsync(Ada, legacy, "555", default);
        var read = (await store.ReadAsync(Ada, default))!;
        Assert.True(Completed(read, "course-a", "a1") && Completed(read, "course-a", "a2"));
        Assert.True(read.Learner.State.Pathway("path-x")!.Course("course-a")!.IsCompleted);
        Assert.Equal((2L, false, "555", true), (read.Version, read.ImportPending, read.ContactId, read.IsBehind));
        Assert.Equal(read.Version, merged.Version);

        await store.ImportAsync(Ada, legacy, "555", default);
        Assert.Equal(2, (await store.ReadAsync(Ada, default))!.Version);
    }

    [Fact]
    public async Task AnItemOfTheLegacyLayout_IsReadAsItIs_AndTheNextWriteMovesItToTheStoresOwnNames()
    {
        var (store, client, table) = await StoreAsync();
        var key = ProgressTable.KeyOf(Ada);
        var held = ProgressEngine.Apply(LearnerProgress.New, Module("course-a", "a1"), Catalog, Now).Learner!;
        await client.PutItemAsync(table, new Dictionary<string, AttributeValue>
        {
            [ProgressTable.Key] = new() { S = key },
            [ProgressTable.Email] = new() { S = "ada@example.com" },
            [ProgressTable.Version] = new() { N = "2" },
            [ProgressTable.Projected] = new() { N = "2" },
            [ProgressTable.LegacyValues] = new() { M = LearnerFields.Write(held).ToDictionary(kv => StoredProgress.LegacyName(kv.Key), kv => new AttributeValue { S = kv.Value }) },
        });

        var before = (await store.ReadAsync(Ada, default))!;
        Assert.True(Completed(before, "course-a", "a1"));
        Assert.Equal((2L, false), (before.Version, before.IsBehind));

        Assert.Equal(StoreOutcome.Written, (await store.ApplyAsync(Ada, Apply(Module("course-a", "a2")), default)).Outcome);
        var item = (await client.GetItemAsync(table, new Dictionary<string, AttributeValue> { [ProgressTable.Key] = new() { S = key } }, true)).Item;
        Assert.False(item.ContainsKey(ProgressTable.LegacyValues));
        Assert.All(item[ProgressTable.Learner].M.Keys, name => Assert.DoesNotContain("hhl_", name, StringComparison.Ordinal));
        Assert.Contains(StoredProgress.State, item[ProgressTable.Learner].M.Keys);
        var after = (await store.ReadAsync(Ada, default))!;
        Assert.True(Completed(after, "course-a", "a1") && Completed(after, "course-a", "a2"));
        Assert.Equal(3, after.Version);
    }

    [Fact]
    public async Task EveryWrite_KeepsProgressUnderTheStoresOwnNames_NeverHubSpots()
    {
        var (store, client, table) = await StoreAsync();
        await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default);
        await store.ImportAsync(new LearnerIdentity("bob@example.com", null), ProgressEngine.Apply(LearnerProgress.New, Module("course-b", "b1"), Catalog, Now).Learner!, "202", default);

        var items = (await client.ScanAsync(new ScanRequest { TableName = table })).Items.Where(i => i.ContainsKey(ProgressTable.Version)).ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.False(item.ContainsKey(ProgressTable.LegacyValues)));
        Assert.All(items.SelectMany(i => i[ProgressTable.Learner].M.Keys), name => Assert.DoesNotContain("hhl_", name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CorruptStoredState_IsNeverOverwritten()
    {
        var (store, client, table) = await StoreAsync();
        var key = ProgressTable.KeyOf(Ada);
        await client.PutItemAsync(table, new Dictionary<string, AttributeValue>
        {
            [ProgressTable.Key] = new() { S = key },
            [ProgressTable.Version] = new() { N = "3" },
            [ProgressTable.LegacyValues] = new() { M = new Dictionary<string, AttributeValue> { [StoredProgress.LegacyName(LearnerField.State)] = new() { S = "[not an object" } } },
        });

        var write = await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default);
        Assert.Equal(StoreOutcome.Corrupt, write.Outcome);
        var item = await client.GetItemAsync(table, new Dictionary<string, AttributeValue> { [ProgressTable.Key] = new() { S = key } });
        Assert.Equal("[not an object", item.Item[ProgressTable.LegacyValues].M[StoredProgress.LegacyName(LearnerField.State)].S);
        Assert.Equal("3", item.Item[ProgressTable.Version].N);
    }

    [Fact]
    public async Task AStateOverHubSpotsLimit_IsNotWritten()
    {
        var (store, _, _) = await StoreAsync();
        var huge = Enumerable.Range(0, 400).Aggregate(LearnerProgress.New, (l, i) =>
            ProgressEngine.Apply(l, Module("course-" + new string('c', 150), $"module-{i}-" + new string('m', 150), pathway: null), Catalog, Now).Learner!);
        var write = await store.ApplyAsync(Ada, _ => ApplyResult.Applied(huge, [], Now), default);
        Assert.Equal(StoreOutcome.TooLarge, write.Outcome);
        Assert.True(write.StateLength > Limits.MaxPropertyValueLength);
        Assert.Null(await store.ReadAsync(Ada, default));
    }

    [Fact]
    public async Task AnAliasIsFollowed_ToThePersonsOneRecord()
    {
        var (store, client, table) = await StoreAsync();
        await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default);
        var other = new LearnerIdentity("ada.lovelace@example.com", null);
        await client.PutItemAsync(table, new Dictionary<string, AttributeValue>
        {
            [ProgressTable.Key] = new() { S = ProgressTable.KeyOf(other) },
            [ProgressTable.AliasOf] = new() { S = ProgressTable.KeyOf(Ada) },
        });

        await store.ApplyAsync(other, Apply(Module("course-a", "a2")), default);
        var read = (await store.ReadAsync(other, default))!;
        Assert.Equal(ProgressTable.KeyOf(Ada), read.Key);
        Assert.True(Completed(read, "course-a", "a1") && Completed(read, "course-a", "a2"));
    }

    [Fact]
    public async Task GetMany_ReadsMoreThanOneBatchOfKeys_Consistently()
    {
        var (store, _, _) = await StoreAsync();
        var people = Enumerable.Range(0, 130).Select(i => new LearnerIdentity($"p{i}@example.com", null)).ToList();
        await Task.WhenAll(people.Select(p => store.ApplyAsync(p, Apply(Module("course-a", "a1")), default)));
        var found = await store.GetManyAsync(people.Select(ProgressTable.KeyOf).Append(ProgressTable.KeyOfEmail("ghost@example.com")), default);
        Assert.Equal(130, found.Count);
        Assert.All(found.Values, l => Assert.Equal(1, l.Version));
    }

    [Fact]
    public async Task AnUnreachableStore_IsUnavailable_NotACrash()
    {
        using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"),
            new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:9/", AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, Timeout = TimeSpan.FromSeconds(1) });
        var store = new ProgressStore(client, "nowhere", Catalog, TimeProvider.System);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ReadAsync(Ada, default));
    }

    [Fact]
    public async Task AClaimedLearner_CannotBeClaimedByAnotherProjector_UntilReleasedMarkedOrExpired()
    {
        var (store, _, _) = await StoreAsync();
        var ada = (await store.ApplyAsync(Ada, Apply(Module("course-a", "a1")), default)).Learner;
        var grace = (await store.ApplyAsync(new LearnerIdentity("grace@example.com", null), Apply(Module("course-a", "a1")), default)).Learner;

        Assert.Equal([ada.Key, grace.Key], (await store.ClaimAsync([ada.Key, grace.Key], "p1", TimeSpan.FromMinutes(1), default)).Order(StringComparer.Ordinal).ToArray().Order(StringComparer.Ordinal));
        Assert.Empty(await store.ClaimAsync([ada.Key, grace.Key], "p2", TimeSpan.FromMinutes(1), default));
        Assert.Equal(2, (await store.ClaimAsync([ada.Key, grace.Key], "p1", TimeSpan.FromMinutes(1), default)).Count);

        await store.ReleaseAsync([ada.Key], "p1", default);
        Assert.Contains(ada.Key, await store.ClaimAsync([ada.Key], "p2", TimeSpan.FromMinutes(1), default));

        await store.MarkProjectedAsync(grace, "9", default);
        Assert.Contains(grace.Key, await store.ClaimAsync([grace.Key], "p3", TimeSpan.FromMilliseconds(1), default));
        await Task.Delay(20);
        Assert.Contains(grace.Key, await store.ClaimAsync([grace.Key], "p4", TimeSpan.FromMinutes(1), default));
        Assert.Empty(await store.ClaimAsync([ProgressTable.KeyOfEmail("nobody@example.com")], "p1", TimeSpan.FromMinutes(1), default));
    }
}
