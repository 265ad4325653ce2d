namespace HhLearn.Cli.Local;

/// <summary>One cold start: process start to first answer through the local Runtime API, and the process's peak memory.</summary>
public sealed record ColdStartSample(TimeSpan ToFirstAnswer, long PeakWorkingSetBytes);

/// <summary>
/// Measures cold starts the way Lambda has them: a fresh <c>bootstrap</c> process, an invocation already waiting
/// at the Runtime API, and the clock running from process start until the answer is posted.
/// </summary>
public static class ColdStart
{
    /// <summary>An anonymous read: goes through configuration, composition, routing and JSON, but no network.</summary>
    private static readonly byte[] Probe = Encoding.UTF8.GetBytes(
        """{"version":"2.0","routeKey":"$default","rawPath":"/progress/read","rawQueryString":"","headers":{"accept":"application/json"},"requestContext":{"http":{"method":"GET","path":"/progress/read","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"bench"},"requestId":"cold","routeKey":"$default","stage":"$default","timeEpoch":0},"isBase64Encoded":false}""");

    public static async Task<IReadOnlyList<ColdStartSample>> MeasureAsync(BootstrapCommand command, int runs, IReadOnlyDictionary<string, string> environment, Action<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var samples = new List<ColdStartSample>();

        // One unmeasured run first: it warms this side (the Runtime API server's code, the OS file cache).
        for (var i = -1; i < runs; i++)
        {
            // A fresh Runtime API per run, as a fresh execution environment has.
            await using var runtime = await LocalRuntimeApi.StartAsync(TimeSpan.FromSeconds(30));
            var env = new Dictionary<string, string>(environment, StringComparer.Ordinal) { [SettingNames.LambdaRuntimeApi] = runtime.Address };
            var answer = runtime.InvokeAsync(Probe, ct);

            // No redirected output: pipes and reader threads would be measured too (the probe logs nothing).
            using var process = new Process { StartInfo = command.StartInfo(env) };
            process.StartInfo.RedirectStandardOutput = false;
            process.StartInfo.RedirectStandardError = false;
            var started = Stopwatch.GetTimestamp();
            process.Start();
            var result = await answer;
            var elapsed = Stopwatch.GetElapsedTime(started, result.CompletedAt);
            process.Refresh();
            var peak = PeakWorkingSet(process);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(ct);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"the function did not answer: {result.ErrorType} {result.ErrorMessage}");
            }

            if (i >= 0)
            {
                samples.Add(new ColdStartSample(elapsed, peak));
                progress?.Invoke(i + 1);
            }
        }

        return samples;
    }

    /// <summary>VmHWM from /proc: the process's peak resident memory so far.</summary>
    private static long PeakWorkingSet(Process process)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Gone already; fall back to what .NET saw.
        }

        return process.PeakWorkingSet64;
    }

    public static TimeSpan Percentile(IReadOnlyList<ColdStartSample> samples, double p)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.Select(s => s.ToFirstAnswer).Order().ToArray();
        var index = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
