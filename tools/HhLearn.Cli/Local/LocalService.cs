using System.Text.Json.Nodes;
using HhLearn.HubSpotEmulator;
using HhLearn.Operations;
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

    /// <summary>Pages that may call the API (API Gateway's CORS configuration): by default any page served from this machine.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = CorsPolicy.LocalDefault;

    /// <summary>Function instances (Lambda execution environments) polling the Runtime API.</summary>
    public int Concurrency { get; init; } = 4;

    public string? Bootstrap { get; init; }
    public string? CatalogDir { get; init; }
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>HubSpot requests per 10 s for the whole app; each instance gets its share.</summary>
    public int RateLimit { get; init; } = 100;

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Direct mode: the track route syncs before answering. Otherwise (the default) queue mode.</summary>
    public bool Direct { get; init; }

    /// <summary>The local FIFO queue; the visibility timeout is short so that retries come quickly on one machine.</summary>
    public QueueSettings Queue { get; init; } = new() { VisibilityTimeout = TimeSpan.FromSeconds(5), MaxReceiveCount = 5 };

    /// <summary>The event source mapping's maximum concurrency (the CDK default is 2).</summary>
    public int QueueConcurrency { get; init; } = 2;

    /// <summary>
    /// The app's limit split over the local instances as the stack splits it over Lambda's: in direct mode every
    /// HubSpot call is the API's; in queue mode the consumers get four fifths.
    /// </summary>
    public HubSpotBudget Budget => Direct
        ? HubSpotBudget.Split(RateLimit, RateLimit - 1, Concurrency, 0).Budget
        : HubSpotBudget.Split(RateLimit, Math.Max(1, RateLimit / 5), Concurrency + QueueConcurrency, QueueConcurrency).Budget;

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
    public const string QueueName = "hhlearn-sync.fifo";

    private LocalService(LocalOptions options, HubSpotEmulator.HubSpotEmulator? emulator, Uri hubSpotUrl, LocalRuntimeApi runtime, FunctionProcesses processes, ApiGatewayFrontEnd frontEnd, BootstrapCommand bootstrap,
        LocalSqs? sqs, FifoQueue? queue, LocalEventSourceMapping? mapping, LocalFaults faults)
    {
        Faults = faults;
        Sqs = sqs;
        Queue = queue;
        Mapping = mapping;
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
    public LocalSqs? Sqs { get; }
    public FifoQueue? Queue { get; }
    public LocalEventSourceMapping? Mapping { get; }

    /// <summary>Switches for the local services' faults (also at <c>/_local/faults</c>).</summary>
    public LocalFaults Faults { get; }

    /// <summary>Waits until the queue is empty and nothing is in flight (or the time is up); true when drained.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (Queue is null || Queue.Count == 0)
            {
                return true;
            }

            await Task.Delay(100, ct);
        }

        return Queue is null || Queue.Count == 0;
    }

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
        var budget = options.Budget;
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
            // Each instance has its own limiter, so each gets its share of the app's limit (the same split as the CDK
            // stack's): queue consumers x queue share + instances x read share <= the app's limit.
            ["HUBSPOT_RATE_LIMIT"] = (options.Direct ? budget.ReadShare : budget.QueueShare).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["HUBSPOT_READ_RATE_LIMIT"] = budget.ReadShare.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ALLOWED_ORIGINS"] = string.Join(',', options.AllowedOrigins),
        };
        if ((options.CatalogDir ?? BootstrapCommand.RepoPath("samples", "catalog")) is { } catalog && Directory.Exists(catalog))
        {
            environment["CATALOG_DIR"] = Path.GetFullPath(catalog);
        }

        foreach (var (key, value) in options.Environment)
        {
            environment[key] = value;
        }

        LocalSqs? sqs = null;
        FifoQueue? queue = null;
        if (!options.Direct)
        {
            sqs = await LocalSqs.StartAsync();
            // As on AWS (where it is 6x the function timeout), a message must stay invisible for longer than one
            // invocation can take; otherwise a second consumer would take a learner's events while the first still
            // writes them, and one of the two writes would be lost.
            var settings = options.Queue.VisibilityTimeout > options.FunctionTimeout
                ? options.Queue
                : options.Queue with { VisibilityTimeout = options.FunctionTimeout + TimeSpan.FromSeconds(1) };
            queue = sqs.CreateQueue(QueueName, settings);
            environment["SYNC_QUEUE_URL"] = sqs.QueueUrl(QueueName).ToString();
            environment["AWS_ENDPOINT_URL_SQS"] = sqs.Endpoint.ToString();
            environment.TryAdd("AWS_ACCESS_KEY_ID", "local");
            environment.TryAdd("AWS_SECRET_ACCESS_KEY", "local");
        }

        // Queue mode runs the consumers as further function instances, as Lambda scales them out.
        var processes = new FunctionProcesses(bootstrap, environment, options.Concurrency + (options.Direct ? 0 : options.QueueConcurrency), options.Log);
        runtime.InitErrorReported += message =>
        {
            options.Log($"hhlearn local: the function failed to start: {message}");
            runtime.FailQueued("Runtime.InitError", message);
        };
        var faults = new LocalFaults(sqs);
        var mapping = queue is null ? null : new LocalEventSourceMapping(queue, $"arn:aws:sqs:us-east-1:{LocalSqs.AccountId}:{QueueName}", runtime.InvokeAsync, options.QueueConcurrency);
        var frontEnd = await ApiGatewayFrontEnd.StartAsync(options.Port, runtime.InvokeAsync, () =>
        {
            var stats = new JsonObject
            {
                ["mode"] = options.Direct ? "direct" : "queue",
                ["invocationsQueued"] = runtime.Queued,
                ["invocationsInFlight"] = runtime.InFlight,
                ["functionStarts"] = processes.Starts,
            };
            if (queue is not null)
            {
                var (visible, inFlight) = queue.Counts;
                stats["queueDepth"] = visible;
                stats["queueInFlight"] = inFlight;
                stats["deadLetterQueue"] = queue.DeadLetter!.Count;
                stats["consumerInvocations"] = mapping!.Invocations;
                stats["messagesReturned"] = mapping.FailedMessages;
            }

            return stats;
        }, new CorsPolicy(options.AllowedOrigins), app => LocalConsole.Map(app, environment.GetValueOrDefault("CATALOG_DIR"), emulator, faults));
        return new LocalService(options, emulator, hubSpotUrl, runtime, processes, frontEnd, bootstrap, sqs, queue, mapping, faults);
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
        if (Mapping is not null)
        {
            await Mapping.DisposeAsync();
        }

        await Processes.DisposeAsync();
        await Runtime.DisposeAsync();
        if (Sqs is not null)
        {
            await Sqs.DisposeAsync();
        }
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}
