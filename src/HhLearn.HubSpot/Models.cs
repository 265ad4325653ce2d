using System.Text.Json.Serialization;

namespace HhLearn.HubSpot;

/// <summary>A CRM object as HubSpot returns it: property values are strings (numbers and dates too) or null.</summary>
public sealed record HubSpotContact(
    string Id,
    IReadOnlyDictionary<string, string?> Properties,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    bool Archived)
{
    public string? Property(string name) => Properties.TryGetValue(name, out var value) ? value : null;

    /// <summary>The <c>objectWriteTraceId</c> of the batch input this result answers, when HubSpot echoed it.</summary>
    public string? ObjectWriteTraceId { get; init; }
}

/// <summary>One failed input of a batch call (HTTP 207), e.g. <c>OBJECT_NOT_FOUND</c> with the ids in <see cref="Context"/>.</summary>
public sealed record HubSpotBatchError(
    string? Status,
    string? Category,
    string Message,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Context)
{
    /// <summary>The ids or emails this error is about (HubSpot puts them in <c>context.ids</c>).</summary>
    public IReadOnlyList<string> Ids => Context.TryGetValue("ids", out var ids) ? ids : [];

    /// <summary>The codes of the error's details (<c>errors[].code</c>), e.g. <c>INVALID_DATE</c>, <c>REQUIRED_PROPERTY</c>.</summary>
    public IReadOnlyList<string> Codes { get; init; } = [];

    /// <summary>The <c>objectWriteTraceId</c>s of the inputs this error is about (HubSpot echoes them in the context).</summary>
    public IReadOnlyList<string> TraceIds => Context.TryGetValue("objectWriteTraceId", out var ids) ? ids : [];
}

/// <summary>A batch answer: 200 when everything succeeded, 207 with <see cref="Errors"/> beside <see cref="Results"/> otherwise.</summary>
public sealed record HubSpotBatchResult<T>(int StatusCode, IReadOnlyList<T> Results, IReadOnlyList<HubSpotBatchError> Errors)
{
    public bool HasErrors => Errors.Count > 0;
}

/// <summary>One page of the list endpoint, and the cursor of the next one (null on the last page).</summary>
public sealed record HubSpotPage(IReadOnlyList<HubSpotContact> Results, string? NextAfter);

/// <summary>A batch upsert result: the contact and whether it was created.</summary>
public sealed record HubSpotUpsertResult(HubSpotContact Contact, bool New);

public sealed record HubSpotContactUpdate(string Id, IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>Sent as the input's <c>objectWriteTraceId</c>: the result and any error for it carry it back.</summary>
    public string? TraceId { get; init; }
}

/// <summary>A contact to create in a batch, with the trace id its result and errors come back under.</summary>
public sealed record HubSpotContactCreate(IReadOnlyDictionary<string, string> Properties, string? TraceId = null);

public sealed record HubSpotContactUpsert(string Email, IReadOnlyDictionary<string, string> Properties);

/// <summary>A property definition of the properties API.</summary>
public sealed record HubSpotProperty
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("label")] public string? Label { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("fieldType")] public required string FieldType { get; init; }
    [JsonPropertyName("groupName")] public string? GroupName { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("formField")] public bool? FormField { get; init; }
}

public sealed record HubSpotPropertyGroup
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("label")] public required string Label { get; init; }
    [JsonPropertyName("displayOrder")] public int DisplayOrder { get; init; } = -1;
}

/// <summary>A custom behavioral event occurrence (<c>POST /events/v3/send</c>).</summary>
public sealed record HubSpotBehavioralEvent
{
    [JsonPropertyName("eventName")] public required string EventName { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("objectId")] public string? ObjectId { get; init; }
    [JsonPropertyName("occurredAt")] public DateTimeOffset? OccurredAt { get; init; }
    [JsonPropertyName("uuid")] public string? Uuid { get; init; }
    [JsonPropertyName("properties")] public IReadOnlyDictionary<string, string>? Properties { get; init; }
}
