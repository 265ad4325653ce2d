using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace HhLearn.HubSpot;

/// <summary>
/// A typed HubSpot CRM client (the date-versioned API of <see cref="HubSpotClientOptions.ApiVersion"/>, or v3): the
/// resources (contacts, properties and behavioral events) over <see cref="HubSpotConnection"/>, the transport every
/// call goes through (the client-side rate limiter and a Polly pipeline: jittered exponential retry for 429, 5xx, 423,
/// 477 and network errors; one attempt timeout; one total budget). Other 4xx are not retried and come back as typed
/// <see cref="HubSpotApiException"/>s. A 401 re-reads the token once.
/// </summary>
public sealed class HubSpotClient : IAsyncDisposable
{
    private readonly HubSpotConnection _connection;
    private readonly HubSpotClientOptions _options;

    public HubSpotClient(
        HttpClient http,
        IHubSpotTokenProvider tokens,
        HubSpotClientOptions? options = null,
        Action<HubSpotCallEvent>? observer = null,
        TimeProvider? time = null)
    {
        _options = options ?? new HubSpotClientOptions();
        _connection = new HubSpotConnection(http, tokens, _options, observer, time ?? TimeProvider.System);
    }

    public HubSpotClientStats Stats => _connection.Stats;

    public HubSpotClientOptions Options => _options;

    private string ContactsPath => _options.ContactsPath;

    private string PropertiesPath => _options.PropertiesPath;

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
    public Task<HubSpotBatchResult<HubSpotContact>> BatchCreateContactsAsync(
        IReadOnlyCollection<IReadOnlyDictionary<string, string>> contacts, CancellationToken ct = default) =>
        BatchCreateContactsAsync(contacts.Select(p => new HubSpotContactCreate(p)).ToArray(), ct);

    /// <summary>Batch create with a trace id per input: each result and error comes back under it.</summary>
    public async Task<HubSpotBatchResult<HubSpotContact>> BatchCreateContactsAsync(
        IReadOnlyCollection<HubSpotContactCreate> contacts, CancellationToken ct = default)
    {
        EnsureBatchSize(contacts.Count);
        var request = new BatchInputs<PropertiesInput> { Inputs = contacts.Select(c => new PropertiesInput { Properties = c.Properties, ObjectWriteTraceId = c.TraceId }).ToArray() };
        return await BatchAsync("contacts.batchCreate", $"{ContactsPath}/batch/create", Json(request, HubSpotJsonContext.Default.BatchCreateRequest), ct);
    }

    public async Task<HubSpotBatchResult<HubSpotContact>> BatchUpdateContactsAsync(
        IReadOnlyCollection<HubSpotContactUpdate> updates, CancellationToken ct = default)
    {
        EnsureBatchSize(updates.Count);
        var request = new BatchInputs<UpdateInput> { Inputs = updates.Select(u => new UpdateInput { Id = u.Id, Properties = u.Properties, ObjectWriteTraceId = u.TraceId }).ToArray() };
        return await BatchAsync("contacts.batchUpdate", $"{ContactsPath}/batch/update", Json(request, HubSpotJsonContext.Default.BatchUpdateRequest), ct);
    }

