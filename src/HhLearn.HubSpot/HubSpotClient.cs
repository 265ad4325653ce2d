using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace HhLearn.HubSpot;

/// <summary>
/// A typed HubSpot CRM v3 client over <see cref="HttpClient"/>: contacts, properties and behavioral events.
/// Every call goes through the client-side rate limiter and a Polly pipeline (jittered exponential retry for
/// 429, 5xx, 423, 477 and network errors; one attempt timeout; one total budget). Other 4xx are not retried
/// and come back as typed <see cref="HubSpotApiException"/>s. A 401 re-reads the token once.
/// </summary>
public sealed class HubSpotClient : IAsyncDisposable
{
    private const string ContactsPath = "crm/v3/objects/contacts";
    private const string PropertiesPath = "crm/v3/properties/contacts";

    private static readonly ResiliencePropertyKey<CallState> StateKey = new("hhlearn.call");

    private readonly HttpClient _http;
    private readonly IHubSpotTokenProvider _tokens;
    private readonly HubSpotClientOptions _options;
    private readonly HubSpotRateLimiter _limiter;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly TimeProvider _time;
    private readonly Action<HubSpotCallEvent>? _observer;

    public HubSpotClient(
        HttpClient http,
        IHubSpotTokenProvider tokens,
        HubSpotClientOptions? options = null,
        Action<HubSpotCallEvent>? observer = null,
        TimeProvider? time = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
        _options = options ?? new HubSpotClientOptions();
        _observer = observer;
        _time = time ?? TimeProvider.System;
        _limiter = new HubSpotRateLimiter(_options.RequestsPerTenSeconds, _options.SearchRequestsPerSecond);
        _pipeline = BuildPipeline();
    }

    public HubSpotClientStats Stats { get; } = new();

    public HubSpotClientOptions Options => _options;

    // ---- contacts ----

    public Task<HubSpotContact> GetContactAsync(string id, IEnumerable<string> properties, CancellationToken ct = default) =>
        SendAsync("contacts.get", HttpMethod.Get, $"{ContactsPath}/{Uri.EscapeDataString(id)}?{PropertiesQuery(properties)}", null, HubSpotJsonContext.Default.ObjectDto, ct)
            .ContinueWithResult(ToContact);

