using HhLearn.Cli.Local;
using Xunit.Abstractions;

namespace HhLearn.EndToEnd.Tests;

/// <summary>The load test: 16 clients writing 20 learners as fast as they go, alone on the machine (no other stack beside it).</summary>
[Collection(RunAlone.Name)]
public class LoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LostUpdates_2000EventsOver20LearnersFrom16Clients_StoreModeLosesNothing_DirectModeIsMeasured()
    {
        int directLost;
        {
            await using var f = await LocalFixture.StartAsync(concurrency: 4, rateLimit: 100_000, functionTimeout: TimeSpan.FromSeconds(10));
            var initial = ReliabilityTests.Seed(f, existing: 10, fresh: 10, "s");
            var events = LoadGenerator.Events([.. initial.Keys], 2000, seed: 42);
            var statuses = await LoadGenerator.SendAsync(f, events, clients: 16);
            Assert.All(statuses, s => Assert.Equal(200, s));
            await f.ConvergeAsync(TimeSpan.FromMinutes(3));

            await ReliabilityTests.AssertNothingLostAsync(f, initial, events);
            Assert.Equal(20, f.Emulator.Store.AllContacts().Count);
            output.WriteLine($"store mode: 2000 events, 0 lost in the store or HubSpot, HubSpot calls {f.Emulator.Stats.Total} ({f.Emulator.Stats.Total / 2000.0:0.000} per event)");
        }

        {
            await using var f = await LocalFixture.StartAsync(concurrency: 4, direct: true, rateLimit: 100_000);
            var initial = ReliabilityTests.Seed(f, existing: 10, fresh: 10, "d");
            var events = LoadGenerator.Events([.. initial.Keys], 2000, seed: 42);
            await LoadGenerator.SendAsync(f, events, clients: 16);
            var mismatches = LoadGenerator.Mismatches(f, initial, events);
            directLost = mismatches.Select(m => m.Split(':')[0]).Distinct().Count();
            ReliabilityTests.AssertOneContactPerEmail(f);
            output.WriteLine($"direct mode: {directLost} of 20 learners end with a state that lost updates ({mismatches.Count} property mismatches)");
        }
    }
}
