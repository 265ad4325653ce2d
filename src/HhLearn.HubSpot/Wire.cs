using System.Text.Json;
using System.Text.Json.Serialization;

namespace HhLearn.HubSpot;

// The HubSpot CRM v3 wire shapes. Every field is optional on the way in: HubSpot adds fields over time.

internal sealed class ObjectDto
{
    [JsonPropertyName("id")] public string? Id { get; set; }

    [JsonPropertyName("properties")]
    [JsonConverter(typeof(LenientStringMapConverter))]
    public Dictionary<string, string?>? Properties { get; set; }

    [JsonPropertyName("createdAt")] public DateTimeOffset? CreatedAt { get; set; }
    [JsonPropertyName("updatedAt")] public DateTimeOffset? UpdatedAt { get; set; }
    [JsonPropertyName("archived")] public bool? Archived { get; set; }
    [JsonPropertyName("new")] public bool? New { get; set; }

    /// <summary>Echoed from the batch input that asked for this record: how results are matched to inputs.</summary>
    [JsonPropertyName("objectWriteTraceId")] public string? ObjectWriteTraceId { get; set; }
}

internal sealed class PropertiesInput
{
    [JsonPropertyName("properties")] public required IReadOnlyDictionary<string, string> Properties { get; init; }

    [JsonPropertyName("objectWriteTraceId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ObjectWriteTraceId { get; init; }
}

internal sealed class IdInput
{
    [JsonPropertyName("id")] public required string Id { get; init; }
}

internal sealed class BatchReadRequest
{
    [JsonPropertyName("idProperty")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IdProperty { get; init; }

    [JsonPropertyName("inputs")] public required IReadOnlyList<IdInput> Inputs { get; init; }
    [JsonPropertyName("properties")] public required IReadOnlyList<string> Properties { get; init; }
}

/// <summary>A batch call's body: <c>{"inputs":[...]}</c>, 1 to 100 of them.</summary>
internal sealed class BatchInputs<T>
{
    [JsonPropertyName("inputs")] public required IReadOnlyList<T> Inputs { get; init; }
}

/// <summary>A batch call's answer: 200 with <c>results</c>, or 207 with <c>errors</c> beside them.</summary>
internal sealed class BatchAnswer<T>
{
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("results")] public List<T>? Results { get; set; }
    [JsonPropertyName("errors")] public List<ErrorDto>? Errors { get; set; }
}

internal sealed class UpdateInput
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("properties")] public required IReadOnlyDictionary<string, string> Properties { get; init; }

    [JsonPropertyName("objectWriteTraceId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ObjectWriteTraceId { get; init; }
}

internal sealed class UpsertInput
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("idProperty")] public required string IdProperty { get; init; }
    [JsonPropertyName("properties")] public required IReadOnlyDictionary<string, string> Properties { get; init; }
}

internal sealed class ErrorDto
{
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("correlationId")] public string? CorrelationId { get; set; }
    [JsonPropertyName("category")] public string? Category { get; set; }
    [JsonPropertyName("subCategory")] public JsonElement? SubCategory { get; set; }
    [JsonPropertyName("errors")] public List<ErrorDetailDto>? Errors { get; set; }
    [JsonPropertyName("context")] public Dictionary<string, JsonElement>? Context { get; set; }
    [JsonPropertyName("policyName")] public string? PolicyName { get; set; }
    [JsonPropertyName("errorType")] public string? ErrorType { get; set; }
    [JsonPropertyName("identityProfile")] public JsonElement? IdentityProfile { get; set; }
}

internal sealed class ErrorDetailDto
{
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("code")] public string? Code { get; set; }
    [JsonPropertyName("in")] public string? In { get; set; }
    [JsonPropertyName("context")] public Dictionary<string, JsonElement>? Context { get; set; }
}

internal sealed class SearchFilter
{
    [JsonPropertyName("propertyName")] public required string PropertyName { get; init; }
    [JsonPropertyName("operator")] public required string Operator { get; init; }
    [JsonPropertyName("value")] public required string Value { get; init; }
}

internal sealed class SearchFilterGroup
{
    [JsonPropertyName("filters")] public required IReadOnlyList<SearchFilter> Filters { get; init; }
}

internal sealed class SearchRequest
{
    [JsonPropertyName("filterGroups")] public required IReadOnlyList<SearchFilterGroup> FilterGroups { get; init; }
    [JsonPropertyName("properties")] public required IReadOnlyList<string> Properties { get; init; }
    [JsonPropertyName("limit")] public int Limit { get; init; }
}

internal sealed class SearchResponse
{
    [JsonPropertyName("total")] public int? Total { get; set; }
    [JsonPropertyName("results")] public List<ObjectDto>? Results { get; set; }
}

internal sealed class ListResponse
{
    [JsonPropertyName("results")] public List<ObjectDto>? Results { get; set; }
    [JsonPropertyName("paging")] public PagingDto? Paging { get; set; }
}

internal sealed class PagingDto
{
    [JsonPropertyName("next")] public NextPageDto? Next { get; set; }
}

internal sealed class NextPageDto
{
    [JsonPropertyName("after")] public string? After { get; set; }
}

internal sealed class MergeRequest
{
    [JsonPropertyName("primaryObjectId")] public required string PrimaryObjectId { get; init; }

    [JsonPropertyName("objectIdToMerge")] public required string ObjectIdToMerge { get; init; }
}

internal sealed class GdprDeleteRequest
{
    [JsonPropertyName("objectId")] public required string ObjectId { get; init; }

    [JsonPropertyName("idProperty")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IdProperty { get; init; }
}

/// <summary>Property values are documented as strings or null; any other scalar is taken as its JSON text.</summary>
internal sealed class LenientStringMapConverter : JsonConverter<Dictionary<string, string?>>
{
    public override Dictionary<string, string?> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("properties must be an object");
        }

        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            result[name] = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Null => null,
                JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                _ => Skip(ref reader),
            };
        }

        return result;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, string?> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, item) in value)
        {
            writer.WriteString(key, item);
        }

        writer.WriteEndObject();
    }

    private static string? Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ObjectDto))]
[JsonSerializable(typeof(PropertiesInput))]
[JsonSerializable(typeof(BatchReadRequest))]
[JsonSerializable(typeof(BatchInputs<PropertiesInput>), TypeInfoPropertyName = "BatchCreateRequest")]
[JsonSerializable(typeof(BatchInputs<UpdateInput>), TypeInfoPropertyName = "BatchUpdateRequest")]
[JsonSerializable(typeof(BatchInputs<UpsertInput>), TypeInfoPropertyName = "BatchUpsertRequest")]
[JsonSerializable(typeof(BatchAnswer<ObjectDto>), TypeInfoPropertyName = "BatchResponse")]
[JsonSerializable(typeof(ErrorDto))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(ListResponse))]
[JsonSerializable(typeof(GdprDeleteRequest))]
[JsonSerializable(typeof(MergeRequest))]
[JsonSerializable(typeof(HubSpotProperty))]
[JsonSerializable(typeof(HubSpotPropertyGroup))]
[JsonSerializable(typeof(BatchInputs<HubSpotProperty>), TypeInfoPropertyName = "PropertyBatchCreateRequest")]
[JsonSerializable(typeof(BatchAnswer<HubSpotProperty>), TypeInfoPropertyName = "PropertyBatchResponse")]
[JsonSerializable(typeof(HubSpotBehavioralEvent))]
internal sealed partial class HubSpotJsonContext : JsonSerializerContext;
