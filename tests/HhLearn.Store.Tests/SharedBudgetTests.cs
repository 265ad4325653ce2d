using Microsoft.Extensions.Time.Testing;

namespace HhLearn.Store.Tests;

/// <summary>A HubSpot budget every instance shares through the table: no rolling 10 s ever spends more than it.</summary>
public class SharedBudgetTests
{
    private static async Task<(ProgressStore Store, FakeTimeProvider Time)> StoreAsync()
    {
        var (_, table, client) = await SharedDynalite.NewTableAsync("budget");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        return (new ProgressStore(client, table, TestCatalogs.Small, time), time);
    }

    [Fact]
    public async Task ManyInstancesAtOnce_TakeHalfTheBudgetPerWindow_AndNotOneCallMore()
    {
        var (store, _) = await StoreAsync();
        var taken = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => store.TryTakeSharedBudgetAsync("reads", 20, 1, default)));
        Assert.Equal(10, taken.Count(t => t));
    }

    [Fact]
    public async Task ANewWindow_HasItsOwnShare_SoAnyRolling10SecondsSpendsAtMostTheBudget()
    {
        var (store, time) = await StoreAsync();
        var spent = new List<(TimeSpan At, int Calls)>();
        var start = time.GetUtcNow();
        for (var step = 0; step < 60; step++)
        {
            // Two callers every half second for 30 s, each asking for 2 calls.
            for (var caller = 0; caller < 2; caller++)
            {
                if (await store.TryTakeSharedBudgetAsync("reads", 20, 2, default))
                {
                    spent.Add((time.GetUtcNow() - start, 2));
                }
            }

            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        Assert.True(spent.Count > 0);
        foreach (var (at, _) in spent)
        {
            Assert.True(spent.Where(s => s.At >= at && s.At < at + TimeSpan.FromSeconds(10)).Sum(s => s.Calls) <= 20);
        }

        // Each window of the 30 s got its share, so the budget was used, not starved.
        Assert.True(spent.Sum(s => s.Calls) >= 30);
    }

    [Fact]
    public async Task ACallCostingMoreThanAWindowsShare_IsRefused_AndCostsNothing()
    {
        var (store, _) = await StoreAsync();
        Assert.False(await store.TryTakeSharedBudgetAsync("reads", 4, 3, default));
        Assert.True(await store.TryTakeSharedBudgetAsync("reads", 4, 2, default));
    }
}
