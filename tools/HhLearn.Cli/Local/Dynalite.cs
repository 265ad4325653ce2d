using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace HhLearn.Cli.Local;

/// <summary>
/// DynamoDB on this machine: dynalite (npm, DynamoDB's API over an in-memory LevelDB), run with the machine's node on
/// 127.0.0.1, with the progress table created. Used by <c>hhlearn local</c> and by the tests (one process each).
/// </summary>
public sealed class Dynalite : IAsyncDisposable
{
    public const string DefaultTable = "hhlearn-local-progress";

    private readonly Process _process;

    private Dynalite(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>
    /// Loaded before dynalite: it exits when its stdin (a pipe from the process that started it) closes, so a parent that
    /// dies without stopping it (a killed test host, a crashed <c>hhlearn local</c>) leaves no DynamoDB running.
    /// </summary>
    private const string ExitWithParent =
        "data:text/javascript,process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));process.stdin.resume();";

    /// <summary>
    /// dynalite behind a small front, in the same node process: a request that carries an <c>Origin</c> (a web page; the
    /// AWS SDK never sends one) or a <c>Host</c> other than this listener's loopback address (DNS rebinding) is refused
    /// with 403 before dynalite sees it, so no page on the developer's machine can read or change the table, and no
    /// CORS header is ever answered (dynalite itself answers any origin with <c>Access-Control-Allow-Origin: *</c>).
    /// </summary>
    private const string Front = """
        const port = Number(process.argv[1]);
        const server = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
        const [dynalite] = server.listeners('request');
        server.removeAllListeners('request');
        const hosts = new Set(['127.0.0.1:' + port, 'localhost:' + port, '[::1]:' + port]);
        server.on('request', (req, res) => {
          const host = String(req.headers.host || '').toLowerCase();
          if (req.headers.origin !== undefined || !hosts.has(host)) {
            res.writeHead(403, { 'content-type': 'application/x-amz-json-1.0' });
            res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException',
              message: 'the local DynamoDB answers only local programs: no web page (Origin) and no Host but 127.0.0.1 or localhost' }));
            return;
          }
          dynalite(req, res);
        });
        server.listen(port, '127.0.0.1', () => console.log('dynalite listening on ' + port));
        """;

    /// <summary>A client of this dynalite (dummy credentials; the region only names the signature).</summary>
    public AmazonDynamoDBClient Client() => new(new BasicAWSCredentials("local", "local"),
        new AmazonDynamoDBConfig { ServiceURL = Endpoint.ToString(), AuthenticationRegion = "us-east-1", Timeout = TimeSpan.FromSeconds(5), MaxErrorRetry = 2 });

    /// <summary>The dynalite the repository pins (package.json); the installed tool puts the same one in the user's cache.</summary>
    public const string Version = "4.0.0";

    /// <summary>
    /// Starts dynalite on a free port (or <paramref name="port"/>). In a checkout it is the repository's npm package
    /// (<c>npm ci</c> first when <c>node_modules/dynalite</c> is missing); outside one (the installed tool) it is
    /// installed once into the user's cache (<see cref="CacheDirectory"/>).
    /// </summary>
    public static async Task<Dynalite> StartAsync(int port = 0, Action<string>? say = null, CancellationToken ct = default)
    {
        var root = BootstrapCommand.RepoPath() is { } checkout && File.Exists(Path.Combine(checkout, "package.json")) ? checkout : null;
        var cli = Path.Combine(root ?? CacheDirectory(), "node_modules", "dynalite", "cli.js");
        if (!File.Exists(cli))
        {
            if (root is not null)
            {
                say?.Invoke("installing the local DynamoDB (npm ci at the repository root, once)");
                await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], root, ct);
            }
            else
            {
                root = CacheDirectory();
                say?.Invoke($"installing the local DynamoDB (dynalite {Version}) into {root}, once");
                Directory.CreateDirectory(root);
                await File.WriteAllTextAsync(Path.Combine(root, "package.json"), """{ "private": true, "description": "dynalite for hhlearn local" }""", ct);
                await RunAsync("npm", ["install", $"dynalite@{Version}", "--no-audit", "--no-fund", "--omit=dev"], root, ct);
            }

            if (!File.Exists(cli))
            {
                throw new InvalidOperationException($"npm did not install dynalite ({cli} is missing)");
            }
        }

        root ??= CacheDirectory();
        for (var attempt = 0; ; attempt++)
        {
            var chosen = port != 0 ? port : FreePort();
            var start = new ProcessStartInfo("node")
            {
                WorkingDirectory = root, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var argument in new[] { "--import", ExitWithParent, "-e", Front, chosen.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = start };
            var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var errors = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("listening", StringComparison.OrdinalIgnoreCase) == true)
                {
                    ready.TrySetResult(true);
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    lock (errors)
                    {
                        errors.AppendLine(line);
                    }
                }
            };
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => ready.TrySetResult(false);
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                process.Dispose();
                throw new InvalidOperationException("the local DynamoDB needs Node.js (node on PATH)", ex);
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), ct))
            {
                return new Dynalite(process, new Uri($"http://127.0.0.1:{chosen}/"));
            }

            process.Dispose();
            if (port != 0 || attempt >= 3)
            {
                throw new IOException($"dynalite did not start on port {chosen}: {errors.ToString().Trim()}");
            }
        }
    }

    /// <summary>Creates the progress table (as the CDK stack declares it) unless it exists; waits until it is active.</summary>
    public async Task CreateTableAsync(string table = DefaultTable, CancellationToken ct = default)
    {
        using var client = Client();
        try
        {
            await client.CreateTableAsync(ProgressTable.Definition(table), ct);
        }
        catch (ResourceInUseException)
        {
            // Already there.
        }

        for (var i = 0; i < 100; i++)
        {
            var description = await client.DescribeTableAsync(table, ct);
            if (description.Table.TableStatus == TableStatus.ACTIVE &&
                (description.Table.GlobalSecondaryIndexes ?? []).All(g => g.IndexStatus == IndexStatus.ACTIVE))
            {
                return;
            }

            await Task.Delay(50, ct);
        }

        throw new IOException($"the table {table} did not become active");
    }

    /// <summary>Makes every call fail (a DynamoDB outage) until <see cref="Resume"/>: the process is paused, so calls time out.</summary>
    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    public async ValueTask DisposeAsync()
    {
        try
        {
            Resume();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Where the installed tool keeps dynalite: <c>$XDG_CACHE_HOME/hhlearn/dynalite-VERSION</c>, else under <c>~/.cache</c>.</summary>
    public static string CacheDirectory()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "hhlearn", $"dynalite-{Version}");
    }

    private static async Task RunAsync(string file, string[] arguments, string directory, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"the local DynamoDB (dynalite) needs Node.js 18 or later with npm, and {file} is not on the PATH: install Node.js, or pass --store-url with another DynamoDB endpoint");
        }

        using var _ = process;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {await error}{await output}");
        }
    }
}
