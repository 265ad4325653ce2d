using System.Collections.Concurrent;

namespace HhLearn.Cli.Bench;

/// <summary>
/// Store mode under a steady load: how long after the track answer HubSpot holds the change (the projection's lag),
/// at 20 events per second, without and with a HubSpot outage; and, from 16 clients, whether a read right after the
/// track answer shows the event, with the track and read latencies and the HubSpot calls reads cost.
/// </summary>
public static class ProjectionBench
{
    private sealed record LagOutcome(string Scenario, int Events, List<double> LagsMs, List<double> TrackMs, long Calls, int Missing);

    public static async Task<IReadOnlyList<BenchTable>> RunAsync(bool quick, IAnsiConsole console, CancellationToken ct)
    {
        var duration = quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(60);
        var lags = new List<LagOutcome>();
        (int Trials, int Fresh, List<double> Track, List<double> Read, long ReadCalls, int Reads, List<double> SoloTrack, List<double> SoloRead) ryw = (0, 0, [], [], 0, 0, [], []);
        await console.Progress().StartAsync(async progress =>
        {
            foreach (var (name, outage) in new[] { ("20 events/s", TimeSpan.Zero), ("20 events/s, 10% 5xx + outage", quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20)) })
            {
                var task = progress.AddTask($"projection lag, {name}", maxValue: duration.TotalSeconds * 20);
                lags.Add(await LagAsync(name, duration, outage, done => task.Value = done, ct));
                task.Value = task.MaxValue;
            }

            var trials = quick ? 100 : 500;
            var rywTask = progress.AddTask("read right after track, 16 clients", maxValue: trials);
            ryw = await ReadYourWritesAsync(trials, done => rywTask.Value = done, ct);
        });

