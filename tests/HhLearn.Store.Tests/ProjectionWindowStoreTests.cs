using Microsoft.Extensions.Time.Testing;

namespace HhLearn.Store.Tests;

/// <summary>The projection window: one owner at a time, the others join it, and it reopens once closed or abandoned.</summary>
public class ProjectionWindowStoreTests
{
    private static async Task<(ProgressStore Store, FakeTimeProvider Time)> StoreAsync()
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("window");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 3, TimeSpan.Zero));
        return (new ProgressStore(client, table, TestCatalogs.Small, time), time);
    }

    [Fact]
    public async Task TheFirstOpens_TheNextJoin_AndTheWindowCountsDistinctLearners()
    {
        var (store, time) = await StoreAsync();
        var now = time.GetUtcNow();
        var first = (await store.OpenOrJoinWindowAsync("p1", ["L#a", "L#b"], now.AddSeconds(5), now.AddSeconds(1), 100, default))!;
        var second = (await store.OpenOrJoinWindowAsync("p2", ["L#b", "L#c"], now.AddSeconds(5), now.AddSeconds(1), 100, default))!;

        Assert.True(first.Owner);
        Assert.False(second.Owner);
        Assert.Equal(now.AddSeconds(5), second.FlushAt);
        Assert.Equal(3, second.Waiting);
        Assert.Equal(new ProjectionWindowState("p1", now.AddSeconds(5), 3), await store.WindowAsync(default));
    }

    [Fact]
    public async Task AtTheSameTime_ExactlyOneOpens()
    {
        var (store, time) = await StoreAsync();
        var now = time.GetUtcNow();
        var turns = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            store.OpenOrJoinWindowAsync($"p{i}", [$"L#{i}"], now.AddSeconds(5), now.AddSeconds(1), 100, default)));

        Assert.Single(turns, t => t!.Owner);
        Assert.Equal(20, (await store.WindowAsync(default))!.Waiting);
    }

    [Fact]
    public async Task AWindowClosingTooSoonForTheIndex_OrClosed_IsNotJoined_ButReplaced()
    {
        var (store, time) = await StoreAsync();
        var now = time.GetUtcNow();
        await store.OpenOrJoinWindowAsync("p1", ["L#a"], now.AddSeconds(5), now.AddSeconds(1), 100, default);

        // 4.5 s later the owner reads the due index in half a second: a learner nudged now might not be in it yet.
        time.Advance(TimeSpan.FromSeconds(4.5));
        var late = (await store.OpenOrJoinWindowAsync("p2", ["L#b"], time.GetUtcNow().AddSeconds(5), time.GetUtcNow().AddSeconds(1), 100, default))!;
        Assert.True(late.Owner);

        // The owner closes it when it writes; the next nudge opens another.
        Assert.True(await store.MoveWindowAsync("p2", time.GetUtcNow(), default));
        Assert.False(await store.MoveWindowAsync("p1", time.GetUtcNow(), default));
        var next = (await store.OpenOrJoinWindowAsync("p3", ["L#c"], time.GetUtcNow().AddSeconds(5), time.GetUtcNow().AddSeconds(1), 100, default))!;
        Assert.True(next.Owner);
        Assert.Equal(1, (await store.WindowAsync(default))!.Waiting);
    }

    [Fact]
    public async Task AFullWindow_IsJoinedWithoutGrowing()
    {
        var (store, time) = await StoreAsync();
        var now = time.GetUtcNow();
        await store.OpenOrJoinWindowAsync("p1", ["L#a", "L#b"], now.AddSeconds(5), now.AddSeconds(1), 3, default);
        await store.OpenOrJoinWindowAsync("p2", ["L#c"], now.AddSeconds(5), now.AddSeconds(1), 3, default);
        var full = (await store.OpenOrJoinWindowAsync("p3", ["L#d", "L#e"], now.AddSeconds(5), now.AddSeconds(1), 3, default))!;

        Assert.False(full.Owner);
        Assert.Equal(3, full.Waiting);
        Assert.Equal("p1", (await store.WindowAsync(default))!.Owner);
    }

    [Fact]
    public async Task AHundredLearnersJoiningInBatches_FillTheWindow_ToTheFullBatch()
    {
        var (store, time) = await StoreAsync();
        var now = time.GetUtcNow();
        await store.OpenOrJoinWindowAsync("p1", ["L#owner"], now.AddSeconds(5), now.AddSeconds(1), 100, default);
        for (var batch = 0; batch < 12; batch++)
        {
            await store.OpenOrJoinWindowAsync($"p{batch}", [.. Enumerable.Range(0, 10).Select(i => $"L#{batch}-{i}")], now.AddSeconds(5), now.AddSeconds(1), 100, default);
        }

        Assert.InRange((await store.WindowAsync(default))!.Waiting, 100, 109);
    }

    [Fact]
    public async Task WhetherAWindowIsWorthOpening_IsAskedOnlyOfOneAboutToOpenIt()
    {
        var (store, time) = await StoreAsync();
        var now = time.GetUtcNow();
        var asked = 0;
        Task<bool> Nothing() { asked++; return Task.FromResult(false); }

        Assert.Null(await store.OpenOrJoinWindowAsync("p1", ["L#a"], now.AddSeconds(5), now.AddSeconds(1), 100, default, Nothing));
        Assert.Null(await store.WindowAsync(default));
        Assert.Equal(1, asked);

        await store.OpenOrJoinWindowAsync("p2", ["L#b"], now.AddSeconds(5), now.AddSeconds(1), 100, default);
        var joined = await store.OpenOrJoinWindowAsync("p3", ["L#c"], now.AddSeconds(5), now.AddSeconds(1), 100, default, Nothing);
        Assert.False(joined!.Owner);
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task CallsAreTallied_AndTheLast10SecondsEstimatedAcrossTwoWindows()
    {
        var (store, time) = await StoreAsync();
        Assert.Equal(0, await store.CountCallsAsync("projection", 0, default));
        Assert.Equal(4, await store.CountCallsAsync("projection", 4, default));
        Assert.Equal(10, await store.CountCallsAsync("projection", 6, default));

        // 12:00:03 -> 12:00:15: the previous window (10 calls) is half behind the last rolling 10 s.
        time.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(10 * 0.5 + 2, await store.CountCallsAsync("projection", 2, default), 3);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, await store.CountCallsAsync("projection", 0, default));
    }
}
