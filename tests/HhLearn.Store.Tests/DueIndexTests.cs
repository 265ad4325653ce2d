using Microsoft.Extensions.Time.Testing;

namespace HhLearn.Store.Tests;

/// <summary>The due index spread over shards: no single index partition takes every write, and the oldest still come first.</summary>
public class DueIndexTests
{
    private static Func<LearnerProgress, ApplyResult> Enrol(string course, DateTimeOffset now) => learner =>
        ProgressEngine.Apply(learner, TrackEventParser.Parse($$$"""{"eventName":"learning_course_enrolled","course_slug":"{{{course}}}"}""").Value!, TestCatalogs.Small, now);

    [Fact]
    public async Task LearnersBehind_AreSpreadOverTheShards_AndAreReadBackOldestFirst_AcrossThem()
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("due");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var store = new ProgressStore(client, table, TestCatalogs.Small, time);
        var order = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            var written = await store.ApplyAsync(new LearnerIdentity($"learner{i}@example.com", null), Enrol("course-a", time.GetUtcNow()), default);
            order.Add(written.Learner.Key);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var items = (await client.ScanAsync(new ScanRequest { TableName = table })).Items;
        var shards = items.Where(i => i.ContainsKey(ProgressTable.Due)).GroupBy(i => i[ProgressTable.Due].S).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(shards.Count >= 12, $"{shards.Count} shards used: {string.Join(", ", shards.Keys)}");
        Assert.All(shards.Keys, k => Assert.Matches("^behind-[0-9a-f]$", k));
        Assert.True(shards.Values.Max() <= 30, $"one shard holds {shards.Values.Max()} of 120");

        // Oldest first, whatever the shard: the first 10 behind are the first 10 written.
        Assert.Equal(order.Take(10), await store.DueAsync(time.GetUtcNow(), 10, default));
        Assert.Equal(order, await store.DueAsync(time.GetUtcNow(), 500, default));
    }

    [Fact]
    public async Task ALearnerMarkedBehindBeforeTheSpread_IsStillFound()
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("due-legacy");
        var store = new ProgressStore(client, table, TestCatalogs.Small, TimeProvider.System);
        var key = ProgressTable.KeyOfEmail("old@example.com");
        await client.PutItemAsync(table, new Dictionary<string, AttributeValue>
        {
            [ProgressTable.Key] = new(key), [ProgressTable.Version] = new() { N = "1" }, [ProgressTable.Projected] = new() { N = "0" },
            [ProgressTable.Due] = new(ProgressTable.LegacyDueShard), [ProgressTable.DueSince] = new("2026-01-01T00:00:00.000Z"),
        });
        Assert.Equal([key], await store.DueAsync(DateTimeOffset.UtcNow, 10, default));
    }
}

/// <summary>DynamoDB's own limits: what it refuses for good is never answered as "retry later".</summary>
public class StoreLimitTests
{
    [Fact]
    public async Task ARequestDynamoDbRefuses_IsARejection_NeverUnavailable()
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("limits");
        var store = new ProgressStore(client, table, TestCatalogs.Small, TimeProvider.System);

        // A key over DynamoDB's 2,048 bytes: a ValidationException, whatever the retries.
        await Assert.ThrowsAsync<StoreRejectedException>(() => store.ReadKeyAsync("L#" + new string('f', 3000), default));
    }

    [Fact]
    public void AnItemThatWouldPass400KB_IsSeenBeforeItIsWritten()
    {
        var learner = new StoredLearner { Key = ProgressTable.KeyOfEmail("big@example.com") };
        var small = new Dictionary<string, string> { ["hhl_progress_state"] = new string('x', 65_536) };
        Assert.True(ProgressStore.EstimatedItemBytes(small, learner) < ProgressStore.MaxItemBytes);

        // Four-byte characters: each value of 65,536 characters (32,768 pairs) is 128 KB in UTF-8; four do not fit.
        var wide = Enumerable.Range(0, 4).ToDictionary(i => $"hhl_value_{i}", _ => string.Concat(Enumerable.Repeat("\U0001F600", 32_768)));
        Assert.True(ProgressStore.EstimatedItemBytes(wide, learner) > ProgressStore.MaxItemBytes);
    }
}