        var lagTable = new BenchTable(
            "Projection lag: track answer to HubSpot holding the change",
            new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"Store mode through hhlearn local, the emulator at 100 requests per 10 s: one event every 50 ms for {duration.TotalSeconds:0} s over 50 learners (new ones), each a module completion HubSpot can be checked for. ")
                .Append("The lag of an event is from the moment its track answer arrived to the moment the emulator held the module in the learner's contact (polled every 50 ms). The fault scenario adds 10% 5xx answers and an outage five seconds in; tracks are answered by the store throughout. ")
                .Append(string.Create(CultureInfo.InvariantCulture,
                    $"In this run HubSpot held a change {Percentile(lags[0].LagsMs, 50) / 1000:0.0} s after its answer at the median and {Percentile(lags[0].LagsMs, 95) / 1000:0.0} s at p95, " +
                    $"at {lags[0].Calls / (double)lags[0].Events:0.000} HubSpot calls per event; with the outage the p95 was {Percentile(lags[1].LagsMs, 95) / 1000:0.0} s and the worst {lags[1].LagsMs.DefaultIfEmpty().Max() / 1000:0.0} s, and {lags[1].Missing} events never arrived."))
                .ToString(),
            ["scenario", "events", "lag p50", "lag p95", "lag max", "track p95", "HubSpot calls/event", "never in HubSpot"],
            lags.Select(l => (IReadOnlyList<string>)
            [
                l.Scenario, l.Events.ToString(CultureInfo.InvariantCulture),
                BenchReport.Num(Percentile(l.LagsMs, 50) / 1000, "0.00") + " s", BenchReport.Num(Percentile(l.LagsMs, 95) / 1000, "0.00") + " s",
                BenchReport.Num(l.LagsMs.DefaultIfEmpty().Max() / 1000, "0.00") + " s", BenchReport.Num(Percentile(l.TrackMs, 95), "0") + " ms",
                BenchReport.Num(l.Calls / (double)l.Events, "0.000"), l.Missing.ToString(CultureInfo.InvariantCulture),
            ]).ToList());

        var rywTable = new BenchTable(
            "Read your writes: a read right after the track answer",
            string.Create(CultureInfo.InvariantCulture,
                $"{ryw.Trials} trials from 16 concurrent clients through hhlearn local in store mode: each tracks a new module completion and reads the learner's progress as soon as the answer arrives. " +
                $"{ryw.Fresh} of {ryw.Trials} reads showed the event ({100.0 * ryw.Fresh / Math.Max(1, ryw.Trials):0.#}%; before the store, 28 of 100 did under load). " +
                $"Then {ryw.Reads} more reads of learners the store holds cost HubSpot {ryw.ReadCalls} calls ({ryw.ReadCalls / (double)Math.Max(1, ryw.Reads):0.00} per read). " +
                $"The second row is one client alone ({ryw.SoloTrack.Count} tracks and reads, after the run): the latency without sixteen clients queueing at one dynalite process on two cores."),
            ["clients", "trials", "fresh reads", "track p50", "track p95", "read p50", "read p95", "HubSpot calls per read"],
            [
                [
                    "16", ryw.Trials.ToString(CultureInfo.InvariantCulture), $"{ryw.Fresh} ({100.0 * ryw.Fresh / Math.Max(1, ryw.Trials):0.#}%)",
                    BenchReport.Num(Percentile(ryw.Track, 50), "0") + " ms", BenchReport.Num(Percentile(ryw.Track, 95), "0") + " ms",
                    BenchReport.Num(Percentile(ryw.Read, 50), "0") + " ms", BenchReport.Num(Percentile(ryw.Read, 95), "0") + " ms",
                    BenchReport.Num(ryw.ReadCalls / (double)Math.Max(1, ryw.Reads), "0.00"),
                ],
                [
                    "1", ryw.SoloTrack.Count.ToString(CultureInfo.InvariantCulture), "n/a",
                    BenchReport.Num(Percentile(ryw.SoloTrack, 50), "0") + " ms", BenchReport.Num(Percentile(ryw.SoloTrack, 95), "0") + " ms",
                    BenchReport.Num(Percentile(ryw.SoloRead, 50), "0") + " ms", BenchReport.Num(Percentile(ryw.SoloRead, 95), "0") + " ms", "n/a",
                ],
            ]);
        return [lagTable, rywTable];
    }

    private static async Task<LocalService> StartAsync(CancellationToken ct) => await LocalService.StartAsync(Workload.Stack(
        new EmulatorOptions { Token = LocalService.EmulatorToken, RequestsPerTenSeconds = 100, SearchLag = TimeSpan.FromSeconds(2) },
        direct: false,
        Environment.GetEnvironmentVariable("HHLEARN_BENCH_LOG") is { Length: > 0 } path ? line => { lock (typeof(ProjectionBench)) { File.AppendAllText(path, line + "\n"); } } : _ => { }), ct);

    private static string Module(string email, int i) =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{"email":"{{{email}}}"},"payload":{"course_slug":"bench-course","module_slug":"m{{{i}}}"}}""";

    private static async Task<LagOutcome> LagAsync(string name, TimeSpan duration, TimeSpan outage, Action<int> progress, CancellationToken ct)
    {
        await using var service = await StartAsync(ct);
        var emulator = service.Emulator!;
        using var api = new HttpClient { BaseAddress = service.ApiUrl, Timeout = TimeSpan.FromSeconds(60) };
        var emails = Enumerable.Range(0, 50).Select(i => $"lag-{i}@example.com").ToList();
        var answered = new ConcurrentDictionary<int, (string Email, long At)>();
        var trackMs = new ConcurrentBag<double>();
        var arrived = new ConcurrentDictionary<int, long>();
        var count = (int)(duration.TotalSeconds * 20);
        if (outage > TimeSpan.Zero)
        {
            emulator.SetFaults(new FaultSettings { ErrorRate = 0.10 });
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watcher = WatchAsync(emulator, answered, arrived, stop.Token);
        var sends = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            if (outage > TimeSpan.Zero && i == 100)
            {
                emulator.SetFaults(emulator.Options.Faults with { OutageUntil = DateTimeOffset.UtcNow + outage });
            }

            var index = i;
            var email = emails[i % emails.Count];
            sends.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new StringContent(Module(email, index), Encoding.UTF8, "application/json");
                using var response = await api.PostAsync("events/track", content, ct);
                trackMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.IsSuccessStatusCode)
                {
                    answered[index] = (email, Stopwatch.GetTimestamp());
                }
            }, ct));
            progress(i + 1);

            // A steady 20 per second: the next send waits for its slot, not for the answers.
            var due = TimeSpan.FromMilliseconds(50 * (i + 1)) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct);
            }
        }

        await Task.WhenAll(sends);
        await service.ConvergeAsync(TimeSpan.FromMinutes(3), ct);
        await Task.Delay(200, ct);
        await stop.CancelAsync();
        await watcher;
        var lags = answered.Where(a => arrived.ContainsKey(a.Key)).Select(a => Math.Max(0, Stopwatch.GetElapsedTime(a.Value.At, arrived[a.Key]).TotalMilliseconds)).ToList();
        return new LagOutcome(name, count, lags, [.. trackMs], emulator.Stats.Total, count - arrived.Count);
    }

    /// <summary>Polls what the emulator holds and notes when each answered event's module first appears.</summary>
    private static async Task WatchAsync(HubSpotEmulator.HubSpotEmulator emulator, ConcurrentDictionary<int, (string Email, long At)> answered, ConcurrentDictionary<int, long> arrived, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var states = emulator.Store.AllContacts().ToDictionary(c => c.Properties.GetValueOrDefault("email") ?? string.Empty, c => c.Properties.GetValueOrDefault("hhl_progress_state") ?? string.Empty, StringComparer.OrdinalIgnoreCase);
            var now = Stopwatch.GetTimestamp();
            foreach (var (index, (email, _)) in answered)
            {
                if (!arrived.ContainsKey(index) && states.TryGetValue(email, out var state) && state.Contains($"\"m{index}\":", StringComparison.Ordinal))
                {
                    arrived[index] = now;
                }
            }

            try
            {
                await Task.Delay(50, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<(int Trials, int Fresh, List<double> Track, List<double> Read, long ReadCalls, int Reads, List<double> SoloTrack, List<double> SoloRead)> ReadYourWritesAsync(int trials, Action<int> progress, CancellationToken ct)
    {
        await using var service = await StartAsync(ct);
        using var api = new HttpClient { BaseAddress = service.ApiUrl, Timeout = TimeSpan.FromSeconds(60) };
        var emails = Enumerable.Range(0, 20).Select(i => $"ryw-{i}@example.com").ToList();
        var track = new ConcurrentBag<double>();
        var read = new ConcurrentBag<double>();
        var fresh = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < trials)
            {
                var email = emails[i % emails.Count];
                var started = Stopwatch.GetTimestamp();
                using (var content = new StringContent(Module(email, i), Encoding.UTF8, "application/json"))
                using (await api.PostAsync("events/track", content, ct))
                {
                    track.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                started = Stopwatch.GetTimestamp();
                var text = await api.GetStringAsync($"progress/read?email={Uri.EscapeDataString(email)}", ct);
                read.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (text.Contains($"\"m{i}\":", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref fresh);
                }

                progress(i + 1);
            }
        }));

        // One client alone, warmed up: the latency a single learner sees without the sixteen competing for dynalite.
        var soloTrack = new List<double>();
        var soloRead = new List<double>();
        for (var i = 0; i < 60; i++)
        {
            var email = emails[i % emails.Count];
            var started = Stopwatch.GetTimestamp();
            using (var content = new StringContent(Module(email, trials + i), Encoding.UTF8, "application/json"))
            using (await api.PostAsync("events/track", content, ct))
            {
                soloTrack.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            started = Stopwatch.GetTimestamp();
            await api.GetStringAsync($"progress/read?email={Uri.EscapeDataString(email)}", ct);
            soloRead.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        // Reads of learners the store holds: what do they cost HubSpot once the projection is done?
        await service.ConvergeAsync(TimeSpan.FromMinutes(2), ct);
        var before = service.Emulator!.Stats.Total;
        var reads = 0;
        foreach (var email in emails)
        {
            foreach (var path in new[] { "progress/read", "progress/aggregate?type=course&slug=bench-course&", "enrollments/list" })
            {
                var separator = path.EndsWith('&') ? string.Empty : "?";
                using (await api.GetAsync($"{path}{separator}email={Uri.EscapeDataString(email)}", ct))
                {
                    reads++;
                }
            }
        }

        return (trials, fresh, [.. track], [.. read], service.Emulator.Stats.Total - before, reads, soloTrack, soloRead);
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
