using System.Globalization;

namespace HhLearn.Infra;

/// <summary>Everything a deployment can set through CDK context (<c>-c key=value</c> or cdk.json), with safe defaults.</summary>
public sealed record Settings
{
    public string Stage { get; init; } = "dev";

    /// <summary>The folder with the published <c>bootstrap</c> (and its catalog/).</summary>
    public required string AssetDir { get; init; }

    /// <summary>arm64 (cheaper, the default) or x86_64; the bootstrap must be published for it.</summary>
    public string Architecture { get; init; } = "arm64";

    public bool EnableCrmProgress { get; init; }
    public string ProgressBackend { get; init; } = "properties";
    public string? TokenParameter { get; init; }
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>HubSpot requests per 10 s for the whole private app (100, 190 or 250).</summary>
    public int HubSpotRateLimit { get; init; } = 100;

    /// <summary>The part of <see cref="HubSpotRateLimit"/> kept for the API's own HubSpot calls (shared by every API instance); default a fifth.</summary>
    public int? HubSpotReadBudget { get; init; }

    /// <summary>
    /// Whether the projector function reserves its concurrency (queue consumers + 1 for the sweeper), so that an API
    /// burst never throttles it. An account whose concurrency quota is under 100 + that cannot reserve any: false there.
    /// </summary>
    public bool ReserveConcurrency { get; init; } = true;

    /// <summary>The API function's reserved concurrency; unset, none (the stage throttle bounds it).</summary>
    public int? ApiReservedConcurrency { get; init; }

    /// <summary>A context key of an earlier version that is set (and no longer read): said at synth so it is not silently ignored.</summary>
    public IReadOnlyList<string> RetiredKeys { get; init; } = [];

    /// <summary>HUBSPOT_API_VERSION: the HubSpot API the functions speak (a date version, or v3 for the legacy paths).</summary>
    public string HubSpotApiVersion { get; init; } = HubSpotBudget.DefaultHubSpotApiVersion;

    /// <summary>HUBSPOT_CREATE_DEFAULTS: values created contacts get (for properties a portal requires on create), <c>name=value,...</c>.</summary>
    public string? HubSpotCreateDefaults { get; init; }

    /// <summary>Whether HubSpot's webhooks are received (<c>POST /hubspot/webhooks</c>, no JWT authorizer: the signature authenticates).</summary>
    public bool HubSpotWebhooks { get; init; }

    /// <summary>The SSM SecureString holding the HubSpot app's client secret (webhook signatures).</summary>
    public string? WebhookSecretParameter { get; init; }

    public string WebhookSecretParameterName => WebhookSecretParameter ?? $"/hhlearn/{Stage}/hubspot-client-secret";

    /// <summary>STRANGER_TTL_SECONDS: how long HubSpot's "nobody" for a signed-in stranger is remembered.</summary>
    public int StrangerTtlSeconds { get; init; } = 3600;

    /// <summary>JWT_REQUIRE_VERIFIED_EMAIL: a token's email names the learner only with email_verified true.</summary>
    public bool JwtRequireVerifiedEmail { get; init; } = true;

    /// <summary>JWT_CONTACT_ID_CLAIM: the claim holding a HubSpot contact id; unset, the function's default.</summary>
    public string? JwtContactIdClaim { get; init; }

    /// <summary>The customer-managed KMS key the token's SecureString is encrypted with (the function may decrypt with it).</summary>
    public string? TokenKmsKeyArn { get; init; }

    /// <summary>A custom domain for the API (with <see cref="CertificateArn"/>), mapped at <see cref="BasePath"/> when set.</summary>
    public string? DomainName { get; init; }
    public string? CertificateArn { get; init; }
    public string? BasePath { get; init; }

    /// <summary>Deploy with sync on and no JWT authorizer, on purpose (the API then trusts identifiers in requests).</summary>
    public bool AllowUnauthenticated { get; init; }

    public int MaxReceiveCount { get; init; } = 5;
    public int QueueMaxConcurrency { get; init; } = 2;
    public int ThrottleRate { get; init; } = 50;
    public int ThrottleBurst { get; init; } = 100;
    public string? JwtIssuer { get; init; }
    public string? JwtAudience { get; init; }
    public int ContactCreationSpikeThreshold { get; init; } = 500;
    public string? AlarmEmail { get; init; }
    public int MemorySize { get; init; } = 512;
    public int TimeoutSeconds { get; init; } = 30;
    public int LogRetentionDays { get; init; } = 30;

    /// <summary>How long a learner may be behind in HubSpot before the sweeper nudges it again.</summary>
    public int SweepAfterSeconds { get; init; } = 180;

    /// <summary>How long the projection collects learners before writing them to HubSpot in full batches (0 writes at once).</summary>
    public int ProjectionWindowSeconds { get; init; } = 5;

