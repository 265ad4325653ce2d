namespace HhLearn.Cli.Local;

/// <summary>
/// The service as AWS runs it, on one machine: API Gateway emulation in front, a local Lambda Runtime API, the real
/// <c>bootstrap</c> processes behind it, the progress store (dynalite), the projection queue with its event source
/// mapping and a sweeper on a timer, and the HubSpot emulator (or a given HubSpot).
/// </summary>
public sealed class LocalService : IAsyncDisposable
{
    public const string EmulatorToken = "local-token";
    public const string QueueName = "hhlearn-projection.fifo";

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sweeper;
    private readonly LocalParts _parts;

    private LocalService(LocalOptions options, LocalParts parts)
    {
        _parts = parts;
        Options = options;
        _sweeper = Store is null ? Task.CompletedTask : SweepLoopAsync(_stop.Token);
    }

    public LocalOptions Options { get; }
    public HubSpotEmulator.HubSpotEmulator? Emulator => _parts.Emulator;
    public Uri HubSpotUrl => _parts.HubSpotUrl;
    public LocalRuntimeApi Runtime => _parts.Runtime;
    public FunctionProcesses Processes => _parts.Processes;
    public ApiGatewayFrontEnd FrontEnd => _parts.FrontEnd;
    public BootstrapCommand Bootstrap => _parts.Bootstrap;
    public Uri ApiUrl => FrontEnd.BaseUrl;
    public LocalSqs? Sqs => _parts.Sqs;
    public FifoQueue? Queue => _parts.Queue;
    public LocalEventSourceMapping? Mapping => _parts.Mapping;

    /// <summary>The local DynamoDB, when this stack runs it (not with <see cref="LocalOptions.StoreUrl"/>).</summary>
    public Dynalite? Dynalite => _parts.Dynalite;

    /// <summary>The progress store, read from this process (for the console, the stats and the tests).</summary>
    public ProgressStore? Store => _parts.Store;

    /// <summary>The hash key the local function keys suppression records and log hashes with (store mode), as text.</summary>
    public string? HashKeyText => _parts.HashKeyText;

    /// <summary>Switches for the local services' faults (also at <c>/_local/faults</c>).</summary>
    public LocalFaults Faults => _parts.Faults;

    public long Sweeps { get; private set; }

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

