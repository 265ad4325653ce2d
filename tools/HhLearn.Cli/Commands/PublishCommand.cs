using HhLearn.Cli.Publish;

namespace HhLearn.Cli.Commands;

/// <summary>
/// <c>hhlearn publish</c>: the function's Native AOT <c>bootstrap</c> for a Lambda architecture, with its catalog,
/// checked (ELF architecture, glibc level) and smoke-tested, ready for <c>cdk deploy</c>.
/// </summary>
internal static class PublishCommand
{
    /// <summary>The command; <paramref name="onPath"/>, <paramref name="host"/> and <paramref name="error"/> stand in for this machine in tests.</summary>
    public static Command Create(Func<string, bool>? onPath = null, TargetArch? host = null, TextWriter? error = null)
    {
        var which = onPath ?? Toolchain.OnPath;
        var arch = new Option<string>("--arch")
        {
            Description = "Lambda architecture: arm64 (the stack's default) or x86_64",
            DefaultValueFactory = _ => "arm64",
        };
        arch.AcceptOnlyFromAmong("arm64", "x86_64");
        var output = new Option<string?>("--out") { Description = "Output folder (default: the function's publish folder for the architecture, which the stack deploys)" };
        var catalog = new Option<string?>("--catalog") { Description = "Catalog folder to ship with the function (default: samples/catalog)" };
        var noSmoke = new Option<bool>("--no-smoke") { Description = "Do not run the binary against a local Runtime API" };
        var command = new Command("publish", "Build the function's Native AOT bootstrap for a Lambda architecture, check it, smoke-test it") { arch, output, catalog, noSmoke };
        command.SetAction(async (parse, ct) =>
        {
            var target = TargetArch.Parse(parse.GetValue(arch))!;
            return await RunAsync(target, parse.GetValue(output), parse.GetValue(catalog), !parse.GetValue(noSmoke), which, host ?? TargetArch.Host(), error ?? Console.Error, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(TargetArch target, string? outDir, string? catalogDir, bool smoke, Func<string, bool> onPath, TargetArch? host, TextWriter stderr, CancellationToken ct)
    {
        var project = BootstrapCommand.RepoPath("src", "HhLearn.Function", "HhLearn.Function.csproj");
        if (project is null || !File.Exists(project))
        {
            stderr.WriteLine("hhlearn publish: run it in a checkout of HhLearn (it builds src/HhLearn.Function)");
            return 1;
        }

        var toolchain = Toolchain.For(target, host, onPath);
        if (!toolchain.Ready)
        {
            stderr.WriteLine($"hhlearn publish: {toolchain.MissingMessage()}");
            return 1;
        }

        var output = Path.GetFullPath(outDir ?? BootstrapCommand.RepoPath("src", "HhLearn.Function", "bin", "Release", "net10.0", target.Rid, "publish")!);
        var arguments = new List<string> { "publish", project, "-c", "Release", "-r", target.Rid, "-p:PublishAot=true", "-o", output, "--nologo" };
        arguments.AddRange(toolchain.PublishArguments);

        var (exit, log) = await AnsiConsole.Status().StartAsync($"Publishing the {target.Name} bootstrap{(toolchain.IsCross ? " (cross build)" : string.Empty)}...", async status =>
            await RunDotnetAsync(arguments, line => status.Status($"[grey]{Markup.Escape(Shorten(line))}[/]"), ct));
        if (exit != 0)
        {
            foreach (var line in log.TakeLast(30))
            {
                stderr.WriteLine(line);
            }

            stderr.WriteLine($"hhlearn publish: dotnet publish failed (exit {exit})");
            return 1;
        }

        var binary = Path.Combine(output, "bootstrap");
        var catalogTarget = Path.Combine(output, "catalog");
        if (catalogDir is not null)
        {
            if (!Directory.Exists(catalogDir))
            {
                stderr.WriteLine($"hhlearn publish: --catalog {catalogDir} does not exist");
                return 1;
            }

            CopyCatalog(catalogDir, catalogTarget);
        }

        var problems = PublishChecks.Verify(binary, target).ToList();
        if (!Directory.EnumerateFiles(catalogTarget, "*.json", SearchOption.AllDirectories).Any())
        {
            problems.Add($"no catalog in {catalogTarget}: completion could not be inferred for any course");
        }

        var info = ElfInspector.Read(binary).Info;
        var table = new Table().AddColumn("check").AddColumn("result");
        table.AddRow("binary", Markup.Escape($"{binary} ({new FileInfo(binary).Length / 1024 / 1024.0:0.0} MB)"));
        table.AddRow("architecture", Markup.Escape(info?.Architecture ?? "?"));
        table.AddRow("highest glibc symbol", Markup.Escape($"GLIBC_{info?.HighestGlibc} (Amazon Linux 2023: GLIBC_{PublishChecks.MaxGlibc})"));
        table.AddRow("catalog", Markup.Escape($"{Directory.EnumerateFiles(catalogTarget, "*.json", SearchOption.AllDirectories).Count()} files"));

        if (problems.Count == 0 && smoke)
        {
            var (failure, skipped) = await AnsiConsole.Status().StartAsync(
                toolchain.IsCross ? $"Running it under {target.QemuBinary}..." : "Running it against a local Runtime API...",
                async _ => await PublishChecks.SmokeTestAsync(binary, target, host, onPath, ct));
            table.AddRow("smoke test", Markup.Escape(failure is not null ? $"failed: {failure}" : skipped is not null ? $"skipped: {skipped}" : toolchain.IsCross ? $"answered under {target.QemuBinary}" : "answered"));
            if (failure is not null)
            {
                problems.Add($"smoke test failed: {failure}");
            }
        }

        AnsiConsole.Write(table);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                stderr.WriteLine($"hhlearn publish: {problem}");
            }

            return 1;
        }

        Console.WriteLine();
        Console.WriteLine("Next:");
        Console.WriteLine($"  npx cdk deploy -c architecture={target.Name} -c assetDir={output} -c stage=<stage> -c enableCrmProgress=true -c jwtIssuer=... -c jwtAudience=... -c allowedOrigins=...");
        return 0;
    }

    private static async Task<(int Exit, List<string> Log)> RunDotnetAsync(IEnumerable<string> arguments, Action<string> progress, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var log = new List<string>();
        using var process = new Process { StartInfo = start };
        void OnLine(string? line)
        {
            if (line is { Length: > 0 })
            {
                lock (log)
                {
                    log.Add(line);
                }

                progress(line.Trim());
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, log);
    }

    private static void CopyCatalog(string from, string to)
    {
        if (Directory.Exists(to))
        {
            Directory.Delete(to, recursive: true);
        }

        foreach (var file in Directory.EnumerateFiles(from, "*.json", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    private static string Shorten(string line) => line.Length <= 110 ? line : string.Concat(line.AsSpan(0, 107), "...");
}
