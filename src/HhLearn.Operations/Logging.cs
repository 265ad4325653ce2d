using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HhLearn.Progress.Events;

namespace HhLearn.Operations;

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
public sealed class JsonLineLog(TextWriter output, TimeProvider time, string? stage = null) : ISyncLog
{
    private readonly Lock _lock = new();

    /// <summary>Stdout, with the deployment stage (<c>HHLEARN_STAGE</c>) on every line for the metric filters' dimension.</summary>
    public static JsonLineLog Console { get; } = new(System.Console.Out, TimeProvider.System, Environment.GetEnvironmentVariable(SettingNames.Stage));

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
            WriteOptional(writer, "stage", stage);
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

/// <summary>What log lines say about a learner.</summary>
public static class LearnerLogging
{
    extension(LearnerIdentity who)
    {
        /// <summary>The hash of the learner's email for log lines, or null when the learner is known by contact id only.</summary>
        public string? EmailHash => who.Email is null ? null : Operations.EmailHash.Of(who.Email);
    }
}

/// <summary>
/// The <c>emailHash</c> of log lines: the first 12 hex characters of an HMAC-SHA256 of the normalised email, keyed with
/// the deployment's hash key (<see cref="UseKey"/>, set once at start), so that log lines about one learner join
/// without the address, and a list of likely addresses cannot be hashed to find whose line it is. Without a key (direct
/// mode without one, unit tests) it is a plain SHA-256.
/// </summary>
public static class EmailHash
{
    private static HashKey? _key;

    /// <summary>Keys every later hash with <paramref name="key"/> (the process's configuration, at start).</summary>
    public static void UseKey(HashKey? key) => _key = key;

    public static string Of(string email) => Of(email, _key);

    /// <summary>The hash under a given key (null: unkeyed), for a reader that holds a deployment's key.</summary>
    public static string Of(string email, HashKey? key)
    {
        ArgumentNullException.ThrowIfNull(email);
        var normalized = EmailAddress.Normalize(email);
        if (key is not null)
        {
            return key.Hex("email:" + normalized)[..12];
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(normalized), hash);
        return Convert.ToHexStringLower(hash[..6]);
    }
}
