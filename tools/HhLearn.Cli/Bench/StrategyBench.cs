namespace HhLearn.Cli.Bench;

/// <summary>
/// Store mode, the HubSpot-only direct mode and the naive baseline on the same emulator settings and the same event
/// stream: HubSpot calls per event (imports and creates included), API latency, how long HubSpot took to hold
/// everything, 429s, events lost (in the store and in HubSpot) and duplicate contacts, from 16 concurrent clients,
/// without and with faults.
/// </summary>
public static class StrategyBench
{
    private static readonly string[] Strategies = ["store", "direct", "naive"];

    private sealed record Scenario(string Name, bool Faults, TimeSpan Outage);

    private sealed record Outcome(string Strategy, string Scenario, int Events, long Calls, TimeSpan Elapsed, TimeSpan Answered, List<double> LatenciesMs, long Status429, int Lost, int LostInStore, int Duplicates);

    public static async Task<BenchTable> RunAsync(bool quick, IAnsiConsole console, CancellationToken ct)
    {
        // The full run is the shape: 1,000 events over 100 learners.
        var events = quick ? 40 : 1000;
        var learners = quick ? 8 : 100;
        Scenario[] scenarios =
        [
            new("16 clients", false, TimeSpan.Zero),
            new("16 clients, 10% 5xx + outage", true, quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20)),
        ];
        var outcomes = new List<Outcome>();
        await console.Progress().StartAsync(async progress =>
        {
            foreach (var scenario in scenarios)
            {
                // HHLEARN_BENCH_STRATEGIES=store runs one strategy (while working on it); the report needs all three.
                foreach (var strategy in Environment.GetEnvironmentVariable("HHLEARN_BENCH_STRATEGIES") is { Length: > 0 } only ? only.Split(',') : Strategies)
                {
                    var task = progress.AddTask($"{strategy}, {scenario.Name}", maxValue: events);
                    outcomes.Add(await RunAsync(strategy, scenario, events, learners, done => task.Value = done, ct));
                    task.Value = events;
                }
            }
        });