    /// <summary>The projection lag (oldest learner behind) that alarms.</summary>
    public int ProjectionLagAlarmSeconds { get; init; } = 600;

    public string TokenParameterName => TokenParameter ?? $"/hhlearn/{Stage}/hubspot-token";

    public bool HasAuthorizer => JwtIssuer is not null && JwtAudience is not null;

    /// <summary>How the app's HubSpot limit is split between the projector's queue consumers and the API's shared read budget.</summary>
    public (HubSpotBudget Budget, IReadOnlyList<string> Problems) Budget =>
        HubSpotBudget.SplitShared(HubSpotRateLimit, HubSpotReadBudget ?? Math.Max(2, HubSpotRateLimit / 5), QueueMaxConcurrency);

    /// <summary>What makes this configuration unsafe or impossible to deploy, one line each; synth fails on any.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (EnableCrmProgress && !HasAuthorizer && !AllowUnauthenticated)
        {
            problems.Add("enableCrmProgress=true needs a JWT authorizer: pass -c jwtIssuer=https://<your identity provider>/ -c jwtAudience=<audience>, " +
                         "or accept an API that trusts the identifiers in each request on purpose with -c allowUnauthenticated=true");
        }

        // The stack always deploys the progress store, whose projection writes contact properties: the function would
        // refuse any other backend at init (FunctionConfig), so every request would fail. Say so at synth instead.
        if (ProgressBackend != "properties")
        {
            problems.Add($"progressBackend={ProgressBackend} cannot be deployed: the stack's progress store projects contact properties (progressBackend=properties, the default); " +
                         "HubSpot behavioral events work only in the function's HubSpot-only direct mode, without the store");
        }

        foreach (var origin in AllowedOrigins)
        {
            if (origin.Contains('*', StringComparison.Ordinal))
            {
                problems.Add($"allowedOrigins '{origin}' cannot be used: the API allows credentials (browsers send beacons with them) and a browser refuses " +
                             "a wildcard for a credentialed request; list the site's origins, e.g. -c allowedOrigins=https://learn.example.com,https://www.example.com");
            }
            else if (CorsPolicy.Problem(origin) is { } problem)
            {
                problems.Add($"allowedOrigins entry {problem}");
            }
        }

        problems.AddRange(Budget.Problems.Select(p => $"HubSpot budget: {p}"));
        if (ProjectionWindowSeconds < 0 || ProjectionWindowSeconds > 60)
        {
            problems.Add($"projectionWindowSeconds must be from 0 to 60 (got {ProjectionWindowSeconds})");
        }
        else if ((3 * ProjectionWindowSeconds) + 10 > TimeoutSeconds)
        {
            // A window grows to three lengths as HubSpot gets busy, and its owner then writes: both in one invocation.
            problems.Add($"projectionWindowSeconds {ProjectionWindowSeconds} needs timeoutSeconds of at least {(3 * ProjectionWindowSeconds) + 10} (got {TimeoutSeconds}): a window grows to three lengths and then writes");
        }
        if ((DomainName is null) != (CertificateArn is null))
        {
            problems.Add("a custom domain needs both -c domainName=api.example.com and -c certificateArn=arn:aws:acm:...; pass both or neither");
        }

        if (BasePath is not null && DomainName is null)
        {
            problems.Add("basePath maps the API under a custom domain: pass -c domainName and -c certificateArn with it");
        }

        if (BasePath is { } basePath && !System.Text.RegularExpressions.Regex.IsMatch(basePath, "^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"))
        {
            problems.Add($"basePath '{basePath}' must be one or more path segments without leading or trailing '/', e.g. learn or v1/learn");
        }

        if (TokenKmsKeyArn is { } kms && !kms.StartsWith("arn:", StringComparison.Ordinal))
        {
            problems.Add($"tokenKmsKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; got '{kms}')");
        }

        if (HubSpotApiVersion != "v3" && !System.Text.RegularExpressions.Regex.IsMatch(HubSpotApiVersion, "^20[2-9][0-9]-(03|09)$"))
        {
            problems.Add($"hubspotApiVersion must be v3 or a date version such as 2026-09 (got '{HubSpotApiVersion}')");
        }

        if (ApiReservedConcurrency is < 1)
        {
            problems.Add($"apiReservedConcurrency must be at least 1 (got {ApiReservedConcurrency}); leave it unset for none");
        }

