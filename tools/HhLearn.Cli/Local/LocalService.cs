using System.Text.Json.Nodes;
using HhLearn.HubSpotEmulator;
using HhLearn.Progress.Contact;

namespace HhLearn.Cli.Local;

public sealed record LocalOptions
{
    public int Port { get; init; } = 5080;

    /// <summary>A real (or separately run) HubSpot; null runs the built-in emulator on <see cref="EmulatorPort"/>.</summary>
    public Uri? HubSpotUrl { get; init; }

    public string? HubSpotToken { get; init; }
    public int EmulatorPort { get; init; } = 5081;
    public EmulatorOptions Emulator { get; init; } = new() { Token = LocalService.EmulatorToken, SearchLag = TimeSpan.FromSeconds(2) };

    /// <summary>Function instances (Lambda execution environments) polling the Runtime API.</summary>
    public int Concurrency { get; init; } = 4;

    public string? Bootstrap { get; init; }
    public string? CatalogDir { get; init; }
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>HubSpot requests per 10 s for the whole app; each instance gets its share.</summary>
    public int RateLimit { get; init; } = 100;

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the function's JSON log lines go.</summary>
    public Action<string> Log { get; init; } = Console.WriteLine;
}

/// <summary>
/// The service as AWS runs it, on one machine: API Gateway emulation in front, a local Lambda Runtime API, the
/// real <c>bootstrap</c> processes behind it, and the HubSpot emulator (or a given HubSpot).
/// </summary>
public sealed class LocalService : IAsyncDisposable
{
    public const string EmulatorToken = "local-token";

    private LocalService(LocalOptions options, HubSpotEmulator.HubSpotEmulator? emulator, Uri hubSpotUrl, LocalRuntimeApi runtime, FunctionProcesses processes, ApiGatewayFrontEnd frontEnd, BootstrapCommand bootstrap)
    {
        Options = options;
        Emulator = emulator;
        HubSpotUrl = hubSpotUrl;
        Runtime = runtime;
        Processes = processes;
        FrontEnd = frontEnd;
        Bootstrap = bootstrap;
    }

    public LocalOptions Options { get; }
    public HubSpotEmulator.HubSpotEmulator? Emulator { get; }
    public Uri HubSpotUrl { get; }
    public LocalRuntimeApi Runtime { get; }
    public FunctionProcesses Processes { get; }
    public ApiGatewayFrontEnd FrontEnd { get; }
    public BootstrapCommand Bootstrap { get; }
    public Uri ApiUrl => FrontEnd.BaseUrl;

    public static async Task<LocalService> StartAsync(LocalOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        HubSpotEmulator.HubSpotEmulator? emulator = null;
        Uri hubSpotUrl;
        string token;
        if (options.HubSpotUrl is { } external)
        {
            hubSpotUrl = external;
            token = options.HubSpotToken ?? throw new InvalidOperationException("a HubSpot URL needs a token (HUBSPOT_PRIVATE_APP_TOKEN)");
        }
        else
        {
            emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(options.Emulator, options.EmulatorPort, ct: ct);
            ProvisionEmulator(emulator.Store);
            hubSpotUrl = emulator.BaseUrl;
            token = options.Emulator.Token ?? EmulatorToken;
        }

        var runtime = await LocalRuntimeApi.StartAsync(options.FunctionTimeout);
        var bootstrap = BootstrapCommand.Find(options.Bootstrap);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_LAMBDA_RUNTIME_API"] = runtime.Address,
            ["AWS_LAMBDA_FUNCTION_NAME"] = "hhlearn-local",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "512",
            ["AWS_REGION"] = "us-east-1",
            ["ENABLE_CRM_PROGRESS"] = "true",
            ["HUBSPOT_BASE_URL"] = hubSpotUrl.ToString(),
            ["HUBSPOT_PRIVATE_APP_TOKEN"] = token,
            ["HUBSPOT_RATE_LIMIT"] = Math.Max(1, options.RateLimit / Math.Max(1, options.Concurrency)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ALLOWED_ORIGINS"] = "*",
        };
        if ((options.CatalogDir ?? BootstrapCommand.RepoPath("samples", "catalog")) is { } catalog && Directory.Exists(catalog))
        {
            environment["CATALOG_DIR"] = Path.GetFullPath(catalog);
        }

        foreach (var (key, value) in options.Environment)
        {
            environment[key] = value;
        }

        var processes = new FunctionProcesses(bootstrap, environment, options.Concurrency, options.Log);
        runtime.InitErrorReported += message =>
        {
            options.Log($"hhlearn local: the function failed to start: {message}");
            runtime.FailQueued("Runtime.InitError", message);
        };
        var frontEnd = await ApiGatewayFrontEnd.StartAsync(options.Port, runtime.InvokeAsync, () => new JsonObject
        {
            ["invocationsQueued"] = runtime.Queued,
            ["invocationsInFlight"] = runtime.InFlight,
            ["functionStarts"] = processes.Starts,
        });
        return new LocalService(options, emulator, hubSpotUrl, runtime, processes, frontEnd, bootstrap);
    }

    /// <summary>Creates HhLearn's properties in the emulator, as <c>hhlearn provision</c> would in HubSpot.</summary>
    public static void ProvisionEmulator(ContactStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.CreateGroup(new JsonObject { ["name"] = ContactPropertyNames.GroupName, ["label"] = ContactPropertyNames.GroupLabel });
        foreach (var p in ContactPropertySchema.All)
        {
            store.CreateProperty(new JsonObject
            {
                ["name"] = p.Name, ["label"] = p.Label, ["type"] = p.Type, ["fieldType"] = p.FieldType,
                ["groupName"] = ContactPropertyNames.GroupName, ["description"] = p.Description,
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await FrontEnd.DisposeAsync();
        await Processes.DisposeAsync();
        await Runtime.DisposeAsync();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}
