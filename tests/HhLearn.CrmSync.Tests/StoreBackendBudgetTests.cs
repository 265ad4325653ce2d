using HhLearn.Progress.Rules;
using HhLearn.Store;
using Microsoft.Extensions.Time.Testing;

namespace HhLearn.CrmSync.Tests;

/// <summary>The API's one-time imports from HubSpot draw on one budget every API instance shares through the table.</summary>
public class StoreBackendBudgetTests
{
    [Fact]
    public async Task ImportsOnFirstReads_StopAtTheSharedBudget_AndTheReadAnswersFromTheStore_UntilTheNextWindow()
    {
        await using var f = await SyncFixture.StartAsync();
        foreach (var name in new[] { "a", "b", "c" })
        {
            f.Emulator.Store.Seed(new Dictionary<string, string>
            {
                ["email"] = $"{name}@example.com",
                [P.ProgressState] = """{"courses":{"course-a":{"enrolled":true,"enrolled_at":"2026-01-01T00:00:00.000Z"}}}""",
            });
        }

        var (_, table, client) = await TestSupport.SharedDynalite.NewTableAsync("budget-sync");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var store = new ProgressStore(client, table, SyncFixture.Catalog, time);

        // A budget of 4 per 10 s: 2 per aligned window, one call per read by email.
        var backend = new StoreBackend(store, SyncFixture.Catalog, f, new ContactWriter(f.Client), f.Log, new StoreBackendOptions { SharedReadBudget = 4 });
        f.Emulator.Stats.Reset();
        Assert.NotNull(await backend.ReadAsync(new LearnerIdentity("a@example.com", null), "r1", default));
        Assert.NotNull(await backend.ReadAsync(new LearnerIdentity("b@example.com", null), "r2", default));
        Assert.Null(await backend.ReadAsync(new LearnerIdentity("c@example.com", null), "r3", default));
        Assert.Equal(2, f.Emulator.Stats.Total);
        Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.LegacyImportFailed && (string?)l["error"] == "READ_BUDGET_SPENT");

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.NotNull(await backend.ReadAsync(new LearnerIdentity("c@example.com", null), "r4", default));
        Assert.Equal(3, f.Emulator.Stats.Total);
    }

    [Fact]
    public async Task AStrangerReadAHundredTimes_CostsHubSpotOneCall_PerLifetimeOfTheMarker()
    {
        await using var f = await SyncFixture.StartAsync();
        var (_, table, client) = await TestSupport.SharedDynalite.NewTableAsync("stranger");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var store = new ProgressStore(client, table, SyncFixture.Catalog, time);
        var backend = new StoreBackend(store, SyncFixture.Catalog, f, new ContactWriter(f.Client), f.Log, new StoreBackendOptions { StrangerLifetime = TimeSpan.FromHours(1) });
        var stranger = new LearnerIdentity("stranger@example.com", null);
        f.Emulator.Stats.Reset();
        for (var i = 0; i < 100; i++)
        {
            Assert.Null(await backend.ReadAsync(stranger, $"r{i}", default));
            time.Advance(TimeSpan.FromMilliseconds(600));
        }

        Assert.Equal(1, f.Emulator.Stats.Total);

        // An hour later HubSpot is asked again (the contact may exist by now).
        time.Advance(TimeSpan.FromHours(1));
        Assert.Null(await backend.ReadAsync(stranger, "later", default));
        Assert.Equal(2, f.Emulator.Stats.Total);

        // Once the learner sends an event, their record answers; the marker is never read again.
        await store.ApplyAsync(stranger, l => ProgressEngine.Apply(l, SyncFixture.ModuleCompleted("stranger@example.com", "course-a", "a1"), SyncFixture.Catalog, time.GetUtcNow()), default);
        Assert.NotNull(await backend.ReadAsync(stranger, "known", default));
        Assert.Equal(2, f.Emulator.Stats.Total);
    }
}