        return problems;
    }

    /// <summary>What synth should warn about: a configuration that deploys but that nobody could use as meant.</summary>
    public IReadOnlyList<string> Warnings()
    {
        var warnings = new List<string>();
        if (EnableCrmProgress && AllowedOrigins.Count == 0)
        {
            warnings.Add("enableCrmProgress=true and no allowedOrigins: no browser can call the API (CORS); pass -c allowedOrigins=https://learn.example.com");
        }

        foreach (var key in RetiredKeys)
        {
            warnings.Add(key == "reservedConcurrency"
                ? "reservedConcurrency is no longer read: the projector reserves queueMaxConcurrency + 1 (-c reserveConcurrency=false for an account that cannot), the API none (-c apiReservedConcurrency=N)"
                : $"{key} is no longer read");
        }

        return warnings;
    }

    public static Settings FromContext(Node node, string defaultAssetDir)
    {
        ArgumentNullException.ThrowIfNull(node);
        string? Text(string key) => node.TryGetContext(key) switch
        {
            null => null,
            string s when s.Length == 0 => null,
            string s => s,
            var other => Convert.ToString(other, CultureInfo.InvariantCulture),
        };
        int? Number(string key) => Text(key) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;
        bool Flag(string key) => Text(key)?.ToLowerInvariant() is "true" or "1" or "yes";

        // The defaults are the properties' own: one place says what an unset key means.
        var unset = new Settings { AssetDir = string.Empty };
        var stage = Text("stage") ?? unset.Stage;
        var architecture = Text("architecture") ?? unset.Architecture;
        if (architecture is not ("arm64" or "x86_64"))
        {
            throw new ArgumentException($"context architecture must be arm64 or x86_64 (got '{architecture}')");
        }

        return new Settings
        {
            Stage = stage,
            AssetDir = Text("assetDir") ?? defaultAssetDir.Replace("{rid}", architecture == "arm64" ? "linux-arm64" : "linux-x64", StringComparison.Ordinal),
            Architecture = architecture,
            EnableCrmProgress = Flag("enableCrmProgress"),
            ProgressBackend = Text("progressBackend") ?? unset.ProgressBackend,
            TokenParameter = Text("tokenParameter"),
            AllowedOrigins = (Text("allowedOrigins") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            HubSpotRateLimit = Number("hubspotRateLimit") ?? unset.HubSpotRateLimit,
            HubSpotReadBudget = Number("hubspotReadBudget"),
            ReserveConcurrency = Text("reserveConcurrency") is null || Flag("reserveConcurrency"),
            ApiReservedConcurrency = Number("apiReservedConcurrency"),
            RetiredKeys = Text("reservedConcurrency") is null ? [] : ["reservedConcurrency"],
            JwtRequireVerifiedEmail = Text("jwtRequireVerifiedEmail") is null || Flag("jwtRequireVerifiedEmail"),
            JwtContactIdClaim = Text("jwtContactIdClaim"),
            HubSpotApiVersion = Text("hubspotApiVersion") ?? unset.HubSpotApiVersion,
            StrangerTtlSeconds = Number("strangerTtlSeconds") ?? unset.StrangerTtlSeconds,
            HubSpotCreateDefaults = Text("hubspotCreateDefaults"),
            HubSpotWebhooks = Flag("hubspotWebhooks"),
            WebhookSecretParameter = Text("webhookSecretParameter"),
            TokenKmsKeyArn = Text("tokenKmsKeyArn"),
            DomainName = Text("domainName"),
            CertificateArn = Text("certificateArn"),
            BasePath = Text("basePath")?.Trim('/'),
            AllowUnauthenticated = Flag("allowUnauthenticated"),
            MaxReceiveCount = Number("maxReceiveCount") ?? unset.MaxReceiveCount,
            QueueMaxConcurrency = Number("queueMaxConcurrency") ?? unset.QueueMaxConcurrency,
            ThrottleRate = Number("throttleRate") ?? unset.ThrottleRate,
            ThrottleBurst = Number("throttleBurst") ?? unset.ThrottleBurst,
            JwtIssuer = Text("jwtIssuer"),
            JwtAudience = Text("jwtAudience"),
            ContactCreationSpikeThreshold = Number("contactCreationSpikeThreshold") ?? unset.ContactCreationSpikeThreshold,
            AlarmEmail = Text("alarmEmail"),
            MemorySize = Number("memorySize") ?? unset.MemorySize,
            TimeoutSeconds = Number("timeoutSeconds") ?? unset.TimeoutSeconds,
            LogRetentionDays = Number("logRetentionDays") ?? unset.LogRetentionDays,
            SweepAfterSeconds = Number("sweepAfterSeconds") ?? unset.SweepAfterSeconds,
            ProjectionWindowSeconds = Number("projectionWindowSeconds") ?? unset.ProjectionWindowSeconds,
            ProjectionLagAlarmSeconds = Number("projectionLagAlarmSeconds") ?? unset.ProjectionLagAlarmSeconds,
        };
    }
}