    /// <summary>Batch upsert by email (at most 100, no duplicate emails); each result says whether it was new.</summary>
    public async Task<HubSpotBatchResult<HubSpotUpsertResult>> BatchUpsertContactsByEmailAsync(
        IReadOnlyCollection<HubSpotContactUpsert> upserts, CancellationToken ct = default)
    {
        EnsureBatchSize(upserts.Count);
        var request = new BatchInputs<UpsertInput>
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
    public Task<HubSpotContact?> SearchContactByEmailAsync(string email, IEnumerable<string> properties, CancellationToken ct = default) =>
        SearchOneAsync(new SearchFilter { PropertyName = "email", Operator = "EQ", Value = email }, properties, ct);

    /// <summary>
    /// The contact that holds <paramref name="email"/> as a secondary email: a search on <c>email</c> matches the primary
    /// email only, a filter on <c>hs_additional_emails</c> finds the others (lags writes, like every search).
    /// </summary>
    public Task<HubSpotContact?> SearchContactByAdditionalEmailAsync(string email, IEnumerable<string> properties, CancellationToken ct = default) =>
        SearchOneAsync(new SearchFilter { PropertyName = "hs_additional_emails", Operator = "CONTAINS_TOKEN", Value = email }, properties, ct);

    private async Task<HubSpotContact?> SearchOneAsync(SearchFilter filter, IEnumerable<string> properties, CancellationToken ct)
    {
        var request = new SearchRequest
        {
            FilterGroups = [new SearchFilterGroup { Filters = [filter] }],
            Properties = properties.ToArray(),
            Limit = 1,
        };
        var (_, response) = await SendWithStatusAsync("contacts.search", HttpMethod.Post, $"{ContactsPath}/search",
            Json(request, HubSpotJsonContext.Default.SearchRequest), HubSpotJsonContext.Default.SearchResponse, true, ct);
        return response.Results is { Count: > 0 } results ? ToContact(results[0]) : null;
    }

    /// <summary>
    /// Merges <paramref name="mergedId"/> into <paramref name="primaryId"/> and answers the merged record, whose id may be
    /// new (HubSpot now gives merged records a new id; both old ids then answer it).
    /// </summary>
    public Task<HubSpotContact> MergeContactsAsync(string primaryId, string mergedId, CancellationToken ct = default) =>
        SendAsync("contacts.merge", HttpMethod.Post, $"{ContactsPath}/merge",
            Json(new MergeRequest { PrimaryObjectId = primaryId, ObjectIdToMerge = mergedId }, HubSpotJsonContext.Default.MergeRequest), HubSpotJsonContext.Default.ObjectDto, ct)
            .ContinueWithResult(ToContact);

    /// <summary>Archives (deletes) a contact by id.</summary>
    public Task ArchiveContactAsync(string id, CancellationToken ct = default) =>
        SendNoContentAsync("contacts.archive", HttpMethod.Delete, $"{ContactsPath}/{Uri.EscapeDataString(id)}", null, ct);

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
            Json(new BatchInputs<HubSpotProperty> { Inputs = properties.ToArray() }, HubSpotJsonContext.Default.PropertyBatchCreateRequest),
            HubSpotJsonContext.Default.PropertyBatchResponse, false, ct);
        return new HubSpotBatchResult<HubSpotProperty>(status, response.Results ?? [], BatchErrors(response.Errors));
    }

    /// <summary>Creates a property group; an existing name throws <see cref="HubSpotConflictException"/>.</summary>
    public Task<HubSpotPropertyGroup> CreatePropertyGroupAsync(HubSpotPropertyGroup group, CancellationToken ct = default) =>
        SendAsync("properties.createGroup", HttpMethod.Post, $"{PropertiesPath}/groups", Json(group, HubSpotJsonContext.Default.HubSpotPropertyGroup), HubSpotJsonContext.Default.HubSpotPropertyGroup, ct);

    // ---- behavioral events ----

    public Task SendBehavioralEventAsync(HubSpotBehavioralEvent occurrence, CancellationToken ct = default) =>
        SendNoContentAsync("events.send", HttpMethod.Post, "events/v3/send", Json(occurrence, HubSpotJsonContext.Default.HubSpotBehavioralEvent), ct);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    // ---- requests and answers ----

    private Task<T> SendAsync<T>(string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, JsonTypeInfo<T> type, CancellationToken ct) =>
        _connection.SendAsync(operation, method, path, body, type, ct);

    private Task SendNoContentAsync(string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, CancellationToken ct) =>
        _connection.SendNoContentAsync(operation, method, path, body, ct);

    private Task<(int Status, T Value)> SendWithStatusAsync<T>(string operation, HttpMethod method, string path, ReadOnlyMemory<byte>? body, JsonTypeInfo<T> type, bool search, CancellationToken ct) =>
        _connection.SendWithStatusAsync(operation, method, path, body, type, search, ct);

    private async Task<HubSpotBatchResult<HubSpotContact>> BatchAsync(string operation, string path, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var (status, response) = await SendWithStatusAsync(operation, HttpMethod.Post, path, body, HubSpotJsonContext.Default.BatchResponse, false, ct);
        return new HubSpotBatchResult<HubSpotContact>(status, (response.Results ?? []).Select(ToContact).ToArray(), BatchErrors(response.Errors));
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
        dto.Archived ?? false) { ObjectWriteTraceId = dto.ObjectWriteTraceId };

    private static HubSpotBatchError[] BatchErrors(List<ErrorDto>? errors) =>
        (errors ?? []).Select(e => new HubSpotBatchError(e.Status, e.Category, e.Message ?? string.Empty, HubSpotErrors.Context(e.Context))
        {
            Codes = (e.Errors ?? []).Select(d => d.Code).OfType<string>().ToArray(),
        }).ToArray();
}

internal static class TaskExtensions
{
    public static async Task<TOut> ContinueWithResult<TIn, TOut>(this Task<TIn> task, Func<TIn, TOut> map) => map(await task);
}
