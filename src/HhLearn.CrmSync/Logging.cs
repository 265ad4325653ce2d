using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HhLearn.Progress.Events;

namespace HhLearn.CrmSync;

/// <summary>
/// The stable <c>event</c> names of the JSON log lines (design.md section 6). The CDK metric filters match
/// these exact strings, so they are defined once, here.
/// </summary>
public static class LogEvents
{
    public const string ContactCreated = "contact_created";
    public const string ContactCreateFailed = "contact_create_failed";
    public const string EventPersisted = "event_persisted";
    public const string CrmSyncFailed = "crm_sync_failed";
    public const string CrmRateLimited = "crm_rate_limited";
    public const string ValidationFailed = "validation_failed";
    public const string EventRejected = "event_rejected";
    public const string ProgressStateCorrupt = "progress_state_corrupt";
    public const string ProgressStateTooLarge = "progress_state_too_large";
    public const string CompletedAtMismatch = "completed_at_mismatch";
    public const string EventQueued = "event_queued";
    public const string QueueSendFailed = "queue_send_failed";
    public const string BatchProcessed = "batch_processed";
    public const string ConfigurationInvalid = "configuration_invalid";
    public const string CatalogFileSkipped = "catalog_file_skipped";
    public const string InvocationFailed = "invocation_failed";

    /// <summary>The events the CloudWatch metric filters count.</summary>
    public static readonly IReadOnlyList<string> Metered =
        [ContactCreated, ContactCreateFailed, CrmSyncFailed, CrmRateLimited, ValidationFailed];
}

public enum LogLevel
{
    Debug,
    Info,
    Warn,
    Error,
}

/// <summary>One log line's context. Only hashes of emails go in, never an email or a token.</summary>
public sealed record LogContext
{
    public string? RequestId { get; init; }
    public string? ContactId { get; init; }
    public string? EmailHash { get; init; }
    public string? EventName { get; init; }
    public string? EventId { get; init; }
    public string? CorrelationId { get; init; }
    public string? Error { get; init; }

    /// <summary>Extra fields (counts, codes, a replayable event body without its identity).</summary>
    public IReadOnlyList<KeyValuePair<string, object?>>? Fields { get; init; }
}

public interface ISyncLog
{
    void Write(LogLevel level, string eventName, string message, LogContext? context = null);
}

/// <summary>
/// Writes one JSON object per line: <c>timestamp, level, event, message, requestId</c> plus context.
/// Thread-safe; each line is written with a single call so that lines never interleave.
/// </summary>
public sealed class JsonLineLog(TextWriter output, TimeProvider time) : ISyncLog
{
    private readonly Lock _lock = new();

    public static JsonLineLog Console { get; } = new(System.Console.Out, TimeProvider.System);

    public void Write(LogLevel level, string eventName, string message, LogContext? context = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("timestamp", time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("level", level switch { LogLevel.Debug => "DEBUG", LogLevel.Info => "INFO", LogLevel.Warn => "WARN", _ => "ERROR" });
            writer.WriteString("event", eventName);
            writer.WriteString("message", message);
            writer.WriteString("requestId", context?.RequestId);
            WriteOptional(writer, "contactId", context?.ContactId);
            WriteOptional(writer, "emailHash", context?.EmailHash);
            WriteOptional(writer, "eventName", context?.EventName);
            WriteOptional(writer, "eventId", context?.EventId);
            WriteOptional(writer, "correlationId", context?.CorrelationId);
            WriteOptional(writer, "error", context?.Error);
            foreach (var (key, value) in context?.Fields ?? [])
            {
                WriteValue(writer, key, value);
            }

            writer.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, string name, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNull(name);
                break;
            case string s:
                writer.WriteString(name, s);
                break;
            case int i:
                writer.WriteNumber(name, i);
                break;
            case long l:
                writer.WriteNumber(name, l);
                break;
            case double d:
                writer.WriteNumber(name, d);
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case JsonElement element:
                writer.WritePropertyName(name);
                element.WriteTo(writer);
                break;
            case IEnumerable<string> list:
                writer.WriteStartArray(name);
                foreach (var item in list)
                {
                    writer.WriteStringValue(item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteString(name, value.ToString());
                break;
        }
    }
}

public static class EmailHash
{
    /// <summary>The first 12 hex characters of SHA-256 of the normalised email: joins log lines without exposing the address.</summary>
    public static string Of(string email)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(EmailAddress.Normalize(email)), hash);
        return Convert.ToHexStringLower(hash[..6]);
    }
}