        var rows = outcomes.Select(o => (IReadOnlyList<string>)
        [
            o.Strategy,
            o.Scenario,
            BenchReport.Num(o.Calls / (double)o.Events, "0.00"),
            BenchReport.Num(Percentile(o.LatenciesMs, 50), "0") + " ms",
            BenchReport.Num(Percentile(o.LatenciesMs, 95), "0") + " ms",
            BenchReport.Num(o.Answered.TotalSeconds, "0.0") + " s",
            // A run that lost most of its events has no "HubSpot holds it all" moment to speak of.
            o.Lost * 2 > o.Events ? "n/a" : BenchReport.Num(o.Elapsed.TotalSeconds, "0.0") + " s",
            o.Status429.ToString(CultureInfo.InvariantCulture),
            o.Strategy == "store" ? o.LostInStore.ToString(CultureInfo.InvariantCulture) : "n/a",
            o.Lost.ToString(CultureInfo.InvariantCulture),
            o.Duplicates.ToString(CultureInfo.InvariantCulture),
        ]).ToList();
        var paragraph = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{events} events over {learners} learners (half of them holding progress in HubSpot from the earlier system) from 16 concurrent clients, the same stream for every strategy, against the HubSpot emulator at 100 requests per 10 s, search at 5 per second and a 2 s search index lag. ")
            .Append("Store mode is the service's default (the progress store answers; the projection writes HubSpot in batches through SQS FIFO, 2 projectors); direct mode writes HubSpot in the request (no store); the naive baseline searches, reads or creates, and updates per event with no batching and no retry. ")
            .Append("HubSpot calls per event count every call the run made, imports of the learners' earlier progress and contact creations included. Latency is what the API caller waits (for the naive baseline: its whole per-event sync); \"answered\" is when the last client had its answer, \"HubSpot holds all\" when HubSpot held every event (store mode: when the projection caught up). Lost events are events whose effect is missing afterwards (checked by re-applying each event to the final state: applying is idempotent), in the store and in HubSpot; duplicates are extra contacts for one email. ")
            .Append(CultureInfo.InvariantCulture, $"The fault scenario adds 10% 5xx answers and a {scenarios[1].Outage.TotalSeconds:0} s HubSpot outage two seconds in. ")
            .Append(Conclusion(outcomes))
            .ToString();
        return new BenchTable("Strategies: store, direct and the naive baseline", paragraph,
            ["strategy", "scenario", "HubSpot calls/event", "p50 latency", "p95 latency", "answered", "HubSpot holds all", "429s", "lost in the store", "lost in HubSpot", "duplicate contacts"], rows);
    }

    private static async Task<Outcome> RunAsync(string strategy, Scenario scenario, int count, int learnerCount, Action<int> progress, CancellationToken ct)
    {
        var emails = Enumerable.Range(0, learnerCount).Select(i => $"bench-{i}@example.com").ToList();
        var events = Workload.Events(emails, count, seed: 2026);
        var emulatorOptions = new EmulatorOptions
        {
            Token = LocalService.EmulatorToken,
            RequestsPerTenSeconds = 100,
            SearchRequestsPerSecond = 5,
            SearchLag = TimeSpan.FromSeconds(2),
        };

        LocalService? service = null;
        HubSpotEmulator.HubSpotEmulator emulator;
        if (strategy == "naive")
        {
            emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(emulatorOptions, 0, ct: ct);
            LocalService.ProvisionEmulator(emulator.Store);
        }
        else
        {
            service = await LocalService.StartAsync(Workload.Stack(emulatorOptions, strategy == "direct", Workload.LogTo(Environment.GetEnvironmentVariable("HHLEARN_BENCH_LOG"))), ct);
            emulator = service.Emulator!;
        }

        // Half the learners exist already, with some progress.
        foreach (var email in emails.Take(learnerCount / 2))
        {
            var stored = Workload.Oracle(new Dictionary<string, string?>(), Workload.Events([email], 2, email.GetHashCode(StringComparison.Ordinal)).Select(e => e.Body));
            emulator.Store.Seed(new Dictionary<string, string>(stored) { ["email"] = email, ["lifecyclestage"] = "lead" });
        }

        emulator.Stats.Reset();
        emulator.Gate.Reset();
        using var api = new HttpClient { BaseAddress = service?.ApiUrl ?? emulator.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        var naive = new NaiveBaseline(api);
        var latencies = new List<double>();
        var done = 0;
        var clock = Stopwatch.StartNew();
        Task? faults = null;
        if (scenario.Faults)
        {
            emulator.SetFaults(new FaultSettings { ErrorRate = 0.10 });
            faults = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                emulator.SetFaults(emulator.Options.Faults with { OutageUntil = DateTimeOffset.UtcNow + scenario.Outage });
            }, ct);
        }

        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < events.Count)
            {
                var started = Stopwatch.GetTimestamp();
                if (strategy == "naive")
                {
                    await naive.SyncAsync(events[i].Body, ct);
                }
                else
                {
                    // A well-behaved front end retries a 503 (store unavailable or contended) a few times.
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        using var content = new StringContent(events[i].Body, Encoding.UTF8, "application/json");
                        using var response = await api.PostAsync("events/track", content, ct);
                        if ((int)response.StatusCode != 503)
                        {
                            break;
                        }

                        await Task.Delay(500, ct);
                    }
                }

                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                progress(Interlocked.Increment(ref done));
            }
        }));

        var answered = clock.Elapsed;
        if (faults is not null)
        {
            await faults;
        }

        var lostInStore = 0;
        if (service?.Store is { } store)
        {
            lostInStore = Workload.LostEvents(await Workload.StoredAsync(store, emails, ct), events);
            await service.ConvergeAsync(TimeSpan.FromMinutes(5), ct);
        }

        clock.Stop();
        var contacts = emulator.Store.AllContacts();
        var outcome = new Outcome(strategy, scenario.Name, count, emulator.Stats.Total, clock.Elapsed, answered, latencies, emulator.Stats.Count(429),
            Workload.LostEvents(contacts, events), lostInStore, Workload.DuplicateContacts(contacts));
        if (service is not null)
        {
            await service.DisposeAsync();
        }
        else
        {
            await emulator.DisposeAsync();
        }

        return outcome;
    }

    /// <summary>What the table shows, in numbers from this run.</summary>
    private static string Conclusion(List<Outcome> outcomes)
    {
        if (Strategies.Any(s => !outcomes.Any(o => o.Strategy == s)))
        {
            return "(A partial run: not every strategy ran.)";
        }

        Outcome Find(string strategy, bool faults) => outcomes.First(o => o.Strategy == strategy && o.Scenario.Contains("outage", StringComparison.Ordinal) == faults);
        var (store, direct, naive) = (Find("store", false), Find("direct", false), Find("naive", false));
        var (storeF, directF, naiveF) = (Find("store", true), Find("direct", true), Find("naive", true));
        return string.Create(CultureInfo.InvariantCulture,
            $"In this run store mode lost {store.LostInStore + store.Lost} events ({storeF.LostInStore + storeF.Lost} with faults) at {store.Calls / (double)store.Events:0.00} HubSpot calls per event " +
            $"({storeF.Calls / (double)storeF.Events:0.00} with faults), answered in {Percentile(store.LatenciesMs, 95):0} ms at p95 ({Percentile(storeF.LatenciesMs, 95):0} ms during the outage) and HubSpot held everything {store.Elapsed.TotalSeconds:0} s after the start ({storeF.Elapsed.TotalSeconds:0} s with faults); " +
            $"direct mode lost {direct.Lost} ({directF.Lost} with faults): concurrent events of one learner overwrite each other and an outage leaves only a log line, and its callers wait for HubSpot's rate limit; " +
            $"the naive baseline lost {naive.Lost} ({naiveF.Lost} with faults): it runs into the search limit and retries nothing.");
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
