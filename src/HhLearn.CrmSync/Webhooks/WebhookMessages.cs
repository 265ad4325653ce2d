using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HhLearn.CrmSync.Webhooks;

/// <summary>
/// A webhook event on the projection queue: <c>{"webhook":{"eventId":1,"kind":"Merge","objectId":"42",...}}</c>. The
/// FIFO group is the contact (<c>C#42</c>: one contact's changes in order), the deduplication id the event's
/// (<c>W#1</c>: HubSpot's repeated deliveries within SQS's window are dropped; handling is idempotent beyond it).
/// </summary>
public static class WebhookMessages
{
    public static string Write(WebhookEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("webhook");
            writer.WriteNumber("eventId", e.EventId);
            writer.WriteString("kind", e.Kind.ToString());
            writer.WriteString("objectId", e.ObjectId);
            writer.WriteNumber("occurredAt", e.OccurredAt);
            if (e.PrimaryObjectId is { } primary)
            {
                writer.WriteString("primaryObjectId", primary);
            }

            if (e.NewObjectId is { } newId)
            {
                writer.WriteString("newObjectId", newId);
            }

            if (e.MergedObjectIds.Count > 0)
            {
                writer.WriteStartArray("mergedObjectIds");
                foreach (var id in e.MergedObjectIds)
                {
                    writer.WriteStringValue(id);
                }

                writer.WriteEndArray();
            }

            if (e.Email is { } email)
            {
                writer.WriteString("email", email);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string GroupId(WebhookEvent e) => $"C#{e?.ObjectId ?? throw new ArgumentNullException(nameof(e))}";

    public static string DeduplicationId(WebhookEvent e) => $"W#{(e ?? throw new ArgumentNullException(nameof(e))).EventId.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryRead(string? body, [NotNullWhen(true)] out WebhookEvent? webhook)
    {
        webhook = null;
        try
        {
            using var document = JsonDocument.Parse(body ?? string.Empty);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("webhook", out var w) || w.ValueKind != JsonValueKind.Object ||
                !w.TryGetProperty("eventId", out var id) || !id.TryGetInt64(out var eventId) ||
                !Enum.TryParse<WebhookKind>(Text(w, "kind"), out var kind) || Text(w, "objectId") is not { } objectId)
            {
                return false;
            }

            webhook = new WebhookEvent(eventId, kind, objectId, w.TryGetProperty("occurredAt", out var at) && at.TryGetInt64(out var ms) ? ms : 0)
            {
                PrimaryObjectId = Text(w, "primaryObjectId"),
                NewObjectId = Text(w, "newObjectId"),
                MergedObjectIds = w.TryGetProperty("mergedObjectIds", out var merged) && merged.ValueKind == JsonValueKind.Array
                    ? merged.EnumerateArray().Select(m => m.GetString()).OfType<string>().ToList()
                    : [],
                Email = Text(w, "email"),
            };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>Puts webhook events on the projection queue (SQS FIFO in the function).</summary>
public interface IWebhookSender
{
    Task SendAsync(IReadOnlyList<WebhookEvent> events, CancellationToken ct);
}
