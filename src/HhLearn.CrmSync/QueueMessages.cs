using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HhLearn.Progress.Events;
using HhLearn.Progress.State;

namespace HhLearn.CrmSync;

/// <summary>An event as the queue carries it: the validated event (with identity), when the API received it, and the request.</summary>
public sealed record QueuedEvent(TrackEvent Event, LearnerIdentity Learner, DateTimeOffset ReceivedAt, string? RequestId);

/// <summary>
/// The FIFO message format: <c>{"event":{...track body...},"receivedAt":"...","requestId":"..."}</c>. The receive time
/// travels with the event so that an event without a usable <c>ts</c> gets the time the API saw it, not the time
/// the consumer happened to apply it.
/// </summary>
public static class QueueMessages
{
    public static string Write(TrackEvent e, DateTimeOffset receivedAt, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("event");
            using (var document = JsonDocument.Parse(TrackEventJson.Write(e, includeIdentity: true)))
            {
                document.RootElement.WriteTo(writer);
            }

            writer.WriteString("receivedAt", Stamp.Format(receivedAt));
            if (requestId is not null)
            {
                writer.WriteString("requestId", requestId);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static bool TryRead(string body, [NotNullWhen(true)] out QueuedEvent? queued, [NotNullWhen(false)] out string? problem)
    {
        queued = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event", out var eventElement) || eventElement.ValueKind != JsonValueKind.Object)
            {
                problem = "message has no event object";
                return false;
            }

            var parsed = TrackEventParser.Parse(eventElement.GetRawText());
            if (!parsed.IsValid)
            {
                problem = $"message event is not valid: {string.Join("; ", parsed.Error.Details)}";
                return false;
            }

            var receivedAt = root.TryGetProperty("receivedAt", out var at) && at.ValueKind == JsonValueKind.String && Stamp.TryParseInstant(at.GetString()) is { } instant
                ? instant
                : (DateTimeOffset?)null;
            if (receivedAt is null)
            {
                problem = "message has no receivedAt";
                return false;
            }

            var learner = new LearnerIdentity(parsed.Event.Email, parsed.Event.ContactId);
            if (learner.IsEmpty)
            {
                problem = "message event names no learner";
                return false;
            }

            var requestId = root.TryGetProperty("requestId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            queued = new QueuedEvent(parsed.Event, learner, receivedAt.Value, requestId);
            problem = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            problem = "message body is not JSON";
            return false;
        }
    }

    /// <summary>The FIFO message group: one per learner, as a hash so that no email sits in queue metadata.</summary>
    public static string GroupId(LearnerIdentity learner)
    {
        ArgumentNullException.ThrowIfNull(learner);
        return Hash(learner.Key);
    }

    /// <summary>
    /// The deduplication id: the client's <c>eventId</c>; else a hash of the canonical event, its learner and the
    /// time the API received it. The SDK's own retries resend the same id, while the same content sent again
    /// later (a second page view with no <c>ts</c>) is a new event and is not dropped as a duplicate.
    /// </summary>
    public static string DeduplicationId(TrackEvent e, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.EventId ?? Hash(TrackEventJson.Write(e, includeIdentity: true) + "@" + Stamp.Format(receivedAt));
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
