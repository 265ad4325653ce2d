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

    /// <summary>The part of <see cref="HubSpotRateLimit"/> kept for the API's own HubSpot calls; default a fifth.</summary>
    public int? HubSpotReadBudget { get; init; }

    /// <summary>The function's reserved concurrency: the most instances that can call HubSpot at once.</summary>
    public int ReservedConcurrency { get; init; } = 10;

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

    /// <summary>The projection lag (oldest learner behind) that alarms.</summary>
    public int ProjectionLagAlarmSeconds { get; init; } = 600;

    public string TokenParameterName => TokenParameter ?? $"/hhlearn/{Stage}/hubspot-token";

    public bool HasAuthorizer => JwtIssuer is not null && JwtAudience is not null;

    /// <summary>How the app's HubSpot limit is split between the queue consumers and the API instances.</summary>
    public (HubSpotBudget Budget, IReadOnlyList<string> Problems) Budget =>
        HubSpotBudget.Split(HubSpotRateLimit, HubSpotReadBudget ?? Math.Max(1, HubSpotRateLimit / 5), ReservedConcurrency, QueueMaxConcurrency);

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
        return problems;
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
            ReservedConcurrency = Number("reservedConcurrency") ?? unset.ReservedConcurrency,
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
            ProjectionLagAlarmSeconds = Number("projectionLagAlarmSeconds") ?? unset.ProjectionLagAlarmSeconds,
        };
    }
}
