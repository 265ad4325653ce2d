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

    /// <summary>Function instances (Lambda execution environments) answering the API.</summary>
    public int Concurrency { get; init; } = 4;

    public string? Bootstrap { get; init; }
    public string? CatalogDir { get; init; }
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>HubSpot requests per 10 s for the whole app; each instance gets its share.</summary>
    public int RateLimit { get; init; } = 100;

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The original's HubSpot-only direct mode (no progress store). Otherwise (the default) store mode.</summary>
    public bool Direct { get; init; }

    /// <summary>The HubSpot app's client secret: the function takes webhooks with it, and the built-in emulator delivers them to it.</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>Another DynamoDB endpoint for the progress store; null runs dynalite (in memory) for it.</summary>
    public Uri? StoreUrl { get; init; }

    public string Table { get; init; } = Dynalite.DefaultTable;

    /// <summary>The projection queue; the visibility timeout is short so that retries come quickly on one machine.</summary>
    public QueueSettings Queue { get; init; } = new() { VisibilityTimeout = TimeSpan.FromSeconds(5), MaxReceiveCount = 5 };

    /// <summary>The event source mapping's maximum concurrency (the CDK default is 2).</summary>
    public int QueueConcurrency { get; init; } = 2;

    /// <summary>How often the sweeper runs (the stack's EventBridge schedule), and how long a learner may be behind before it nudges.</summary>
    public TimeSpan SweepEvery { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan SweepAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the projection collects learners before writing them (whole seconds); null keeps the function's default (5 s).</summary>
    public TimeSpan? ProjectionWindow { get; init; }

    /// <summary>
    /// The app's limit split over the local instances as the stack splits it over Lambda's: in direct mode every
    /// HubSpot call is the API's; in store mode the projectors get four fifths.
    /// </summary>
    public HubSpotBudget Budget => Direct
        ? HubSpotBudget.Split(RateLimit, RateLimit - 1, Concurrency, 0).Budget
        : HubSpotBudget.Split(RateLimit, Math.Max(1, RateLimit / 5), Concurrency + QueueConcurrency, QueueConcurrency).Budget;

    /// <summary>Where the start-up steps are told (<c>hhlearn local</c> prints them); null says nothing.</summary>
    public Action<string>? Steps { get; init; }

    /// <summary>Where the function's JSON log lines go.</summary>
    public Action<string> Log { get; init; } = Console.WriteLine;
}
