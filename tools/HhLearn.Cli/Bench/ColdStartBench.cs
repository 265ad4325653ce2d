namespace HhLearn.Cli.Bench;

/// <summary>Cold start, AOT against JIT: process start to first answer, median and p95; binary size; peak memory.</summary>
public static class ColdStartBench
{
    public static async Task<BenchTable> RunAsync(int runs, IAnsiConsole console, CancellationToken ct)
    {
        // The deployed configuration: the progress store and the projection queue (clients made, never called by the probe).
        var environment = new Dictionary<string, string>
        {
            [SettingNames.EnableCrmProgress] = "true",
            [SettingNames.HubSpotToken] = "bench",
            [SettingNames.HubSpotBaseUrl] = "http://127.0.0.1:9/",
            [SettingNames.ProgressTable] = "bench-progress",
            [SettingNames.HashKey] = HashKey.Generate(),
            [SettingNames.SyncQueueUrl] = "http://127.0.0.1:9/000000000000/bench.fifo",
            [SettingNames.AwsEndpointDynamoDb] = "http://127.0.0.1:9/",
            [SettingNames.AwsEndpointSqs] = "http://127.0.0.1:9/",
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "bench",
            ["AWS_SECRET_ACCESS_KEY"] = "bench",
        };
        if (BootstrapCommand.SampleCatalog() is { } catalog)
        {
            environment[SettingNames.CatalogDir] = catalog;
        }

        var rows = new List<IReadOnlyList<string>>();
        var measured = new List<(TimeSpan Median, long Peak)>();
        var kinds = new List<BootstrapCommand>();
        if (BootstrapCommand.AotPath() is { } aot)
        {
            if (BootstrapCommand.IsOlderThanSources(aot))
            {
                console.WriteLine($"note: {aot} is older than the sources; publish it again for current numbers");
            }

            kinds.Add(new BootstrapCommand(aot, [], "aot"));
        }

        kinds.Add(BootstrapCommand.Jit());
        foreach (var command in kinds)
        {
            IReadOnlyList<ColdStartSample> samples = [];
            await console.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask($"cold start {command.Kind.ToUpperInvariant()}", maxValue: runs);
                samples = await ColdStart.MeasureAsync(command, runs, environment, done => task.Value = done, ct);
            });
            var size = command.Kind == "aot"
                ? new FileInfo(command.FileName).Length
                : Directory.EnumerateFiles(Path.GetDirectoryName(command.Arguments[^1])!, "*.dll").Sum(f => new FileInfo(f).Length);
            measured.Add((ColdStart.Percentile(samples, 50), samples.Max(s => s.PeakWorkingSetBytes)));
            rows.Add(
            [
                command.Kind.ToUpperInvariant(),
                BenchReport.Ms(ColdStart.Percentile(samples, 50)),
                BenchReport.Ms(ColdStart.Percentile(samples, 95)),
                BenchReport.Mb(size),
                BenchReport.Mb(samples.Max(s => s.PeakWorkingSetBytes)),
            ]);
        }

        var paragraph = kinds.Count == 1
            ? "Only the JIT build was measured: publish the AOT build first (./hhlearn publish --arch x86_64)."
            : $"Each of {runs} runs starts a fresh bootstrap process, configured as the stack deploys it (progress store and projection queue), with one invocation already waiting at the local Runtime API, and stops the clock when the answer arrives; this is the latency a learner sees on a cold Lambda (starting the process alone, which .NET cannot go below, is about 20 ms here). AOT answered {BenchReport.Num(measured[1].Median / measured[0].Median, "0.0")}x sooner at the median, in {BenchReport.Num(100.0 * measured[0].Peak / measured[1].Peak, "0")}% of the memory. Size is the AOT binary, or all assemblies of the JIT build (the shared .NET runtime comes on top).";
        return new BenchTable("Cold start: AOT against JIT", paragraph, ["build", "median", "p95", "size", "peak memory"], rows);
    }
}