    /// <summary>Reads by email with <c>idProperty=email</c> (no search index involved, so no lag); null when unknown.</summary>
    public async Task<HubSpotContact?> FindContactByEmailAsync(string email, IEnumerable<string> properties, CancellationToken ct = default)
    {
        try
        {
            var dto = await SendAsync(
                "contacts.getByEmail",
                HttpMethod.Get,
                $"{ContactsPath}/{Uri.EscapeDataString(email)}?idProperty=email&{PropertiesQuery(properties)}",
                null,
                HubSpotJsonContext.Default.ObjectDto,
                ct);
            return ToContact(dto);
        }
        catch (HubSpotNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// One page of every contact (the list endpoint, at most 100 a page, in HubSpot's order); <paramref name="after"/> is
    /// the cursor of the previous page's <see cref="HubSpotPage.NextAfter"/>, null for the first page.
    /// </summary>
    public async Task<HubSpotPage> ListContactsAsync(string? after, IEnumerable<string> properties, int limit = 100, CancellationToken ct = default)
    {
        var path = $"{ContactsPath}?limit={limit.ToString(System.Globalization.CultureInfo.InvariantCulture)}&{PropertiesQuery(properties)}" +
                   (after is null ? string.Empty : $"&after={Uri.EscapeDataString(after)}");
        var dto = await SendAsync("contacts.list", HttpMethod.Get, path, null, HubSpotJsonContext.Default.ListResponse, ct);
        return new HubSpotPage((dto.Results ?? []).Select(ToContact).ToArray(), dto.Paging?.Next?.After);
    }

    /// <summary>Creates a contact (201). A duplicate email throws <see cref="HubSpotConflictException"/> with the existing id.</summary>
    public Task<HubSpotContact> CreateContactAsync(IReadOnlyDictionary<string, string> properties, CancellationToken ct = default) =>
        SendAsync("contacts.create", HttpMethod.Post, ContactsPath,
            Json(new PropertiesInput { Properties = properties }, HubSpotJsonContext.Default.PropertiesInput),
            HubSpotJsonContext.Default.ObjectDto, ct).ContinueWithResult(ToContact);

    public Task<HubSpotContact> UpdateContactAsync(string id, IReadOnlyDictionary<string, string> properties, CancellationToken ct = default) =>
        SendAsync("contacts.update", HttpMethod.Patch, $"{ContactsPath}/{Uri.EscapeDataString(id)}",
            Json(new PropertiesInput { Properties = properties }, HubSpotJsonContext.Default.PropertiesInput),
            HubSpotJsonContext.Default.ObjectDto, ct).ContinueWithResult(ToContact);

    /// <summary>Batch read (at most 100) by id, or by email with <paramref name="byEmail"/>; unknown ids come back in <c>Errors</c>.</summary>
    public async Task<HubSpotBatchResult<HubSpotContact>> BatchReadContactsAsync(
        IReadOnlyCollection<string> ids, IEnumerable<string> properties, bool byEmail = false, CancellationToken ct = default)
    {
        EnsureBatchSize(ids.Count);
        var request = new BatchReadRequest
        {
            IdProperty = byEmail ? "email" : null,
            Inputs = ids.Select(id => new IdInput { Id = id }).ToArray(),
            Properties = properties.ToArray(),
        };
        return await BatchAsync("contacts.batchRead", $"{ContactsPath}/batch/read", Json(request, HubSpotJsonContext.Default.BatchReadRequest), ct);
    }

    /// <summary>Batch create (at most 100). HubSpot rejects the whole batch with 409 when one email exists already.</summary>
    public async Task<HubSpotBatchResult<HubSpotContact>> BatchCreateContactsAsync(
        IReadOnlyCollection<IReadOnlyDictionary<string, string>> contacts, CancellationToken ct = default)
    {
        EnsureBatchSize(contacts.Count);
        var request = new BatchCreateRequest { Inputs = contacts.Select(p => new PropertiesInput { Properties = p }).ToArray() };
        return await BatchAsync("contacts.batchCreate", $"{ContactsPath}/batch/create", Json(request, HubSpotJsonContext.Default.BatchCreateRequest), ct);
    }

    public async Task<HubSpotBatchResult<HubSpotContact>> BatchUpdateContactsAsync(
        IReadOnlyCollection<HubSpotContactUpdate> updates, CancellationToken ct = default)
    {
        EnsureBatchSize(updates.Count);
        var request = new BatchUpdateRequest { Inputs = updates.Select(u => new UpdateInput { Id = u.Id, Properties = u.Properties }).ToArray() };
        return await BatchAsync("contacts.batchUpdate", $"{ContactsPath}/batch/update", Json(request, HubSpotJsonContext.Default.BatchUpdateRequest), ct);
    }

    /// <summary>Batch upsert by email (at most 100, no duplicate emails); each result says whether it was new.</summary>
    public async Task<HubSpotBatchResult<HubSpotUpsertResult>> BatchUpsertContactsByEmailAsync(
        IReadOnlyCollection<HubSpotContactUpsert> upserts, CancellationToken ct = default)
    {
        EnsureBatchSize(upserts.Count);
        var request = new BatchUpsertRequest
        {
            Inputs = upserts.Select(u => new UpsertInput { Id = u.Email, IdProperty = "email", Properties = u.Properties }).ToArray(),
        };
        var (status, response) = await SendWithStatusAsync("contacts.batchUpsert", HttpMethod.Post, $"{ContactsPath}/batch/upsert",
            Json(request, HubSpotJsonContext.Default.BatchUpsertRequest), HubSpotJsonContext.Default.BatchResponse, false, ct);
        return new HubSpotBatchResult<HubSpotUpsertResult>(
            status,
            (response.Results ?? []).Select(r => new HubSpotUpsertResult(ToContact(r), r.New == true)).ToArray(),
            BatchErrors(response.Errors));
    }

    /// <summary>Search by email. Eventually consistent (seconds to a minute behind) and limited to ~5/s: not for the hot path.</summary>
    public async Task<HubSpotContact?> SearchContactByEmailAsync(string email, IEnumerable<string> properties, CancellationToken ct = default)
    {
        var request = new SearchRequest
        {
            FilterGroups = [new SearchFilterGroup { Filters = [new SearchFilter { PropertyName = "email", Operator = "EQ", Value = email }] }],
            Properties = properties.ToArray(),
            Limit = 1,
        };
        var (_, response) = await SendWithStatusAsync("contacts.search", HttpMethod.Post, $"{ContactsPath}/search",
            Json(request, HubSpotJsonContext.Default.SearchRequest), HubSpotJsonContext.Default.SearchResponse, true, ct);
        return response.Results is { Count: > 0 } results ? ToContact(results[0]) : null;
    }

    /// <summary>Permanently deletes a contact (GDPR), by id or by email.</summary>
    public Task GdprDeleteContactAsync(string idOrEmail, bool byEmail = false, CancellationToken ct = default) =>
        SendNoContentAsync("contacts.gdprDelete", HttpMethod.Post, $"{ContactsPath}/gdpr-delete",
            Json(new GdprDeleteRequest { ObjectId = idOrEmail, IdProperty = byEmail ? "email" : null }, HubSpotJsonContext.Default.GdprDeleteRequest), ct);

    // ---- properties ----

    /// <summary>A contact property definition; null when it does not exist.</summary>
    public async Task<HubSpotProperty?> GetPropertyAsync(string name, CancellationToken ct = default)
    {
        try
        {
            return await SendAsync("properties.get", HttpMethod.Get, $"{PropertiesPath}/{Uri.EscapeDataString(name)}", null, HubSpotJsonContext.Default.HubSpotProperty, ct);
        }
        catch (HubSpotNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Creates a property; an existing name throws <see cref="HubSpotConflictException"/>.</summary>
    public Task<HubSpotProperty> CreatePropertyAsync(HubSpotProperty property, CancellationToken ct = default) =>
        SendAsync("properties.create", HttpMethod.Post, PropertiesPath, Json(property, HubSpotJsonContext.Default.HubSpotProperty), HubSpotJsonContext.Default.HubSpotProperty, ct);

    public async Task<HubSpotBatchResult<HubSpotProperty>> BatchCreatePropertiesAsync(IReadOnlyCollection<HubSpotProperty> properties, CancellationToken ct = default)
    {
        EnsureBatchSize(properties.Count);
        var (status, response) = await SendWithStatusAsync("properties.batchCreate", HttpMethod.Post, $"{PropertiesPath}/batch/create",
            Json(new PropertyBatchCreateRequest { Inputs = properties.ToArray() }, HubSpotJsonContext.Default.PropertyBatchCreateRequest),
            HubSpotJsonContext.Default.PropertyBatchResponse, false, ct);
        return new HubSpotBatchResult<HubSpotProperty>(status, response.Results ?? [], BatchErrors(response.Errors));
    }

    /// <summary>Creates a property group; an existing name throws <see cref="HubSpotConflictException"/>.</summary>
    public Task<HubSpotPropertyGroup> CreatePropertyGroupAsync(HubSpotPropertyGroup group, CancellationToken ct = default) =>
        SendAsync("properties.createGroup", HttpMethod.Post, $"{PropertiesPath}/groups", Json(group, HubSpotJsonContext.Default.HubSpotPropertyGroup), HubSpotJsonContext.Default.HubSpotPropertyGroup, ct);

    // ---- behavioral events ----

    public Task SendBehavioralEventAsync(HubSpotBehavioralEvent occurrence, CancellationToken ct = default) =>
        SendNoContentAsync("events.send", HttpMethod.Post, "events/v3/send", Json(occurrence, HubSpotJsonContext.Default.HubSpotBehavioralEvent), ct);

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();

    // ---- plumbing ----

    private async Task<HubSpotBatchResult<HubSpotContact>> BatchAsync(string operation, string path, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var (status, response) = await SendWithStatusAsync(operation, HttpMethod.Post, path, body, HubSpotJsonContext.Default.BatchResponse, false, ct);
        return new HubSpotBatchResult<HubSpotContact>(status, (response.Results ?? []).Select(ToContact).ToArray(), BatchErrors(response.Errors));
    }

    private async Task<T> SendAsync<T>(string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, JsonTypeInfo<T> type, CancellationToken ct)
        => (await SendWithStatusAsync(operation, method, path, body, type, false, ct)).Value;

    private async Task SendNoContentAsync(string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, CancellationToken ct)
    {
        using var response = await ExecuteAsync(operation, method, path, body, false, ct);
        await EnsureSuccessAsync(response, ct);
    }

    private async Task<(int Status, T Value)> SendWithStatusAsync<T>(
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
        var token = await _tokens.GetTokenAsync(null, ct);
        var response = await ExecuteOnceAsync(operation, method, path, body, search, token, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // A 401 after a token rotation is fixed by reading the token again, not by retrying the same token. Naming the
        // refused token lets concurrent 401s share one read.
        response.Dispose();
        return await ExecuteOnceAsync(operation, method, path, body, search, await _tokens.GetTokenAsync(token, ct), ct);
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
        using (await _limiter.AcquireAsync(state.Search, context.CancellationToken))
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

    private static ReadOnlyMemory<byte> Json<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    private static string PropertiesQuery(IEnumerable<string> properties) =>
        "properties=" + string.Join(',', properties.Select(Uri.EscapeDataString));

    private static void EnsureBatchSize(int count)
    {
        if (count is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "HubSpot batch calls take 1 to 100 inputs");
        }
    }

    private static HubSpotContact ToContact(ObjectDto dto) => new(
        dto.Id ?? throw new HubSpotApiException(200, null, null, "HubSpot answered an object without an id"),
        dto.Properties ?? new Dictionary<string, string?>(),
        dto.CreatedAt,
        dto.UpdatedAt,
        dto.Archived ?? false);

    private static HubSpotBatchError[] BatchErrors(List<ErrorDto>? errors) =>
        (errors ?? []).Select(e => new HubSpotBatchError(e.Status, e.Category, e.Message ?? string.Empty, HubSpotErrors.Context(e.Context))).ToArray();

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

internal static class TaskExtensions
{
    public static async Task<TOut> ContinueWithResult<TIn, TOut>(this Task<TIn> task, Func<TIn, TOut> map) => map(await task);
}
