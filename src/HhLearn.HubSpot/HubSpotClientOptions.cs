namespace HhLearn.HubSpot;

/// <summary>How the client talks to HubSpot (the base URL is the HttpClient's). Defaults suit a Lambda invocation of 30 seconds.</summary>
public sealed record HubSpotClientOptions
{
    /// <summary>Requests allowed per 10 seconds for this private app: 100 (Free/Starter), 190 (Pro/Enterprise) or 250 (with the increase).</summary>
    public int RequestsPerTenSeconds { get; init; } = 100;

    /// <summary>Search requests per second; HubSpot allows about 5 per account.</summary>
    public int SearchRequestsPerSecond { get; init; } = 4;

    /// <summary>Attempts per call, the first included.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Minimum wait after 423 Locked (HubSpot asks for at least 2 seconds).</summary>
    public TimeSpan LockedDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>One attempt's time limit.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A whole call's time limit, retries and rate-limit waits included, so that a call never outlives
    /// the Lambda invocation that made it. A retry whose wait would overrun it is not made.
    /// </summary>
    public TimeSpan TotalBudget { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Which HubSpot API the client speaks: a date version (<c>2026-09</c>, the default: paths
    /// <c>/crm/objects/2026-09/contacts</c>, <c>/crm/properties/2026-09/contacts</c>) or <c>v3</c>, the legacy numeric paths
    /// (<c>/crm/v3/objects/contacts</c>), supported by HubSpot until September 2027.
    /// </summary>
    public string ApiVersion { get; init; } = DefaultApiVersion;

    public const string DefaultApiVersion = "2026-09";
    public const string LegacyApiVersion = "v3";

    /// <summary>Null when <paramref name="version"/> is <c>v3</c> or a date version (<c>YYYY-03</c> or <c>YYYY-09</c>), else the problem.</summary>
    public static string? ApiVersionProblem(string version) =>
        version == LegacyApiVersion || System.Text.RegularExpressions.Regex.IsMatch(version ?? string.Empty, "^20[2-9][0-9]-(03|09)$")
            ? null
            : $"must be v3 or a date version such as 2026-09 (got '{version}')";

    /// <summary>The contacts path for <see cref="ApiVersion"/>, without a leading slash.</summary>
    public string ContactsPath => ApiVersion == LegacyApiVersion ? "crm/v3/objects/contacts" : $"crm/objects/{ApiVersion}/contacts";

    /// <summary>The contact properties path for <see cref="ApiVersion"/>, without a leading slash.</summary>
    public string PropertiesPath => ApiVersion == LegacyApiVersion ? "crm/v3/properties/contacts" : $"crm/properties/{ApiVersion}/contacts";

    /// <summary>Parses <c>100</c>, <c>190</c>, <c>250</c> or <c>100/10s</c> (HUBSPOT_RATE_LIMIT).</summary>
    public static int ParseRateLimit(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        if (value.EndsWith("/10s", StringComparison.OrdinalIgnoreCase))
        {
            value = value[..^4];
        }

        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) ||
            limit is < 1 or > 1_000_000)
        {
            throw new FormatException($"rate limit '{text}' is not a number of requests per 10 seconds such as 100, 190 or 250");
        }

        return limit;
    }
}

/// <summary>Where the private app token comes from.</summary>
public interface IHubSpotTokenProvider
{
    /// <summary>
    /// The current token. <paramref name="rejected"/> is the token HubSpot just refused with 401 (it was rotated):
    /// the provider reads a fresh one unless it already has another. Null: any current token will do. A provider that
    /// cannot give a token throws (any exception): the client reports the call as <see cref="HubSpotUnavailableException"/>.
    /// </summary>
    ValueTask<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken);
}

public sealed class StaticTokenProvider(string token) : IHubSpotTokenProvider
{
    public ValueTask<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken) => ValueTask.FromResult(token);
}

/// <summary>What happened on the wire, for logs and metrics. Never carries the token or an email.</summary>
public sealed record HubSpotCallEvent(string Operation, int StatusCode, int Attempt, TimeSpan? RetryDelay, string? PolicyName, string? CorrelationId);

/// <summary>Counters of one client: HTTP requests sent, retries, 429s seen.</summary>
public sealed class HubSpotClientStats
{
    private long _requests;
    private long _retries;
    private long _rateLimited;
    private long _searches;

    public long Requests => Interlocked.Read(ref _requests);
    public long Retries => Interlocked.Read(ref _retries);
    public long RateLimited => Interlocked.Read(ref _rateLimited);
    public long Searches => Interlocked.Read(ref _searches);

    internal void Request(bool search)
    {
        Interlocked.Increment(ref _requests);
        if (search)
        {
            Interlocked.Increment(ref _searches);
        }
    }

    internal void Retry() => Interlocked.Increment(ref _retries);

    internal void Limited() => Interlocked.Increment(ref _rateLimited);
}
