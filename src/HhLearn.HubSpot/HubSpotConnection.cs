using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace HhLearn.HubSpot;

/// <summary>
/// HubSpot's transport, as octokit's Connection is GitHub's: every call goes through it (the token, re-read once after a
/// 401; the client-side rate limiter; the Polly pipeline of jittered retries for 429, 5xx, 423, 477 and network errors
/// with an attempt timeout and a total budget; typed errors). The resources (<see cref="HubSpotClient"/>: contacts,
/// properties, events) build requests and read answers; they never touch HTTP themselves.
/// </summary>
internal sealed class HubSpotConnection : IAsyncDisposable
{
    private static readonly ResiliencePropertyKey<CallState> StateKey = new("hhlearn.call");

    private readonly HttpClient _http;
    private readonly IHubSpotTokenProvider _tokens;
    private readonly HubSpotClientOptions _options;
    private readonly HubSpotRateLimiter _limiter;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly TimeProvider _time;
    private readonly Action<HubSpotCallEvent>? _observer;

    public HubSpotConnection(HttpClient http, IHubSpotTokenProvider tokens, HubSpotClientOptions options, Action<HubSpotCallEvent>? observer, TimeProvider time)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
        _options = options;
        _observer = observer;
        _time = time;
        _limiter = new HubSpotRateLimiter(_options.RequestsPerTenSeconds, _options.SearchRequestsPerSecond, _time);
        _pipeline = BuildPipeline();
    }

    public HubSpotClientStats Stats { get; } = new();

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();

    public async Task<T> SendAsync<T>(string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, JsonTypeInfo<T> type, CancellationToken ct)
        => (await SendWithStatusAsync(operation, method, path, body, type, false, ct)).Value;

    public async Task SendNoContentAsync(string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, CancellationToken ct)
    {
        using var response = await ExecuteAsync(operation, method, path, body, false, ct);
        await EnsureSuccessAsync(response, ct);
    }

    public async Task<(int Status, T Value)> SendWithStatusAsync<T>(
        string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, JsonTypeInfo<T> type, bool search, CancellationToken ct)
    {
        using var response = await ExecuteAsync(operation, method, path, body, search, ct);
        await EnsureSuccessAsync(response, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        try
        {
            var value = await JsonSerializer.DeserializeAsync(stream, type, ct)
                ?? throw new HubSpotApiException((int)response.StatusCode, null, null, $"{operation}: HubSpot answered an empty body");
            return ((int)response.StatusCode, value);
        }
        catch (JsonException ex)
        {
            throw new HubSpotApiException((int)response.StatusCode, null, null, $"{operation}: HubSpot answered a body that is not the expected JSON", ex);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        throw HubSpotErrors.Create((int)response.StatusCode, text, response.Headers);
    }

    /// <summary>Runs one call through the pipeline, then asks for a fresh token and tries once more after a 401.</summary>
    private async Task<HttpResponseMessage> ExecuteAsync(string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, bool search, CancellationToken ct)
    {
        var token = await TokenAsync(operation, null, ct);
        var response = await ExecuteOnceAsync(operation, method, path, body, search, token, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // A 401 after a token rotation is fixed by reading the token again, not by retrying the same token. Naming the
        // refused token lets concurrent 401s share one read.
        response.Dispose();
        return await ExecuteOnceAsync(operation, method, path, body, search, await TokenAsync(operation, token, ct), ct);
    }

    /// <summary>The token from the provider; a provider that cannot give one makes the call "HubSpot unavailable" (retryable).</summary>
    private async Task<string> TokenAsync(string operation, string? rejected, CancellationToken ct)
    {
        try
        {
            return await _tokens.GetTokenAsync(rejected, ct);
        }
        catch (Exception ex) when (ex is not HubSpotApiException)
        {
            throw new HubSpotUnavailableException($"{operation}: no HubSpot token ({ex.Message})", ex);
        }
    }

    private async Task<HttpResponseMessage> ExecuteOnceAsync(
        string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, bool search, string token, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        var state = new CallState(operation, method, path, body, search, token, _time.GetTimestamp());
        context.Properties.Set(StateKey, state);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, client) => await client.AttemptAsync(ctx).ConfigureAwait(false), context, this);
            if (outcome.Exception is { } exception)
            {
                throw exception switch
                {
                    HubSpotApiException typed => typed,
                    TimeoutRejectedException => new HubSpotUnavailableException($"{operation}: no answer within the time budget", exception),
                    TimeoutException => new HubSpotUnavailableException(exception.Message, exception),
                    HttpRequestException => new HubSpotUnavailableException($"{operation}: HubSpot could not be reached ({exception.Message})", exception),
                    // Cancelled by the caller's deadline (a Lambda invocation running out of time): the call did not complete.
                    OperationCanceledException => new HubSpotUnavailableException($"{operation}: cancelled before HubSpot answered (the caller's time ran out)", exception),
                    _ => exception,
                };
            }

            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// One attempt: wait for a rate-limiter slot (bounded by the call's budget only), then send with the
    /// attempt timeout. The timeout starts after the slot is granted, so queueing behind the limiter never
    /// turns into a timed-out attempt and a duplicate request.
    /// </summary>
    private async ValueTask<Outcome<HttpResponseMessage>> AttemptAsync(ResilienceContext context)
    {
        var state = context.Properties.GetValue(StateKey, null!);
        state.Attempt++;
        await _limiter.AcquireAsync(state.Search, context.CancellationToken);
        {
            using var request = new HttpRequestMessage(state.Method, state.Path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", state.Token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (state.Body is { } body)
            {
                request.Content = new ReadOnlyMemoryContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            attempt.CancelAfter(_options.AttemptTimeout);
            Stats.Request(state.Search);
            try
            {
                var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Stats.Limited();
                }

                return Outcome.FromResult(response);
            }
            catch (OperationCanceledException ex) when (attempt.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                return Outcome.FromException<HttpResponseMessage>(new TimeoutException($"{state.Operation}: no answer within {_options.AttemptTimeout.TotalSeconds:0.#} s", ex));
            }
        }
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time };
        builder.AddTimeout(_options.TotalBudget);
        builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = Math.Max(0, _options.MaxAttempts - 1),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.BaseDelay,
            MaxDelay = _options.MaxDelay,
            ShouldHandle = args => ShouldRetryAsync(args),
            DelayGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(StateKey, null!).NextDelay),
            OnRetry = args =>
            {
                var state = args.Context.Properties.GetValue(StateKey, null!);
                Stats.Retry();
                _observer?.Invoke(new HubSpotCallEvent(
                    state.Operation, args.Outcome.Result is { } r ? (int)r.StatusCode : 0, args.AttemptNumber + 1, args.RetryDelay, state.PolicyName, state.CorrelationId));
                args.Outcome.Result?.Dispose();
                return default;
            },
        });
        return builder.Build();
    }

    /// <summary>
    /// Retry 429 (not DAILY), 5xx, 423, 477 and network errors; never other 4xx. A retry whose wait would
    /// overrun the total budget is not made: the caller gets the typed error at once instead of a timeout.
    /// </summary>
    private async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args)
    {
        var state = args.Context.Properties.GetValue(StateKey, null!);
        state.NextDelay = null;
        state.PolicyName = null;
        state.CorrelationId = null;
        if (args.Outcome.Exception is { } exception)
        {
            return exception is HttpRequestException or TimeoutException ||
                   (exception is OperationCanceledException && !args.Context.CancellationToken.IsCancellationRequested);
        }

        var response = args.Outcome.Result!;
        var status = (int)response.StatusCode;
        if (status is not (429 or 423 or 477) && status < 500)
        {
            return false;
        }

        TimeSpan? wait = null;
        if (status == 429)
        {
            var dto = HubSpotErrors.Parse(await response.Content.ReadAsStringAsync(args.Context.CancellationToken));
            state.PolicyName = dto?.PolicyName;
            state.CorrelationId = dto?.CorrelationId;
            wait = HubSpotErrors.RetryAfter(response.Headers, dto?.PolicyName);
            if (wait is null)
            {
                _observer?.Invoke(new HubSpotCallEvent(state.Operation, status, state.Attempt, null, state.PolicyName, state.CorrelationId));
                return false;
            }
        }
        else if (status == 423)
        {
            wait = _options.LockedDelay;
        }
        else if (response.Headers.RetryAfter?.Delta is { } delta)
        {
            wait = delta;
        }

        if (wait is { } w)
        {
            // Jitter so that many waiting callers do not come back in the same instant.
            w += TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
            var remaining = _options.TotalBudget - _time.GetElapsedTime(state.StartedAt);
            if (w >= remaining)
            {
                return false;
            }

            state.NextDelay = w;
        }

        return true;
    }

    /// <summary>Per-call state shared between attempts and the retry predicate.</summary>
    private sealed class CallState(string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, bool search, string token, long startedAt)
    {
        public string Operation { get; } = operation;
        public HttpMethod Method { get; } = method;
        public string Path { get; } = path;
        public ReadOnlyMemory<byte>? Body { get; } = body;
        public bool Search { get; } = search;
        public string Token { get; } = token;
        public long StartedAt { get; } = startedAt;
        public int Attempt { get; set; }
        public TimeSpan? NextDelay { get; set; }
        public string? PolicyName { get; set; }
        public string? CorrelationId { get; set; }
    }
}
