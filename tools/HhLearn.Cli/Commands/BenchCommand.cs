using HhLearn.Cli.Bench;

namespace HhLearn.Cli.Commands;

/// <summary><c>hhlearn bench</c>: measures the service on the local stack and writes docs/benchmarks.md.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "A short run (under 2 minutes) for CI: fewer samples, same tables" };
        var output = new Option<string?>("--out") { Description = "Write the report as Markdown to this file (e.g. docs/benchmarks.md)" };
        var only = new Option<string[]>("--only") { Description = "Run only these parts: cold-start, bad-input, strategies, projection (repeatable; default all)", AllowMultipleArgumentsPerToken = true };
        only.AcceptOnlyFromAmong(Parts);
        var command = new Command("bench", "Benchmark cold start, strategies, bad input and the projection on the local stack") { quick, output, only };
        command.SetAction(async (parse, ct) =>
        {
            if (Local.BootstrapCommand.RepoPath() is null)
            {
                Console.Error.WriteLine("hhlearn bench: run it in a checkout of HhLearn (it measures the function built there, with dynalite from its npm packages)");
                return 1;
            }

            using var shutdown = new Shutdown(ct);
            var isQuick = parse.GetValue(quick);
            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                // Logs and CI have no terminal width: keep the tables readable instead of wrapping every cell.
                console.Profile.Width = 180;
            }
            var report = new BenchReport();
            var clock = Stopwatch.StartNew();
            var parts = parse.GetValue(only) is { Length: > 0 } chosen ? chosen.ToHashSet(StringComparer.Ordinal) : Parts.ToHashSet(StringComparer.Ordinal);
            if (parts.Contains("cold-start"))
            {
                report.Add(await ColdStartBench.RunAsync(isQuick ? 5 : 20, console, shutdown.Token), console);
            }

            if (parts.Contains("bad-input"))
            {
                report.Add(await BadInputBench.RunAsync(console, shutdown.Token), console);
            }

            if (parts.Contains("strategies"))
            {
                report.Add(await StrategyBench.RunAsync(isQuick, console, shutdown.Token), console);
            }

            if (parts.Contains("projection"))
            {
                foreach (var table in await ProjectionBench.RunAsync(isQuick, console, shutdown.Token))
                {
                    report.Add(table, console);
                }
            }

            console.WriteLine($"bench finished in {clock.Elapsed.TotalSeconds:0} s");
            if (parse.GetValue(output) is { } file)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
                await File.WriteAllTextAsync(file, report.ToMarkdown("HhLearn benchmarks", Facts(isQuick, clock.Elapsed)), shutdown.Token);
                console.WriteLine($"report written to {file}");
            }

            return 0;
        });
        return command;
    }

    private static readonly string[] Parts = ["cold-start", "bad-input", "strategies", "projection"];

    private static IEnumerable<(string, string)> Facts(bool quick, TimeSpan took)
    {
        yield return ("date", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
        yield return ("commit", Git("rev-parse --short HEAD") ?? "unknown");
        yield return ("machine", $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, {CpuModel()}");
        yield return ("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        yield return ("run", quick ? "--quick" : "full");
        yield return ("took", $"{took.TotalSeconds:0} s");
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    private static string? Git(string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
