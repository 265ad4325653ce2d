using System.Collections;

namespace HhLearn.Function.Config;

/// <summary>
/// The function's configuration, read once from environment variables at start. Every problem is collected so
/// that a bad deployment is reported once, with all of its mistakes, through the runtime's init error.
/// </summary>
public sealed record FunctionConfig
{
    public bool CrmEnabled { get; init; }
    public ProgressBackend Backend { get; init; } = ProgressBackend.Properties;
    public string? TokenParameter { get; init; }
    public string? Token { get; init; }
    public Uri HubSpotBaseUrl { get; init; } = new("https://api.hubapi.com/");
    public string? CatalogDir { get; init; }
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];
    /// <summary>This instance's HubSpot requests per 10 s while it runs queue work (<c>HUBSPOT_RATE_LIMIT</c>).</summary>
    public int RateLimit { get; init; } = 100;

    /// <summary>This instance's HubSpot requests per 10 s while it answers the API (<c>HUBSPOT_READ_RATE_LIMIT</c>; default the same).</summary>
    public int? ReadRateLimit { get; init; }
    public string EventNamePrefix { get; init; } = string.Empty;
    public string ContactIdClaim { get; init; } = "hubspot_contact_id";

    /// <summary>Whether a token's <c>email</c> claim counts only with <c>email_verified</c> true (<c>JWT_REQUIRE_VERIFIED_EMAIL</c>).</summary>
    public bool RequireVerifiedEmail { get; init; } = true;

    /// <summary>The projection queue (SQS FIFO) that store writes nudge; needs <see cref="ProgressTable"/>.</summary>
    public Uri? SyncQueueUrl { get; init; }

    /// <summary>The progress table: store mode when set; without it, the original's HubSpot-only direct mode.</summary>
    public string? ProgressTable { get; init; }

    /// <summary>How long a learner may be behind in HubSpot before the sweeper nudges it again.</summary>
    public TimeSpan SweepAfter { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Where the deployment's hash key is (<c>HASH_KEY_PARAMETER</c>): an SSM SecureString name, or
    /// <c>/aws/reference/secretsmanager/NAME</c> for the Secrets Manager secret the stack generates.
    /// </summary>
    public string? HashKeyParameter { get; init; }

    /// <summary>
    /// The API's HubSpot calls per rolling 10 s for every instance together (<c>HUBSPOT_SHARED_READ_BUDGET</c>), enforced
    /// through the progress table: the deployed API function has no reserved concurrency, so a share per instance could
    /// not bound them. Unset, each instance's own limiter (<c>HUBSPOT_READ_RATE_LIMIT</c>) is the only bound.
    /// </summary>
    public int? SharedReadBudget { get; init; }

    /// <summary>Values every created contact gets unless the learner's own set them (<c>HUBSPOT_CREATE_DEFAULTS</c>, <c>name=value,...</c>).</summary>
    public IReadOnlyDictionary<string, string>? CreateDefaults { get; init; }

    /// <summary>The HubSpot API the client speaks (<c>HUBSPOT_API_VERSION</c>): a date version, default 2026-09, or v3 (legacy paths).</summary>
    public string HubSpotApiVersion { get; init; } = CrmConnectionSettings.DefaultApiVersion;

    /// <summary>
    /// Where the HubSpot app's client secret is (<c>WEBHOOK_SECRET_PARAMETER</c>, an SSM SecureString), or the secret
    /// itself (<c>HUBSPOT_WEBHOOK_SECRET</c>, local use): with either, <c>POST /hubspot/webhooks</c> takes HubSpot's deliveries.
    /// </summary>
    public string? WebhookSecretParameter { get; init; }

    public string? WebhookSecret { get; init; }

    /// <summary>The hash key itself (<c>HHLEARN_HASH_KEY</c>; local use).</summary>
    public HashKey? HashKey { get; init; }

    /// <summary>How long HubSpot's "no such contact" for a signed-in stranger is remembered (<c>STRANGER_TTL_SECONDS</c>, default an hour).</summary>
    public TimeSpan StrangerLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a projector holds the learners it writes (PROJECTION_LEASE_SECONDS): longer than an invocation may run.</summary>
    public TimeSpan ProjectionLease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the projection collects learners before writing them to HubSpot (<c>PROJECTION_WINDOW_SECONDS</c>, 0-60; 0 writes at once).</summary>
    public TimeSpan ProjectionWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The projection's HubSpot calls per 10 s, every projector together (<c>HUBSPOT_PROJECTION_BUDGET</c>): what its usage is measured against.</summary>
    public int? ProjectionBudget { get; init; }

    public static (FunctionConfig Config, IReadOnlyList<string> Problems) FromEnvironment(IDictionary variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        string? Get(string name) => variables[name] is string value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var problems = new List<string>();
        var config = new FunctionConfig();

        if (Get(SettingNames.EnableCrmProgress) is { } enabled)
        {
            if (ParseBool(enabled) is { } flag)
            {
                config = config with { CrmEnabled = flag };
            }
            else
            {
                problems.Add($"ENABLE_CRM_PROGRESS must be true or false (got '{enabled}')");
            }
        }

        switch (Get(SettingNames.ProgressBackend)?.ToLowerInvariant())
        {
            case null or "properties":
                break;
            case "events":
                config = config with { Backend = ProgressBackend.Events };
                break;
            case var other:
                problems.Add($"PROGRESS_BACKEND must be properties or events (got '{other}')");
                break;
        }

        config = config with { TokenParameter = Get(SettingNames.HubSpotTokenParameter), Token = Get(SettingNames.HubSpotToken) };
        if (config.CrmEnabled && config.TokenParameter is null && config.Token is null)
        {
            problems.Add("ENABLE_CRM_PROGRESS is true but neither HUBSPOT_TOKEN_PARAMETER (an SSM parameter name) nor HUBSPOT_PRIVATE_APP_TOKEN is set");
        }

        if (config.TokenParameter is { } parameter && !parameter.StartsWith('/') && parameter.Contains('/', StringComparison.Ordinal))
        {
            problems.Add($"HUBSPOT_TOKEN_PARAMETER '{parameter}' must be a parameter name such as /hhlearn/prod/hubspot-token");
        }

        if (Get(SettingNames.HubSpotBaseUrl) is { } baseUrl)
        {
            if (Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                config = config with { HubSpotBaseUrl = uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/") };
            }
            else
            {
                problems.Add($"HUBSPOT_BASE_URL must be an absolute http(s) URL (got '{baseUrl}')");
            }
        }

        var catalogDir = Get(SettingNames.CatalogDir);
        if (catalogDir is not null && !Directory.Exists(catalogDir))
        {
            problems.Add($"CATALOG_DIR '{catalogDir}' does not exist");
        }

        config = config with { CatalogDir = catalogDir ?? DefaultCatalogDir() };

        if (Get(SettingNames.AllowedOrigins) is { } origins)
        {
            var list = origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            foreach (var problem in list.Select(CorsPolicy.Problem).OfType<string>())
            {
                problems.Add($"ALLOWED_ORIGINS entry {problem}");
            }

            config = config with { AllowedOrigins = list.Select(o => o.TrimEnd('/')).ToList() };
        }

        if (Get(SettingNames.HubSpotRateLimit) is { } rate)
        {
            try
            {
                config = config with { RateLimit = CrmConnectionSettings.ParseRateLimit(rate) };
            }
            catch (FormatException ex)
            {
                problems.Add($"HUBSPOT_RATE_LIMIT: {ex.Message}");
            }
        }

        if (Get(SettingNames.HubSpotReadRateLimit) is { } readRate)
        {
            try
            {
                config = config with { ReadRateLimit = CrmConnectionSettings.ParseRateLimit(readRate) };
            }
            catch (FormatException ex)
            {
                problems.Add($"HUBSPOT_READ_RATE_LIMIT: {ex.Message}");
            }
        }

        config = config with
        {
            EventNamePrefix = Get("HUBSPOT_EVENT_NAME_PREFIX") ?? string.Empty,
            ContactIdClaim = Get(SettingNames.JwtContactIdClaim) ?? config.ContactIdClaim,
        };

        if (Get(SettingNames.JwtRequireVerifiedEmail) is { } verified)
        {
            if (ParseBool(verified) is { } flag)
            {
                config = config with { RequireVerifiedEmail = flag };
            }
            else
            {
                problems.Add($"JWT_REQUIRE_VERIFIED_EMAIL must be true or false (got '{verified}')");
            }
        }

        if (Get(SettingNames.SyncQueueUrl) is { } queue)
        {
            if (Uri.TryCreate(queue, UriKind.Absolute, out var queueUrl) && queueUrl.AbsolutePath.EndsWith(".fifo", StringComparison.Ordinal))
            {
                config = config with { SyncQueueUrl = queueUrl };
            }
            else
            {
                problems.Add($"SYNC_QUEUE_URL must be the URL of a FIFO queue ending in .fifo (got '{queue}')");
            }
        }

        config = config with { ProgressTable = Get(SettingNames.ProgressTable) };
        if (config.ProgressTable is { } table && (table.Length is < 3 or > 255 || !table.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.')))
        {
            problems.Add($"PROGRESS_TABLE must be a DynamoDB table name (3 to 255 letters, digits, _ - .; got '{table}')");
        }

        if (config.ProgressTable is not null && config.Backend == ProgressBackend.Events)
        {
            problems.Add("PROGRESS_BACKEND=events cannot be used with PROGRESS_TABLE: the progress store projects contact properties; use properties, or unset PROGRESS_TABLE for HubSpot-only direct mode");
        }

        if (Get(SettingNames.HubSpotApiVersion) is { } apiVersion)
        {
            if (CrmConnectionSettings.ApiVersionProblem(apiVersion) is { } versionProblem)
            {
                problems.Add($"HUBSPOT_API_VERSION {versionProblem}");
            }
            else
            {
                config = config with { HubSpotApiVersion = apiVersion };
            }
        }

        if (Get(SettingNames.HubSpotCreateDefaults) is { } defaultsText)
        {
            var (defaults, defaultsProblem) = ContactWriterOptions.ParseDefaults(defaultsText);
            if (defaultsProblem is not null)
            {
                problems.Add($"HUBSPOT_CREATE_DEFAULTS must be name=value pairs separated by commas: {defaultsProblem}");
            }
            else
            {
                config = config with { CreateDefaults = defaults };
            }
        }

        config = config with { WebhookSecretParameter = Get(SettingNames.WebhookSecretParameter), WebhookSecret = Get(SettingNames.HubSpotWebhookSecret) };
        if ((config.WebhookSecretParameter ?? config.WebhookSecret) is not null && (Get(SettingNames.ProgressTable) is null || Get(SettingNames.SyncQueueUrl) is null))
        {
            problems.Add("HubSpot's webhooks (WEBHOOK_SECRET_PARAMETER or HUBSPOT_WEBHOOK_SECRET) need the progress store and its queue: set PROGRESS_TABLE and SYNC_QUEUE_URL");
        }

        config = config with { HashKeyParameter = Get(SettingNames.HashKeyParameter) };
        if (Get(SettingNames.HashKey) is { } hashKeyText)
        {
            if (HashKey.TryParse(hashKeyText) is { } hashKey)
            {
                config = config with { HashKey = hashKey };
            }
            else
            {
                problems.Add($"HHLEARN_HASH_KEY must be at least {HashKey.MinimumLength} characters (hhlearn local generates one)");
            }
        }

        if (config.CrmEnabled && config.ProgressTable is not null && config.HashKeyParameter is null && Get(SettingNames.HashKey) is null)
        {
            problems.Add("PROGRESS_TABLE needs the deployment's hash key for suppression records and log hashes: set HASH_KEY_PARAMETER (the stack does) or HHLEARN_HASH_KEY");
        }

        if (config.SyncQueueUrl is not null && config.ProgressTable is null)
        {
            problems.Add("SYNC_QUEUE_URL is the projection queue of the progress store: set PROGRESS_TABLE too, or unset SYNC_QUEUE_URL for HubSpot-only direct mode");
        }

        if (Whole(SettingNames.HubSpotSharedReadBudget, 2, int.MaxValue, "a whole number of requests per 10 s, at least 2") is { } shared)
        {
            config = config with { SharedReadBudget = shared };
        }

        if (Seconds(SettingNames.ProjectionSweepAfterSeconds) is { } sweepAfter)
        {
            config = config with { SweepAfter = sweepAfter };
        }

        if (Seconds(SettingNames.ProjectionLeaseSeconds) is { } lease)
        {
            config = config with { ProjectionLease = lease };
        }

        if (Whole(SettingNames.ProjectionWindowSeconds, 0, 60, "a whole number of seconds from 0 to 60") is { } window)
        {
            config = config with { ProjectionWindow = TimeSpan.FromSeconds(window) };
        }

        if (Whole(SettingNames.HubSpotProjectionBudget, 1, int.MaxValue, "a whole number of requests per 10 s, at least 1") is { } projectionBudget)
        {
            config = config with { ProjectionBudget = projectionBudget };
        }

        if (Seconds(SettingNames.StrangerTtlSeconds) is { } strangerLifetime)
        {
            config = config with { StrangerLifetime = strangerLifetime };
        }

        int? Whole(string name, int min, int max, string meaning)
        {
            if (Get(name) is not { } text)
            {
                return null;
            }

            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            problems.Add($"{name} must be {meaning} (got '{text}')");
            return null;
        }

        TimeSpan? Seconds(string name)
        {
            if (Get(name) is not { } text)
            {
                return null;
            }

            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 1)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            problems.Add($"{name} must be a whole number of seconds (got '{text}')");
            return null;
        }

        return (config, problems);
    }

    private static bool? ParseBool(string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => null,
    };

    private static string? DefaultCatalogDir()
    {
        var packaged = Path.Combine(AppContext.BaseDirectory, "catalog");
        return Directory.Exists(packaged) ? packaged : null;
    }
}
