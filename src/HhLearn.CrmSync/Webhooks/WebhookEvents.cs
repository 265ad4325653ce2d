using System.Globalization;
using System.Text.Json;

namespace HhLearn.CrmSync.Webhooks;

/// <summary>The contact changes HhLearn acts on; anything else HubSpot sends is counted and ignored.</summary>
public enum WebhookKind
{
    PrivacyDeletion,
    Deletion,
    Restore,
    Merge,
    EmailChange,
}

/// <summary>
/// One event of a webhook delivery, as HubSpot sends it (its webhooks documentation): <c>eventId</c> (deliveries repeat:
/// processing is idempotent by it), <c>objectId</c>, <c>occurredAt</c> (ms; deliveries arrive out of order), and per kind
/// the merge's <c>primaryObjectId</c>, <c>mergedObjectIds</c> and <c>newObjectId</c>, or the changed email.
/// </summary>
public sealed record WebhookEvent(long EventId, WebhookKind Kind, string ObjectId, long OccurredAt)
{
    public string? PrimaryObjectId { get; init; }
    public IReadOnlyList<string> MergedObjectIds { get; init; } = [];
    public string? NewObjectId { get; init; }
    public string? Email { get; init; }
}

/// <summary>A delivery's body: a JSON array of up to 100 events.</summary>
public sealed record WebhookBatch(IReadOnlyList<WebhookEvent> Events, int Ignored)
{
    public const int MaxEvents = 100;

    /// <summary>The events of a delivery, or the problem (one line) when the body is not HubSpot's shape.</summary>
    public static (WebhookBatch? Batch, string? Problem) Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException)
        {
            return (null, "the body is not JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return (null, "the body must be a JSON array of events");
            }

            if (root.GetArrayLength() > MaxEvents)
            {
                return (null, $"at most {MaxEvents} events per delivery (got {root.GetArrayLength()})");
            }

            var events = new List<WebhookEvent>();
            var ignored = 0;
            foreach (var item in root.EnumerateArray())
            {
                if (Read(item) is { } e)
                {
                    events.Add(e);
                }
                else
                {
                    ignored++;
                }
            }

            return (new WebhookBatch(events, ignored), null);
        }
    }

    private static WebhookEvent? Read(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object || Id(item, "eventId") is not { } eventIdText ||
            !long.TryParse(eventIdText, NumberStyles.None, CultureInfo.InvariantCulture, out var eventId) || Id(item, "objectId") is not { } objectId)
        {
            return null;
        }

        var type = item.TryGetProperty("subscriptionType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var occurredAt = item.TryGetProperty("occurredAt", out var at) && at.TryGetInt64(out var ms) ? ms : 0;
        var property = item.TryGetProperty("propertyName", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        var value = item.TryGetProperty("propertyValue", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        WebhookKind? kind = type switch
        {
            "contact.privacyDeletion" => WebhookKind.PrivacyDeletion,
            "contact.deletion" => WebhookKind.Deletion,
            "contact.restore" => WebhookKind.Restore,
            "contact.merge" => WebhookKind.Merge,
            "contact.propertyChange" when property == "email" => WebhookKind.EmailChange,
            _ => null,
        };
        if (kind is not { } known)
        {
            return null;
        }

        var merged = item.TryGetProperty("mergedObjectIds", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(Scalar).OfType<string>().ToList()
            : [];
        return new WebhookEvent(eventId, known, objectId, occurredAt)
        {
            PrimaryObjectId = Id(item, "primaryObjectId"),
            MergedObjectIds = merged,
            NewObjectId = Id(item, "newObjectId"),
            Email = known == WebhookKind.EmailChange ? Identifiers.EmailOrNull(value) : null,
        };
    }

    /// <summary>An id HubSpot may send as a number or a string; null when absent or not digits.</summary>
    private static string? Id(JsonElement item, string name) => item.TryGetProperty(name, out var value) ? Scalar(value) : null;

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var n) && n > 0 => n.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.String when value.GetString() is { Length: > 0 and <= 20 } s && s.All(char.IsAsciiDigit) => s,
        _ => null,
    };
}
