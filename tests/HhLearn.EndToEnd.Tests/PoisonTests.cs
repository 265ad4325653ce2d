using HhLearn.CrmSync.Contacts;
using Xunit.Abstractions;

namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// Poison through <c>hhlearn local</c>: one learner HubSpot can never take ends in the DLQ alone, and nobody else is
/// held up. Its own class (not in ReliabilityTests) so that it overlaps the other long tests.
/// </summary>
public class PoisonTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Poison_OneLearnerWithCorruptStateInHubSpot_ItsNudgesEndInTheDlq_ItsEventsAreStored_EveryOtherLearnerIsUnaffected()
    {
        await using var f = await ReliabilityTests.StartWithQuickRetriesAsync(rateLimit: 100_000, maxReceiveCount: 3, functionTimeout: TimeSpan.FromSeconds(4));
        var initial = ReliabilityTests.Seed(f, existing: 4, fresh: 4, "p");
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "poison@example.com", [ContactPropertyNames.ProgressState] = "{\"truncated\":" });
        var events = LoadGenerator.Events([.. initial.Keys, "poison@example.com"], 200, seed: 9);
        Assert.All(await LoadGenerator.SendAsync(f, events, clients: 8), s => Assert.Equal(200, s));
        Assert.True(await f.Service.DrainAsync(TimeSpan.FromMinutes(2)), "the queue did not drain");

        // The poisoned learner's nudges (and only its) went to the DLQ; its events are all in the store.
        var poisonKey = Store.ProgressTable.KeyOfEmail("poison@example.com");
        var dead = f.Service.Queue!.DeadLetter!.Peek();
        Assert.NotEmpty(dead);
        Assert.All(dead, m => Assert.Equal(poisonKey, m.GroupId));
        var poisonInitial = new Dictionary<string, IReadOnlyDictionary<string, string?>> { ["poison@example.com"] = new Dictionary<string, string?>() };
        Assert.Empty(await LoadGenerator.StoreMismatchesAsync(f, poisonInitial, events));
        Assert.Equal(CrmSync.SyncErrorCodes.ProgressStateCorrupt, (await f.Service.Store!.ReadAsync(new Progress.Events.LearnerIdentity("poison@example.com", null), default))!.Blocked);

        await f.ConvergeAsync();
        var mismatches = LoadGenerator.Mismatches(f, initial, events);
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
        Assert.Equal("{\"truncated\":", f.Contact("poison@example.com")![ContactPropertyNames.ProgressState]);
        output.WriteLine($"poison: {dead.Count} nudges of the corrupt learner in the DLQ, its {events.Count(e => e.Email == "poison@example.com")} events stored, {events.Count(e => e.Email != "poison@example.com")} others projected");
    }
}
