namespace HhLearn.Cli.Local;

/// <summary>How to start the function: the AOT <c>bootstrap</c> binary, or <c>dotnet bootstrap.dll</c> (JIT).</summary>
public sealed record BootstrapCommand(string FileName, IReadOnlyList<string> Arguments, string Kind)
{
    /// <summary>
    /// The AOT build when present (<c>--bootstrap</c>, else the publish folder of src/HhLearn.Function), else the
    /// JIT build that ships next to hhlearn.
    /// </summary>
    public static BootstrapCommand Find(string? explicitPath = null)
    {
        if (explicitPath is not null)
        {
            return explicitPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? new BootstrapCommand("dotnet", [Path.GetFullPath(explicitPath)], "jit")
                : new BootstrapCommand(Path.GetFullPath(explicitPath), [], "aot");
        }

        if (AotPath() is { } aot && !IsOlderThanSources(aot))
        {
            return new BootstrapCommand(aot, [], "aot");
        }

        return Jit();
    }

    /// <summary>
    /// The JIT build in the function's own output folder (its deps.json and runtimeconfig are its own; the copy
    /// next to hhlearn resolves some assemblies against the CLI's frameworks instead).
    /// </summary>
    public static BootstrapCommand Jit()
    {
        // .../bin/<Configuration>/net10.0/: run the function built in the same configuration as this program.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent?.Name ?? "Release";
        foreach (var candidate in new[] { configuration, "Release", "Debug" })
        {
            if (RepoPath("src", "HhLearn.Function", "bin", candidate, "net10.0", "bootstrap.dll") is { } path && File.Exists(path))
            {
                return new BootstrapCommand("dotnet", [path], "jit");
            }
        }

        // Outside a checkout (an installed tool): the copy next to hhlearn, run with hhlearn's own dependency list and
        // frameworks, which hold everything the function needs (the copy has no deps.json of its own).
        var here = AppContext.BaseDirectory;
        return new BootstrapCommand("dotnet",
            ["exec", "--runtimeconfig", Path.Combine(here, "hhlearn.runtimeconfig.json"), "--depsfile", Path.Combine(here, "hhlearn.deps.json"), Path.Combine(here, "bootstrap.dll")], "jit");
    }

    /// <summary>
    /// An AOT binary older than any source of the function is stale: running it would test yesterday's code.
    /// (The JIT build is rebuilt with hhlearn itself, so it is never stale.)
    /// </summary>
    public static bool IsOlderThanSources(string binary)
    {
        if (RepoPath("src") is not { } sources || !Directory.Exists(sources))
        {
            return false;
        }

        var built = File.GetLastWriteTimeUtc(binary);
        return Directory.EnumerateFiles(sources, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)) &&
                        !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
                        !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Any(f => File.GetLastWriteTimeUtc(f) > built);
    }

    public static string? AotPath()
    {
        foreach (var candidate in new[]
                 {
                     Environment.GetEnvironmentVariable("HHLEARN_BOOTSTRAP"),
                     RepoPath("src", "HhLearn.Function", "bin", "Release", "net10.0", "linux-x64", "publish", "bootstrap"),
                     RepoPath("artifacts", "bootstrap", "bootstrap"),
                 })
        {
            if (candidate is not null && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The sample catalog: the checkout's, else the copy that travels with the installed tool.</summary>
    public static string? SampleCatalog()
    {
        if (RepoPath("samples", "catalog") is { } checkout && Directory.Exists(checkout))
        {
            return checkout;
        }

        var shipped = Path.Combine(AppContext.BaseDirectory, "samples", "catalog");
        return Directory.Exists(shipped) ? shipped : null;
    }

    /// <summary>A path inside the HhLearn checkout this program runs from, or null when it runs outside one (an installed tool).</summary>
    public static string? RepoPath(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HhLearn.sln")))
        {
            dir = dir.Parent;
        }

        return dir is null ? null : Path.Combine([dir.FullName, .. parts]);
    }

    public ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Arguments.Count > 0 ? Arguments[^1] : FileName)!,
        };
        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }
}

/// <summary>
/// Keeps <c>concurrency</c> function processes polling the local Runtime API, as Lambda keeps execution
/// environments: a process that exits (a crash, or an init error) is started again after a short pause.
/// Their stdout (JSON log lines) goes to <see cref="LogLine"/>.
/// </summary>
public sealed class FunctionProcesses : IAsyncDisposable
{
    private readonly BootstrapCommand _command;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _supervisors = [];
    private readonly List<Process> _running = [];
    private readonly Lock _lock = new();

    public FunctionProcesses(BootstrapCommand command, IReadOnlyDictionary<string, string> environment, int concurrency, Action<string> logLine)
    {
        _command = command;
        _environment = environment;
        LogLine = logLine;
        for (var i = 0; i < concurrency; i++)
        {
            _supervisors.Add(SuperviseAsync(_stop.Token));
        }
    }

    public Action<string> LogLine { get; }

    public int Starts { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        lock (_lock)
        {
            foreach (var process in _running)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        }

        await Task.WhenAll(_supervisors);
        _stop.Dispose();
    }

    private async Task SuperviseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            using var process = new Process { StartInfo = _command.StartInfo(_environment), EnableRaisingEvents = true };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    LogLine(line);
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { Length: > 0 } line)
                {
                    LogLine(line);
                }
            };
            process.Start();
            lock (_lock)
            {
                Starts++;
                _running.Add(process);
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                lock (_lock)
                {
                    _running.Remove(process);
                }
            }

            // Lambda would start a new execution environment; pause so that a failing start does not spin.
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
