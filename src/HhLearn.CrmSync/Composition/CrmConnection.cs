namespace HhLearn.CrmSync;

/// <summary>
/// Where the CRM's token comes from (an SSM SecureString in the function, a fixed value locally). <paramref name="rejected"/>
/// in <see cref="GetTokenAsync"/> is a token the CRM just refused (it was rotated): the source reads a fresh one.
/// </summary>
public interface ICrmTokenSource
{
    ValueTask<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken);
}

/// <summary>A token given once (an environment variable, a test).</summary>
public sealed class FixedCrmToken(string token) : ICrmTokenSource
{
    public ValueTask<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken) => ValueTask.FromResult(token);
}

/// <summary>How the function reaches the CRM: where, which API version, and its two shares of the app's rate limit.</summary>
public sealed record CrmConnectionSettings
{
    public const string DefaultApiVersion = HubSpotClientOptions.DefaultApiVersion;

    public required Uri BaseUrl { get; init; }
    public string ApiVersion { get; init; } = DefaultApiVersion;

    /// <summary>Requests per 10 s of this instance while it runs queue work (the projection).</summary>
    public int QueueRateLimit { get; init; } = 100;

    /// <summary>Requests per 10 s of this instance while it answers the API.</summary>
    public int ApiRateLimit { get; init; } = 100;

    public ContactWriterOptions Writer { get; init; } = new();

    /// <summary>A rate limit as written in configuration (<c>100</c>, <c>190/10s</c>); a <see cref="FormatException"/> otherwise.</summary>
    public static int ParseRateLimit(string text) => HubSpotClientOptions.ParseRateLimit(text);

    /// <summary>Why <paramref name="version"/> is not an API version the client speaks, or null.</summary>
    public static string? ApiVersionProblem(string version) => HubSpotClientOptions.ApiVersionProblem(version);
}

/// <summary>
/// The CRM side, composed for the function so that the function names no HubSpot type: one HTTP connection, two
/// clients with their own limiters (the queue's share of the app's budget and the API's, see HubSpotBudget), the contact
/// writers built on them, and the direct-mode backend. 429s are logged (<c>crm_rate_limited</c>) as they happen.
/// </summary>
public sealed class CrmConnection : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HubSpotClient _queue;
    private readonly HubSpotClient _api;
    private readonly ISyncLog _log;
    private readonly TimeProvider _time;

    private CrmConnection(CrmConnectionSettings settings, ICrmTokenSource tokens, ISyncLog log, TimeProvider time)
    {
        _log = log;
        _time = time;
        _http = new HttpClient { BaseAddress = settings.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        var provider = ForHubSpot(tokens);
        _queue = new HubSpotClient(_http, provider, new HubSpotClientOptions { RequestsPerTenSeconds = settings.QueueRateLimit, ApiVersion = settings.ApiVersion }, Observe, time);
        _api = new HubSpotClient(_http, provider, new HubSpotClientOptions { RequestsPerTenSeconds = settings.ApiRateLimit, ApiVersion = settings.ApiVersion }, Observe, time);
        QueueWriter = new ContactWriter(_queue, settings.Writer);
        ApiWriter = new ContactWriter(_api, settings.Writer);
    }

    public static CrmConnection Create(CrmConnectionSettings settings, ICrmTokenSource tokens, ISyncLog log, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(log);
        return new CrmConnection(settings, tokens, log, time ?? TimeProvider.System);
    }

    /// <summary>The projection's writer (the queue's share of the budget).</summary>
    public ContactWriter QueueWriter { get; }

    /// <summary>The API's writer (its reads of learners the store has not seen; the API's share).</summary>
    public ContactWriter ApiWriter { get; }

    /// <summary>The original's HubSpot-only direct mode, on the API's share.</summary>
    public IProgressBackend Direct(LearningCatalog catalog, SyncOptions options) => HubSpotBackend.Create(_api, catalog, _log, _time, options, ApiWriter);

    /// <summary>A token source as the HubSpot client takes it.</summary>
    public static IHubSpotTokenProvider ForHubSpot(ICrmTokenSource tokens) => new TokenAdapter(tokens ?? throw new ArgumentNullException(nameof(tokens)));

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _api.DisposeAsync();
        _http.Dispose();
    }

    private void Observe(HubSpotCallEvent e)
    {
        if (e.StatusCode == 429)
        {
            _log.Write(LogLevel.Warn, LogEvents.CrmRateLimited, $"HubSpot answered 429 ({e.PolicyName}); retrying in {e.RetryDelay?.TotalMilliseconds:0} ms",
                new LogContext { CorrelationId = e.CorrelationId, Error = e.PolicyName, Fields = [KeyValuePair.Create<string, object?>("operation", e.Operation)] });
        }
    }

    private sealed class TokenAdapter(ICrmTokenSource tokens) : IHubSpotTokenProvider
    {
        public ValueTask<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken) => tokens.GetTokenAsync(rejected, cancellationToken);
    }
}
