namespace HhLearn.Store.Tests;

/// <summary>One record per person, suppression, erasure and export, against dynalite.</summary>
public class PersonalDataStoreTests
{
    private static readonly LearningCatalog Catalog = TestCatalogs.Small;
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly LearnerIdentity Ada = new("ada@example.com", null);
    private static readonly LearnerIdentity AdaOld = new("ada.old@example.com", null);

    private static async Task<(ProgressStore Store, AmazonDynamoDBClient Client, string Table)> StoreAsync()
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("privacy");
        return (new ProgressStore(client, table, Catalog, TimeProvider.System, new StoreOptions { HashKey = TestHashKey.Key }), client, table);
    }

    private static Func<LearnerProgress, ApplyResult> Module(string course, string module) => learner =>
    {
        var parsed = TrackEventParser.Parse($$$"""{"eventName":"learning_module_completed","payload":{"course_slug":"{{{course}}}","module_slug":"{{{module}}}","ts":"{{{Stamp.Format(Now)}}}"}}""");
        return ProgressEngine.Apply(learner, parsed.Value!, Catalog, Now);
    };

    private static bool Has(StoredLearner? learner, string course, string module) =>
        learner?.Learner.State.StandaloneCourse(course)?.Module(module)?.IsCompleted == true;

    [Fact]
    public async Task Combining_JoinsTheProgress_AndLeavesAnAliasThatLaterEventsAndReadsFollow()
    {
        var (store, _, _) = await StoreAsync();
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        var old = (await store.ApplyAsync(AdaOld, Module("course-a", "a2"), default)).Learner;

        var combined = (await store.CombineAsync(ada.Key, [old.Key], "1001", default))!;
        Assert.True(Has(combined, "course-a", "a1") && Has(combined, "course-a", "a2"));
        Assert.Equal(("1001", ada.Version + 1), (combined.ContactId, combined.Version));
        Assert.True(combined.IsBehind);
        Assert.Equal([old.Key], combined.Aliases);

        await store.ApplyAsync(AdaOld, Module("course-b", "b1"), default);
        var read = (await store.ReadAsync(Ada, default))!;
        Assert.True(Has(read, "course-b", "b1"));
        Assert.Equal(read.Key, (await store.ReadAsync(AdaOld, default))!.Key);
        Assert.Equal(read.Key, (await store.ReadAsync(new LearnerIdentity(null, "1001"), default))!.Key);

        // Combining again changes nothing.
        Assert.Equal(read.Version, (await store.CombineAsync(ada.Key, [old.Key], "1001", default))!.Version);
    }

    [Fact]
    public async Task AnEventOnTheOtherRecordWhileItIsCombined_IsNeverLost()
    {
        for (var round = 0; round < 5; round++)
        {
            var (store, _, _) = await StoreAsync();
            var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
            var old = (await store.ApplyAsync(AdaOld, Module("course-a", "a2"), default)).Learner;
            var combining = store.CombineAsync(ada.Key, [old.Key], "1001", default);
            var tracking = Task.WhenAll(Enumerable.Range(0, 4).Select(i => store.ApplyAsync(AdaOld, Module("course-b", $"x{round}{i}"), default)));
            await Task.WhenAll(combining, tracking);

            var read = (await store.ReadAsync(Ada, default))!;
            Assert.True(Has(read, "course-a", "a1") && Has(read, "course-a", "a2"));
            Assert.All(Enumerable.Range(0, 4), i => Assert.NotNull(read.Learner.State.StandaloneCourse("course-b")?.Module($"x{round}{i}")));
        }
    }

    [Fact]
    public async Task Forgetting_ErasesEveryRecordOfThePerson_AndLeavesOnlySuppressionRecordsWithoutAnEmail()
    {
        var (store, client, table) = await StoreAsync();
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        var old = (await store.ApplyAsync(AdaOld, Module("course-a", "a2"), default)).Learner;
        await store.CombineAsync(ada.Key, [old.Key], "1001", default);

        var forgotten = await store.ForgetAsync(AdaOld, default);
        Assert.Equal(new[] { ada.Key, old.Key }.Order(), forgotten.ErasedKeys.Order());
        Assert.Equal("1001", forgotten.ContactId);
        Assert.Equal(new[] { "ada.old@example.com", "ada@example.com" }.Order(), forgotten.Emails.Order());
        Assert.Null(await store.ReadAsync(Ada, default));
        Assert.Empty(await store.KeysWithContactIdAsync("1001", default));

        var left = (await client.ScanAsync(new ScanRequest { TableName = table })).Items.Where(i => i[ProgressTable.Key].S != ProgressTable.HashKeyRecord).ToList();
        Assert.Equal(3, left.Count); // both emails and the contact id
        Assert.All(left, item => Assert.StartsWith("S#", item[ProgressTable.Key].S, StringComparison.Ordinal));
        Assert.DoesNotContain("example.com", string.Join(' ', left.SelectMany(i => i.Values).Select(v => v.S)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForgottenLearnerWhoComesBack_IsStored_ButKeptOutOfHubSpot()
    {
        var (store, _, _) = await StoreAsync();
        await store.ApplyAsync(Ada, Module("course-a", "a1"), default);
        await store.ForgetAsync(Ada, default);

        var back = (await store.ApplyAsync(Ada, Module("course-b", "b1"), default)).Learner;
        Assert.True(Has(back, "course-b", "b1"));
        Assert.False(Has(back, "course-a", "a1"));
        Assert.StartsWith(SuppressionReasons.Forgotten, back.Suppressed, StringComparison.Ordinal);
        Assert.StartsWith(SuppressionReasons.Forgotten, (await store.ReadAsync(Ada, default))!.Suppressed, StringComparison.Ordinal);
        Assert.False(back.Projectable);
        Assert.Empty(await store.DueAsync(DateTimeOffset.UtcNow.AddHours(1), 10, default));

        Assert.True(await store.LiftSuppressionAsync(Ada, default));
        Assert.Single(await store.DueAsync(DateTimeOffset.UtcNow.AddHours(1), 10, default));
    }

    [Fact]
    public async Task Export_ReturnsEverythingStoredAboutThePerson()
    {
        var (store, _, _) = await StoreAsync();
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        var old = (await store.ApplyAsync(AdaOld, Module("course-a", "a2"), default)).Learner;
        await store.CombineAsync(ada.Key, [old.Key], "1001", default);
        await store.SuppressAsync(ada.Key, SuppressionReasons.DeletedUpstream, default);

        var items = await store.ExportAsync(AdaOld, default);
        var keys = items.Select(i => i[ProgressTable.Key].S).ToList();
        Assert.Contains(ada.Key, keys);
        Assert.Contains(old.Key, keys);
        Assert.Contains(ProgressTable.SuppressionKeyOf(ada.Key, TestHashKey.Key), keys);
        Assert.Contains(ProgressTable.SuppressionKeyOf(ProgressTable.KeyOfContactId("1001"), TestHashKey.Key), keys);
        Assert.Equal("ada@example.com", items.Single(i => i[ProgressTable.Key].S == ada.Key)[ProgressTable.Email].S);
        Assert.Empty(await store.ExportAsync(new LearnerIdentity("nobody@example.com", null), default));
    }

    [Fact]
    public async Task AForgottenPersonNamedByTheirContactId_IsKeptOutOfHubSpot()
    {
        var (store, _, _) = await StoreAsync();
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        await store.ImportAsync(Ada, LearnerProgress.New, "1001", default, ada.Key);
        await store.ForgetAsync(Ada, default);

        var byId = (await store.ApplyAsync(new LearnerIdentity(null, "1001"), Module("course-b", "b1"), default)).Learner;
        Assert.StartsWith(SuppressionReasons.Forgotten, byId.Suppressed, StringComparison.Ordinal);
        Assert.False(byId.Projectable);

        // A token naming both (a new email and the old contact id): the contact id alone suppresses.
        var both = (await store.ApplyAsync(new LearnerIdentity("ada.new@example.com", "1001"), Module("course-b", "b1"), default)).Learner;
        Assert.False(both.Projectable);
    }

    [Fact]
    public async Task AForgottenPerson_IsNeverImportedAgain_ByEmailOrByTheirContactsId()
    {
        var (store, _, _) = await StoreAsync();
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        await store.ImportAsync(Ada, LearnerProgress.New, "1001", default, ada.Key);
        await store.ForgetAsync(Ada, default);
        var legacy = (await store.ApplyAsync(new LearnerIdentity("someone@example.com", null), Module("course-a", "a2"), default)).Learner.Learner;

        var (_, byEmail) = await store.ImportWithOutcomeAsync(Ada, legacy, "1001", default);
        Assert.Equal(ImportOutcome.Suppressed, byEmail);
        Assert.Null(await store.ReadAsync(Ada, default));

        // The same contact reached under another email (a secondary address): its id is suppressed.
        var (_, byContact) = await store.ImportWithOutcomeAsync(new LearnerIdentity("ada.work@example.com", null), legacy, "1001", default);
        Assert.Equal(ImportOutcome.Suppressed, byContact);
        Assert.Null(await store.ReadAsync(new LearnerIdentity("ada.work@example.com", null), default));
    }

    [Fact]
    public async Task SuppressingByHand_CoversTheContactId_AndLiftingUndoesIt()
    {
        var (store, _, _) = await StoreAsync();
        var ada = (await store.ApplyAsync(Ada, Module("course-a", "a1"), default)).Learner;
        await store.ImportAsync(Ada, LearnerProgress.New, "1001", default, ada.Key);
        await store.SuppressAsync(ada.Key, SuppressionReasons.Operator, default);
        Assert.StartsWith(SuppressionReasons.Operator, await store.SuppressionForAsync(new LearnerIdentity(null, "1001"), null, default), StringComparison.Ordinal);

        Assert.True(await store.LiftSuppressionAsync(Ada, default));
        Assert.Null(await store.SuppressionForAsync(Ada, "1001", default));
    }

    [Fact]
    public async Task SuppressionRecords_AreKeyedHashes_AndRecordsWrittenBeforeKeys_AreStillHonouredAndLifted()
    {
        var (store, client, table) = await StoreAsync();
        await store.SuppressAsync(ProgressTable.KeyOf(Ada), SuppressionReasons.Operator, default);
        var keyed = ProgressTable.SuppressionKeyOf(ProgressTable.KeyOf(Ada), TestHashKey.Key);
        Assert.NotEqual(ProgressTable.LegacySuppressionKeyOf(ProgressTable.KeyOf(Ada)), keyed);
        Assert.NotNull((await client.GetItemAsync(table, new Dictionary<string, AttributeValue> { [ProgressTable.Key] = new(keyed) })).Item?.GetValueOrDefault(ProgressTable.Suppressed));

        // A record of the unkeyed form (written by an earlier version) still keeps the person out.
        await client.PutItemAsync(table, new Dictionary<string, AttributeValue>
        {
            [ProgressTable.Key] = new(ProgressTable.LegacySuppressionKeyOf(ProgressTable.KeyOf(AdaOld))),
            [ProgressTable.Suppressed] = new("2026-01-01T00:00:00.000Z"),
            [ProgressTable.SuppressedReason] = new(SuppressionReasons.Forgotten),
        });
        var back = (await store.ApplyAsync(AdaOld, Module("course-a", "a1"), default)).Learner;
        Assert.StartsWith(SuppressionReasons.Forgotten, back.Suppressed, StringComparison.Ordinal);
        Assert.True(await store.LiftSuppressionAsync(AdaOld, default));
        Assert.Null(await store.SuppressionForAsync(AdaOld, null, default));
    }

    [Fact]
    public async Task AToolWithAnotherHashKey_IsRefused_BeforeItWritesAnything()
    {
        var (store, client, table) = await StoreAsync();
        await store.SuppressAsync(ProgressTable.KeyOf(Ada), SuppressionReasons.Operator, default);

        var other = new ProgressStore(client, table, Catalog, TimeProvider.System, new StoreOptions { HashKey = HashKey.TryParse(HashKey.Generate()) });
        await Assert.ThrowsAsync<HashKeyMismatchException>(() => other.CheckHashKeyAsync(default));
        await Assert.ThrowsAsync<HashKeyMismatchException>(() => other.SuppressAsync(ProgressTable.KeyOf(AdaOld), SuppressionReasons.Operator, default));
        Assert.Null(await store.SuppressionForAsync(AdaOld, null, default));
    }
}
