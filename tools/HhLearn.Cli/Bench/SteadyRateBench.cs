using System.Collections.Concurrent;

namespace HhLearn.Cli.Bench;

/// <summary>
/// Store mode under steady traffic, through <c>hhlearn local</c> against the emulator at HubSpot's smallest limit: at
/// 20 and 100 events per second, as fast as this machine drives it, and at 20 per second through faults and an outage.
/// What HubSpot's quota pays per event and per learner-update, how long after its answer HubSpot holds each event,
/// how close to the limit any 10 s came, and whether anything never arrived.
/// </summary>
public static class SteadyRateBench
{
    /// <summary>One steady run: <paramref name="Rate"/> events per second (null: as fast as 32 clients get answers).</summary>
    public sealed record Scenario(string Name, int? Rate, int Learners, TimeSpan Duration, TimeSpan Outage);

    public sealed record Outcome(Scenario Scenario, int Events, TimeSpan Sent, List<double> LagsMs, List<double> TrackMs, long Calls, long Written, long Status429,
        int PeakTenSeconds, double AllInAfterSeconds, int Missing, int Limit)
    {
        public double Rate => Events / Math.Max(0.001, Sent.TotalSeconds);
    }

    public const int Limit = 100;

    public static IReadOnlyList<Scenario> Scenarios(bool quick) =>
    [
        new("20 events/s, 50 learners", 20, 50, quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(60), TimeSpan.Zero),
        new("100 events/s, 200 learners", 100, 200, quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(30), TimeSpan.Zero),
        new("as fast as 32 clients go, 1000 learners", null, 1000, quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(30), TimeSpan.Zero),
        new("20 events/s, 10% 5xx + outage", 20, 50, quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(60), quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20)),
    ];

    public static BenchTable Table(IReadOnlyList<Outcome> outcomes, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var steady = outcomes.Where(o => o.Scenario.Outage == TimeSpan.Zero).ToList();
        var faults = outcomes.FirstOrDefault(o => o.Scenario.Outage > TimeSpan.Zero);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Store mode through hhlearn local (2 projectors, a {window.TotalSeconds:0} s projection window), the emulator at {Limit} requests per 10 s: each event a module completion of a new learner set, sent at a steady rate (the third row: 32 clients each sending as soon as it has its answer). ")
            .Append("Calls per event count every HubSpot call of the run, contact creation included; learners per call is learner-updates written per call (a batch carries up to 100); the lag of an event runs from its track answer to the emulator holding it (polled every 100 ms); \"all in HubSpot\" is how long after the last answer HubSpot held every event; the peak is the most calls in any 10 s (sampled each second) against the limit. ")
            .Append(string.Join("; ", steady.Select(o => string.Create(CultureInfo.InvariantCulture,
                $"at {o.Rate:0} events/s the projection spent {o.Calls / (double)Math.Max(1, o.Events):0.000} calls per event ({o.Written / (double)Math.Max(1, o.Calls):0} learners per call), peaked at {o.PeakTenSeconds} of {o.Limit} calls in 10 s, and HubSpot held everything {o.AllInAfterSeconds:0.0} s after the last answer"))))
            .Append(faults is null ? "." : string.Create(CultureInfo.InvariantCulture,
                $"; through the faults and a {faults.Scenario.Outage.TotalSeconds:0} s outage the worst lag was {Max(faults.LagsMs) / 1000:0.0} s and {faults.Missing} events never arrived."))
            .ToString();
        return new BenchTable("Steady traffic: HubSpot calls, lag and the quota", text,
            ["scenario", "events", "events/s", "calls/event", "learners/call", "lag p50", "lag p95", "lag max", "all in HubSpot", "peak calls/10 s", "429s", "never in HubSpot"],
            outcomes.Select(o => (IReadOnlyList<string>)
            [
                o.Scenario.Name, o.Events.ToString(CultureInfo.InvariantCulture), BenchReport.Num(o.Rate, "0"),
                BenchReport.Num(o.Calls / (double)Math.Max(1, o.Events), "0.000"), BenchReport.Num(o.Written / (double)Math.Max(1, o.Calls), "0.0"),
                BenchReport.Num(Percentile(o.LagsMs, 50) / 1000, "0.0") + " s", BenchReport.Num(Percentile(o.LagsMs, 95) / 1000, "0.0") + " s", BenchReport.Num(Max(o.LagsMs) / 1000, "0.0") + " s",
                BenchReport.Num(o.AllInAfterSeconds, "0.0") + " s", $"{o.PeakTenSeconds} of {o.Limit} ({100.0 * o.PeakTenSeconds / o.Limit:0}%)",
                o.Status429.ToString(CultureInfo.InvariantCulture), o.Missing.ToString(CultureInfo.InvariantCulture),
            ]).ToList());
    }

    private static string Module(string email, int i) =>
        $$$"""{"eventName":"learning_module_completed","contactIdentifier":{"email":"{{{email}}}"},"payload":{"course_slug":"bench-course","module_slug":"m{{{i}}}"}}""";

    public static async Task<Outcome> RunAsync(Scenario scenario, TimeSpan window, Action<double> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(progress);
        var written = 0L;
        await using var service = await LocalService.StartAsync(Workload.Stack(
            new EmulatorOptions { Token = LocalService.EmulatorToken, RequestsPerTenSeconds = Limit, SearchLag = TimeSpan.FromSeconds(2) },
            direct: false,
            line =>
            {
                if (line.Contains("\"batch_processed\"", StringComparison.Ordinal) && JsonNode.Parse(line) is { } json && (long?)json["written"] is { } n)
                {
                    Interlocked.Add(ref written, n);
                }
            }) with { ProjectionWindow = window }, ct);
        var emulator = service.Emulator!;
        using var api = new HttpClient { BaseAddress = service.ApiUrl, Timeout = TimeSpan.FromSeconds(60) };
        var emails = Enumerable.Range(0, scenario.Learners).Select(i => $"steady-{i}@example.com").ToList();
        var pending = new ConcurrentDictionary<int, (string Email, long At)>();
        var lags = new ConcurrentBag<double>();
        var trackMs = new ConcurrentBag<double>();
        var lastArrival = 0L;
        var answeredCount = 0;
        var lastAnswer = 0L;
        if (scenario.Outage > TimeSpan.Zero)
        {
            emulator.SetFaults(new FaultSettings { ErrorRate = 0.10 });
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var samples = new List<long>();
        var watcher = WatchAsync(emulator, pending, lags, samples, at => Interlocked.Exchange(ref lastArrival, at), stop.Token);
        var next = -1;
        var clock = Stopwatch.StartNew();

        async Task SendAsync(int index)
        {
            var email = emails[index % emails.Count];
            var started = Stopwatch.GetTimestamp();
            using var content = new StringContent(Module(email, index), Encoding.UTF8, "application/json");
            using var response = await api.PostAsync("events/track", content, ct);
            var at = Stopwatch.GetTimestamp();
            trackMs.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
            if (response.IsSuccessStatusCode)
            {
                pending[index] = (email, at);
                Interlocked.Increment(ref answeredCount);
                Interlocked.Exchange(ref lastAnswer, Math.Max(Interlocked.Read(ref lastAnswer), at));
            }
        }

        var outageSent = false;
        if (scenario.Rate is { } rate)
        {
            var count = (int)(scenario.Duration.TotalSeconds * rate);
            var sends = new List<Task>(count);
            for (var i = 0; i < count; i++)
            {
                if (scenario.Outage > TimeSpan.Zero && !outageSent && clock.Elapsed > TimeSpan.FromSeconds(5))
                {
                    emulator.SetFaults(emulator.Options.Faults with { OutageUntil = DateTimeOffset.UtcNow + scenario.Outage });
                    outageSent = true;
                }

                sends.Add(SendAsync(i));
                progress(clock.Elapsed.TotalSeconds);

                // Steady: the next send waits for its slot, not for the answers.
                var due = TimeSpan.FromSeconds((i + 1) / (double)rate) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, ct);
                }
            }

            await Task.WhenAll(sends);
            next = count - 1;
        }
        else
        {
            await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
            {
                while (clock.Elapsed < scenario.Duration)
                {
                    await SendAsync(Interlocked.Increment(ref next));
                    progress(clock.Elapsed.TotalSeconds);
                }
            }));
        }

        var sent = clock.Elapsed;
        await service.ConvergeAsync(TimeSpan.FromMinutes(3), ct);
        await Task.Delay(300, ct);
        await stop.CancelAsync();
        await watcher;
        var events = next + 1;
        var allIn = pending.IsEmpty ? Math.Max(0, Stopwatch.GetElapsedTime(Interlocked.Read(ref lastAnswer), Interlocked.Read(ref lastArrival)).TotalSeconds) : double.NaN;
        return new Outcome(scenario, events, sent, [.. lags], [.. trackMs], emulator.Stats.Total, Interlocked.Read(ref written), emulator.Stats.Count(429),
            Peak(samples), allIn, pending.Count + (events - answeredCount), Limit);
    }

    /// <summary>Polls what the emulator holds, notes when each answered event first appears, and samples the call count each second.</summary>
    private static async Task WatchAsync(HubSpotEmulator.HubSpotEmulator emulator, ConcurrentDictionary<int, (string Email, long At)> pending, ConcurrentBag<double> lags,
        List<long> samples, Action<long> arrived, CancellationToken ct)
    {
        var sampled = Stopwatch.StartNew();
        samples.Add(emulator.Stats.Total);
        while (!ct.IsCancellationRequested)
        {
            if (sampled.Elapsed >= TimeSpan.FromSeconds(samples.Count))
            {
                samples.Add(emulator.Stats.Total);
            }

            if (!pending.IsEmpty)
            {
                var states = emulator.Store.AllContacts().ToDictionary(c => c.Properties.GetValueOrDefault("email") ?? string.Empty, c => c.Properties.GetValueOrDefault("hhl_progress_state") ?? string.Empty, StringComparer.OrdinalIgnoreCase);
                var now = Stopwatch.GetTimestamp();
                foreach (var (index, (email, at)) in pending)
                {
                    if (states.TryGetValue(email, out var state) && state.Contains($"\"m{index}\":", StringComparison.Ordinal) && pending.TryRemove(index, out _))
                    {
                        lags.Add(Math.Max(0, Stopwatch.GetElapsedTime(at, now).TotalMilliseconds));
                        arrived(now);
                    }
                }
            }

            try
            {
                await Task.Delay(100, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The most calls in any 10 s, from a count sampled every second.</summary>
    private static int Peak(List<long> samples) =>
        samples.Count < 2 ? 0 : (int)Enumerable.Range(0, samples.Count).Max(i => samples[Math.Min(samples.Count - 1, i + 10)] - samples[i]);

    private static double Max(List<double> values) => values.Count == 0 ? 0 : values.Max();

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
