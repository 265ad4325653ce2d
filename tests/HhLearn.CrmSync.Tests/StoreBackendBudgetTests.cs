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
        var backend = new StoreBackend(store, SyncFixture.Catalog, f, new ContactWriter(f.Client), f.Log, sharedReadBudget: 4);
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
}
