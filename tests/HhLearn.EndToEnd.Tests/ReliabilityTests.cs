using HhLearn.Cli.Local;
using HhLearn.Progress.Contact;
using Xunit.Abstractions;

namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// The reliability suite: through <c>hhlearn local</c> in queue mode nothing is lost under concurrency, faults
/// or poison; direct mode is run on the same load to show what it loses.
/// </summary>
public class ReliabilityTests(ITestOutputHelper output)
{
    private static Dictionary<string, IReadOnlyDictionary<string, string?>> Seed(LocalFixture f, int existing, int fresh, string prefix)
    {
        var initial = new Dictionary<string, IReadOnlyDictionary<string, string?>>();
        for (var i = 0; i < existing; i++)
        {
            var email = $"{prefix}-known-{i}@example.com";
            var stored = LoadGenerator.Oracle(new Dictionary<string, string?>(), LoadGenerator.Events([email], 3, 1000 + i).Select(e => e.Body));
            var values = new Dictionary<string, string>(stored) { ["email"] = email, [ContactPropertyNames.LifecycleStage] = "lead" };
            f.Emulator.Store.Seed(values);
            initial[email] = stored.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        }

        for (var i = 0; i < fresh; i++)
        {
            initial[$"{prefix}-new-{i}@example.com"] = new Dictionary<string, string?>();
        }

        return initial;
    }

    private static void AssertOneContactPerEmail(LocalFixture f)
    {
        var emails = f.Emulator.Store.AllContacts().Select(c => c.Properties.GetValueOrDefault("email")).ToList();
        Assert.Equal(emails.Count, emails.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public async Task LostUpdates_2000EventsOver20LearnersFrom16Clients_QueueModeLosesNothing_DirectModeIsMeasured()
    {
        int directLost;
        {
            await using var f = await LocalFixture.StartAsync(concurrency: 4, direct: false, rateLimit: 100_000, functionTimeout: TimeSpan.FromSeconds(10));
            var initial = Seed(f, existing: 10, fresh: 10, "q");
            var events = LoadGenerator.Events([.. initial.Keys], 2000, seed: 42);
            var statuses = await LoadGenerator.SendAsync(f, events, clients: 16);
            Assert.All(statuses, s => Assert.Equal(202, s));
            Assert.True(await f.Service.DrainAsync(TimeSpan.FromMinutes(3)), "the queue did not drain");

            var mismatches = LoadGenerator.Mismatches(f, initial, events);
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
            AssertOneContactPerEmail(f);
            Assert.Equal(20, f.Emulator.Store.AllContacts().Count);
            Assert.Equal(0, f.Service.Queue!.DeadLetter!.Count);
            output.WriteLine($"queue mode: 2000 events, 0 lost, HubSpot calls {f.Emulator.Stats.Total} ({f.Emulator.Stats.Total / 2000.0:0.000} per event)");
        }

        {
            await using var f = await LocalFixture.StartAsync(concurrency: 4, direct: true, rateLimit: 100_000);
            var initial = Seed(f, existing: 10, fresh: 10, "d");
            var events = LoadGenerator.Events([.. initial.Keys], 2000, seed: 42);
            await LoadGenerator.SendAsync(f, events, clients: 16);
            var mismatches = LoadGenerator.Mismatches(f, initial, events);
            directLost = mismatches.Select(m => m.Split(':')[0]).Distinct().Count();
            AssertOneContactPerEmail(f);
            output.WriteLine($"direct mode: {directLost} of 20 learners end with a state that lost updates ({mismatches.Count} property mismatches)");
        }
    }

    [Fact]
    public async Task Faults_TenPercent5xx_A20SecondOutage_And100Per10Seconds_EveryEventIsAppliedAfterRecovery_NothingInTheDlq()
    {
        await using var f = await LocalFixture.StartAsync(
            concurrency: 2,
            direct: false,
            rateLimit: 100,
            emulator: new HubSpotEmulator.EmulatorOptions { Token = LocalService.EmulatorToken, RequestsPerTenSeconds = 100, SearchLag = TimeSpan.Zero },
            queue: new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(8), MaxReceiveCount = 5 },
            functionTimeout: TimeSpan.FromSeconds(6));
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { ErrorRate = 0.10 });
        var initial = Seed(f, existing: 10, fresh: 10, "f");
        var events = LoadGenerator.Events([.. initial.Keys], 400, seed: 7);

        var sending = LoadGenerator.SendAsync(f, events, clients: 8);
        await Task.Delay(TimeSpan.FromSeconds(2));
        f.Emulator.SetFaults(f.Emulator.Options.Faults with { OutageUntil = DateTimeOffset.UtcNow.AddSeconds(20) });
        Assert.All(await sending, s => Assert.Equal(202, s));
        Assert.True(await f.Service.DrainAsync(TimeSpan.FromMinutes(4)), "the queue did not drain after the outage");

        var mismatches = LoadGenerator.Mismatches(f, initial, events);
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
        Assert.Equal(0, f.Service.Queue!.DeadLetter!.Count);
        AssertOneContactPerEmail(f);
        output.WriteLine($"faults: 400 events applied; 5xx seen {f.Emulator.Stats.Count(500) + f.Emulator.Stats.Count(502) + f.Emulator.Stats.Count(503)}, 429 seen {f.Emulator.Stats.Count(429)}, messages returned {f.Service.Mapping!.FailedMessages}");
    }

    [Fact]
    public async Task Poison_OneLearnerWithCorruptState_ItsEventsEndInTheDlq_EveryOtherLearnerIsUnaffected()
    {
        await using var f = await LocalFixture.StartAsync(
            concurrency: 2,
            direct: false,
            rateLimit: 100_000,
            queue: new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(5), MaxReceiveCount = 3 },
            functionTimeout: TimeSpan.FromSeconds(4));
        var initial = Seed(f, existing: 4, fresh: 4, "p");
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "poison@example.com", [ContactPropertyNames.ProgressState] = "{\"truncated\":" });
        var events = LoadGenerator.Events([.. initial.Keys, "poison@example.com"], 200, seed: 9);
        Assert.All(await LoadGenerator.SendAsync(f, events, clients: 8), s => Assert.Equal(202, s));
        Assert.True(await f.Service.DrainAsync(TimeSpan.FromMinutes(2)), "the queue did not drain");

        var poisoned = events.Count(e => e.Email == "poison@example.com");
        Assert.Equal(poisoned, f.Service.Queue!.DeadLetter!.Count);
        var mismatches = LoadGenerator.Mismatches(f, initial, events);
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
        Assert.Equal("{\"truncated\":", f.Contact("poison@example.com")![ContactPropertyNames.ProgressState]);
        output.WriteLine($"poison: {poisoned} events of the corrupt learner in the DLQ, {events.Count - poisoned} applied");
    }
}
