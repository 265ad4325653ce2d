using HhLearn.Cli.Local;
using HhLearn.CrmSync.Contacts;
using Xunit.Abstractions;

namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// The reliability suite: through <c>hhlearn local</c> in store mode nothing is lost, in the store or in HubSpot after
/// the projection converged, under concurrency, faults or poison; the HubSpot-only direct mode is run on the same load
/// to show what it loses. Half the learners hold progress in HubSpot from the earlier system, which must be merged in.
/// </summary>
public class ReliabilityTests(ITestOutputHelper output)
{
    internal static Dictionary<string, IReadOnlyDictionary<string, string?>> Seed(LocalFixture f, int existing, int fresh, string prefix)
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

    /// <summary>
    /// Two projectors whose failed batches come back within seconds: the function gives up after
    /// <paramref name="functionTimeout"/>, and the queue hands a batch out again two seconds after that.
    /// </summary>
    internal static Task<LocalFixture> StartWithQuickRetriesAsync(int rateLimit, int maxReceiveCount, TimeSpan functionTimeout, HubSpotEmulator.EmulatorOptions? emulator = null) =>
        LocalFixture.StartAsync(concurrency: 2, rateLimit: rateLimit, emulator: emulator, functionTimeout: functionTimeout,
            queue: new QueueSettings { VisibilityTimeout = functionTimeout + TimeSpan.FromSeconds(2), MaxReceiveCount = maxReceiveCount });

    /// <summary>Every event's effect is in the store and in HubSpot, each learner has one contact, and the DLQ is empty.</summary>
    internal static async Task AssertNothingLostAsync(LocalFixture f, Dictionary<string, IReadOnlyDictionary<string, string?>> initial, List<(string Email, string Body)> events)
    {
        var stored = await LoadGenerator.StoreMismatchesAsync(f, initial, events);
        Assert.True(stored.Count == 0, string.Join('\n', stored));
        var projected = LoadGenerator.Mismatches(f, initial, events);
        Assert.True(projected.Count == 0, string.Join('\n', projected));
        AssertOneContactPerEmail(f);
        Assert.Equal(0, f.Service.Queue!.DeadLetter!.Count);
    }

    internal static void AssertOneContactPerEmail(LocalFixture f)
    {
        var emails = f.Emulator.Store.AllContacts().Select(c => c.Properties.GetValueOrDefault("email")).ToList();
        Assert.Equal(emails.Count, emails.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public async Task Faults_TenPercent5xx_A20SecondOutage_And100Per10Seconds_EveryEventIsAppliedAfterRecovery_NothingInTheDlq()
    {
        await using var f = await StartWithQuickRetriesAsync(rateLimit: 100, maxReceiveCount: 5, functionTimeout: TimeSpan.FromSeconds(6),
            new HubSpotEmulator.EmulatorOptions { Token = LocalService.EmulatorToken, RequestsPerTenSeconds = 100, SearchLag = TimeSpan.Zero });
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { ErrorRate = 0.10 });
        var initial = Seed(f, existing: 10, fresh: 10, "f");
        var events = LoadGenerator.Events([.. initial.Keys], 400, seed: 7);

        var sending = LoadGenerator.SendAsync(f, events, clients: 8);
        await Task.Delay(TimeSpan.FromSeconds(2));
        f.Emulator.SetFaults(f.Emulator.Options.Faults with { OutageUntil = DateTimeOffset.UtcNow.AddSeconds(20) });
        Assert.All(await sending, s => Assert.Equal(200, s));
        await f.ConvergeAsync(TimeSpan.FromMinutes(4));

        await AssertNothingLostAsync(f, initial, events);
        output.WriteLine($"faults: 400 events applied; 5xx seen {f.Emulator.Stats.Count(500) + f.Emulator.Stats.Count(502) + f.Emulator.Stats.Count(503)}, 429 seen {f.Emulator.Stats.Count(429)}, messages returned {f.Service.Mapping!.FailedMessages}");
    }
}
