using System.Collections.Concurrent;

namespace HhLearn.Cli.Bench;

/// <summary>
/// Store mode under steady traffic (<see cref="SteadyRateBench"/>: calls, lag and the quota at several rates); and,
/// from 16 clients, whether a read right after the track answer shows the event, with the track and read latencies
/// and the HubSpot calls reads cost.
/// </summary>
public static class ProjectionBench
{
    public static async Task<IReadOnlyList<BenchTable>> RunAsync(bool quick, IAnsiConsole console, CancellationToken ct)
    {
        var window = TimeSpan.FromSeconds(5);
        var steady = new List<SteadyRateBench.Outcome>();
        (int Trials, int Fresh, List<double> Track, List<double> Read, long ReadCalls, int Reads, List<double> SoloTrack, List<double> SoloRead) ryw = (0, 0, [], [], 0, 0, [], []);
        await console.Progress().StartAsync(async progress =>
        {
            foreach (var scenario in SteadyRateBench.Scenarios(quick))
            {
                var task = progress.AddTask($"steady traffic, {scenario.Name}", maxValue: scenario.Duration.TotalSeconds);
                steady.Add(await SteadyRateBench.RunAsync(scenario, window, seconds => task.Value = Math.Min(seconds, task.MaxValue), ct));
                task.Value = task.MaxValue;
            }

            var trials = quick ? 100 : 500;
            var rywTask = progress.AddTask("read right after track, 16 clients", maxValue: trials);
            ryw = await ReadYourWritesAsync(trials, done => rywTask.Value = done, ct);
        });

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
        return [SteadyRateBench.Table(steady, window), rywTable];
    }

    private static async Task<LocalService> StartAsync(CancellationToken ct) => await LocalService.StartAsync(Workload.Stack(
        new EmulatorOptions { Token = LocalService.EmulatorToken, RequestsPerTenSeconds = 100, SearchLag = TimeSpan.FromSeconds(2) },
        direct: false,
        Workload.LogTo(Environment.GetEnvironmentVariable("HHLEARN_BENCH_LOG"))), ct);

    private static string Module(string email, int i) =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{"email":"{{{email}}}"},"payload":{"course_slug":"bench-course","module_slug":"m{{{i}}}"}}""";

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