            await Task.Delay(50, ct);
        }

        return Queue is null || Queue.Count == 0;
    }

    /// <summary>Waits until HubSpot holds every stored learner's latest version (no learner behind), or the time is up.</summary>
    public async Task<bool> ConvergeAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await DrainAsync(deadline - DateTimeOffset.UtcNow, ct) && (Store is null || (await Store.DueAsync(DateTimeOffset.UtcNow.AddMinutes(1), 1, ct)).Count == 0))
            {
                return true;
            }

            await Task.Delay(100, ct);
        }

        return false;
    }

    /// <summary>Runs the sweeper now (the function's scheduled event), as the timer does every <see cref="LocalOptions.SweepEvery"/>.</summary>
    public async Task SweepAsync(CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        var scheduled = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = "Scheduled Event",
            ["source"] = "aws.events",
            ["account"] = LocalSqs.AccountId,
            ["time"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["region"] = "us-east-1",
            ["resources"] = new JsonArray("arn:aws:events:us-east-1:000000000000:rule/hhlearn-local-sweeper"),
            ["detail"] = new JsonObject(),
        }.ToJsonString());
        await Runtime.InvokeAsync(scheduled, ct);
        Sweeps++;
    }

    public static async Task<LocalService> StartAsync(LocalOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parts = new LocalParts();
        try
        {
            await StartPartsAsync(options, parts, ct);
            return new LocalService(options, parts);
        }
        catch
        {
            await parts.DisposeAsync();
            throw;
        }
    }

    private static async Task StartPartsAsync(LocalOptions options, LocalParts parts, CancellationToken ct)
    {
        string token;
        if (options.HubSpotUrl is { } external)
        {
            parts.HubSpotUrl = external;
            token = options.HubSpotToken ?? throw new InvalidOperationException("a HubSpot URL needs a token (HUBSPOT_PRIVATE_APP_TOKEN)");
        }
        else
        {
            options.Steps?.Invoke("starting the HubSpot emulator");
            parts.Emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(options.Emulator, options.EmulatorPort, ct: ct);
            ProvisionEmulator(parts.Emulator.Store);
            parts.HubSpotUrl = parts.Emulator.BaseUrl;
            token = options.Emulator.Token ?? EmulatorToken;
        }

        options.Steps?.Invoke("starting the Lambda Runtime API");
        parts.Runtime = await LocalRuntimeApi.StartAsync(options.FunctionTimeout);
        var budget = options.Budget;
        parts.Bootstrap = BootstrapCommand.Find(options.Bootstrap);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.LambdaRuntimeApi] = parts.Runtime.Address,
            ["AWS_LAMBDA_FUNCTION_NAME"] = "hhlearn-local",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "512",
            ["AWS_REGION"] = "us-east-1",
            [SettingNames.EnableCrmProgress] = "true",
            [SettingNames.HubSpotBaseUrl] = parts.HubSpotUrl.ToString(),
            [SettingNames.HubSpotToken] = token,

            // Each instance has its own limiter, so each gets its share of the app's limit (the same split as the CDK
            // stack's): projectors x queue share + instances x read share <= the app's limit.
            [SettingNames.HubSpotRateLimit] = (options.Direct ? budget.ReadShare : budget.QueueShare).ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingNames.HubSpotReadRateLimit] = budget.ReadShare.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingNames.AllowedOrigins] = string.Join(',', options.AllowedOrigins),
        };
        if ((options.CatalogDir ?? BootstrapCommand.SampleCatalog()) is { } catalogDir && Directory.Exists(catalogDir))
        {
            environment[SettingNames.CatalogDir] = Path.GetFullPath(catalogDir);
        }

        if (!options.Direct)
        {
            await StartStoreAndQueueAsync(options, parts, environment, ct);
        }

        foreach (var (key, value) in options.Environment)
        {
            environment[key] = value;
        }

        // The projectors run as further function instances, as Lambda scales them out for the event source mapping.
        parts.Processes = new FunctionProcesses(parts.Bootstrap, environment, options.Concurrency + (options.Direct ? 0 : options.QueueConcurrency), options.Log);
        var runtime = parts.Runtime;
        runtime.InitErrorReported += message =>
        {
            options.Log($"hhlearn local: the function failed to start: {message}");
            runtime.FailQueued("Runtime.InitError", message);
        };
        if (parts.Queue is { } queue)
        {
            parts.Mapping = new LocalEventSourceMapping(queue, $"arn:aws:sqs:us-east-1:{LocalSqs.AccountId}:{QueueName}", runtime.InvokeAsync, options.QueueConcurrency);
        }

        options.Steps?.Invoke($"starting {options.Concurrency + (options.Direct ? 0 : options.QueueConcurrency)} function instances ({parts.Bootstrap.Kind.ToUpperInvariant()}) and the API Gateway emulation");
        parts.Faults = new LocalFaults(parts.Sqs, parts.Dynalite);
        var catalog = environment.GetValueOrDefault(SettingNames.CatalogDir);
        parts.FrontEnd = await ApiGatewayFrontEnd.StartAsync(options.Port, runtime.InvokeAsync, () => StatsAsync(options, parts),
            new CorsPolicy(options.AllowedOrigins), app => LocalConsole.Map(app, catalog, parts.Emulator, parts.Store, parts.Faults));

        // HubSpot's webhooks: the built-in emulator (or one run apart) delivers its merges, deletions and email changes here.
        if (options.WebhookSecret is { } secret && !options.Direct)
        {
            await LocalWebhooks.SubscribeAsync(parts.Emulator, parts.HubSpotUrl, new Uri(parts.FrontEnd.BaseUrl, "hubspot/webhooks"), secret, options.Log, ct);
        }
    }

    /// <summary>The progress store (dynalite, or the given endpoint) with its table, and the projection queue.</summary>
    private static async Task StartStoreAndQueueAsync(LocalOptions options, LocalParts parts, Dictionary<string, string> environment, CancellationToken ct)
    {
        Uri endpoint;
        if (options.StoreUrl is { } storeUrl)
        {
            endpoint = storeUrl;
            using var client = ProgressStore.CreateClient(storeUrl.ToString());
            await CreateTableIfMissingAsync(client, options.Table, ct);
        }
        else
        {
            options.Steps?.Invoke("starting the progress store (dynalite)");
            parts.Dynalite = await Dynalite.StartAsync(say: options.Steps ?? options.Log, ct: ct);
            await parts.Dynalite.CreateTableAsync(options.Table, ct);
            endpoint = parts.Dynalite.Endpoint;
        }

        parts.StoreClient = options.StoreUrl is null ? parts.Dynalite!.Client() : ProgressStore.CreateClient(endpoint.ToString());
        // The hash key of suppression records and log hashes: the developer's HHLEARN_HASH_KEY, else one for this run.
        var hashKeyText = Environment.GetEnvironmentVariable(SettingNames.HashKey) is { Length: >= HashKey.MinimumLength } given ? given : HashKey.Generate();
        environment[SettingNames.HashKey] = hashKeyText;
        parts.HashKeyText = hashKeyText;
        parts.Store = new ProgressStore(parts.StoreClient, options.Table, Progress.Catalog.LearningCatalog.Empty, TimeProvider.System, new StoreOptions { HashKey = HashKey.TryParse(hashKeyText) });
        environment[SettingNames.ProgressTable] = options.Table;
        if (options.WebhookSecret is { } webhookSecret)
        {
            environment[SettingNames.HubSpotWebhookSecret] = webhookSecret;
        }

        environment[SettingNames.AwsEndpointDynamoDb] = endpoint.ToString();
        environment[SettingNames.ProjectionSweepAfterSeconds] = Math.Max(1, (int)options.SweepAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment[SettingNames.HubSpotProjectionBudget] = (options.Budget.QueueConcurrency * options.Budget.QueueShare).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (options.ProjectionWindow is { } window)
        {
            environment[SettingNames.ProjectionWindowSeconds] = ((int)window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        options.Steps?.Invoke("starting the projection queue (SQS FIFO) and its event source mapping");
        parts.Sqs = await LocalSqs.StartAsync();
        // As on AWS (where it is 6x the function timeout), a message must stay invisible for longer than one invocation
        // can take; otherwise a second projector would take a learner while the first still writes it.
        var settings = options.Queue.VisibilityTimeout > options.FunctionTimeout
            ? options.Queue
            : options.Queue with { VisibilityTimeout = options.FunctionTimeout + TimeSpan.FromSeconds(1) };
        parts.Queue = parts.Sqs.CreateQueue(QueueName, settings);
        environment[SettingNames.SyncQueueUrl] = parts.Sqs.QueueUrl(QueueName).ToString();
        environment[SettingNames.AwsEndpointSqs] = parts.Sqs.Endpoint.ToString();
        environment.TryAdd("AWS_ACCESS_KEY_ID", "local");
        environment.TryAdd("AWS_SECRET_ACCESS_KEY", "local");
    }

    private static async Task CreateTableIfMissingAsync(Amazon.DynamoDBv2.AmazonDynamoDBClient client, string table, CancellationToken ct)
    {
        try
        {
            await client.CreateTableAsync(ProgressTable.Definition(table), ct);
        }
        catch (Amazon.DynamoDBv2.Model.ResourceInUseException)
        {
            // There already.
        }
    }

    private static async Task<JsonObject> StatsAsync(LocalOptions options, LocalParts parts)
    {
        var stats = new JsonObject
        {
            ["mode"] = options.Direct ? "direct" : "store",
            ["invocationsQueued"] = parts.Runtime.Queued,
            ["invocationsInFlight"] = parts.Runtime.InFlight,
            ["functionStarts"] = parts.Processes.Starts,
        };
        if (parts.Queue is { } queue)
        {
            var (visible, inFlight) = queue.Counts;
            stats["queueDepth"] = visible;
            stats["queueInFlight"] = inFlight;
            stats["deadLetterQueue"] = queue.DeadLetter!.Count;
            stats["consumerInvocations"] = parts.Mapping!.Invocations;
            stats["messagesReturned"] = parts.Mapping.FailedMessages;
        }

        if (parts.Store is { } store)
        {
            try
            {
                var now = DateTimeOffset.UtcNow;
                var behind = await store.DueAsync(now.AddMinutes(1), 1000, CancellationToken.None);
                stats["learnersBehind"] = behind.Count;
                stats["oldestBehindSeconds"] = behind.Count > 0 && (await store.GetManyAsync([behind[0]], CancellationToken.None)).GetValueOrDefault(behind[0])?.DueSince is { } since &&
                                               Progress.State.Stamp.TryParseInstant(since) is { } at
                    ? Math.Round(Math.Max(0, (now - at).TotalSeconds), 1)
                    : 0;
            }
            catch (StoreUnavailableException)
            {
                stats["learnersBehind"] = null;
                stats["store"] = "unavailable";
            }
        }

        return stats;
    }

    private async Task SweepLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.SweepEvery, ct);
                await SweepAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Creates HhLearn's properties in the emulator, as <c>hhlearn provision</c> would in HubSpot (tests use it too).</summary>
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
        await _stop.CancelAsync();
        await _sweeper;
        _stop.Dispose();
        await _parts.DisposeAsync();
    }

    /// <summary>What has been started so far; disposed in reverse on failure or stop.</summary>
    private sealed class LocalParts : IAsyncDisposable
    {
        public HubSpotEmulator.HubSpotEmulator? Emulator { get; set; }
        public Uri HubSpotUrl { get; set; } = null!;
        public LocalRuntimeApi Runtime { get; set; } = null!;
        public BootstrapCommand Bootstrap { get; set; } = null!;
        public FunctionProcesses Processes { get; set; } = null!;
        public ApiGatewayFrontEnd FrontEnd { get; set; } = null!;
        public LocalSqs? Sqs { get; set; }
        public FifoQueue? Queue { get; set; }
        public LocalEventSourceMapping? Mapping { get; set; }
        public Dynalite? Dynalite { get; set; }
        public Amazon.DynamoDBv2.AmazonDynamoDBClient? StoreClient { get; set; }
        public ProgressStore? Store { get; set; }
        public string? HashKeyText { get; set; }
        public LocalFaults Faults { get; set; } = null!;

        public async ValueTask DisposeAsync()
        {
            // Every part is stopped even when stopping one fails: a process left running would outlive the stack.
            var failures = new List<Exception>();
            async Task StopAsync(IAsyncDisposable? part)
            {
                try
                {
                    if (part is not null)
                    {
                        await part.DisposeAsync();
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failures.Add(ex);
                }
            }

            await StopAsync(FrontEnd);
            await StopAsync(Mapping);
            await StopAsync(Processes);
            await StopAsync(Runtime);
            await StopAsync(Sqs);
            StoreClient?.Dispose();
            await StopAsync(Dynalite);
            await StopAsync(Emulator);
            if (failures.Count > 0)
            {
                throw new AggregateException("stopping the local stack", failures);
            }
        }
    }
}
