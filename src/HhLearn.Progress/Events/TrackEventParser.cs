using System.Text;

namespace HhLearn.Progress.Events;

/// <summary>
/// Parses and validates a POST /events/track body (docs/architecture.md section 3). Every problem found is
/// reported as one <c>field: problem</c> line; nothing here throws on any input.
/// </summary>
public static class TrackEventParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = 16,
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Parses a body given as text (it is measured and parsed as UTF-8).</summary>
    public static Result<TrackEvent, ValidationError> Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(body);
        }
        catch (EncoderFallbackException)
        {
            return Invalid(ErrorCodes.InvalidJson, "Body is not valid Unicode text", "body: contains an unpaired surrogate");
        }

        return Parse(bytes);
    }

    public static Result<TrackEvent, ValidationError> Parse(ReadOnlyMemory<byte> utf8Body)
    {
        if (utf8Body.Length > Limits.MaxBodyBytes)
        {
            return Invalid(
                ErrorCodes.PayloadTooLarge,
                $"Body is {utf8Body.Length} bytes; the limit is {Limits.MaxBodyBytes}",
                $"body: must be at most {Limits.MaxBodyBytes} bytes");
        }

        // A UTF-8 byte order mark is tolerated; the JSON reader does not skip it by itself.
        if (utf8Body.Span.StartsWith(Utf8Bom))
        {
            utf8Body = utf8Body[Utf8Bom.Length..];
        }

        // The JSON reader checks UTF-8 lazily (not in property names), so check all of it up front.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Body.Span))
        {
            return Invalid(ErrorCodes.InvalidJson, "Body is not valid JSON", "body: is not valid UTF-8");
        }

        if (utf8Body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Invalid(ErrorCodes.InvalidJson, "Body is empty", "body: a JSON object is required");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Body, Options);
        }
        catch (JsonException ex)
        {
            return Invalid(ErrorCodes.InvalidJson, "Body is not valid JSON", $"body: {Describe(ex)}");
        }
        catch (ArgumentException)
        {
            // Invalid UTF-8 surfaces as ArgumentException from the reader on some inputs.
            return Invalid(ErrorCodes.InvalidJson, "Body is not valid JSON", "body: is not valid UTF-8");
        }
        catch (InvalidOperationException)
        {
            // The duplicate-key check unescapes property names; half a surrogate pair there is not text.
            return Invalid(ErrorCodes.InvalidJson, "Body is not valid JSON text", "body: contains an escaped unpaired surrogate (\\uD800-\\uDFFF)");
        }

        using (document)
        {
            try
            {
                return TrackEventFields.Validate(document.RootElement);
            }
            catch (InvalidOperationException)
            {
                // Valid JSON can still escape half a surrogate pair ("\ud800"), which is not text.
                return Invalid(ErrorCodes.InvalidJson, "Body is not valid JSON text", "body: contains an escaped unpaired surrogate (\\uD800-\\uDFFF)");
            }
        }
    }

    private static Result<TrackEvent, ValidationError> Invalid(string code, string message, string detail) =>
        Result<TrackEvent, ValidationError>.Fail(ValidationError.Of(code, message, detail));

    private static string Describe(JsonException ex)
    {
        // The reader's text ends with its own zero-based position ("LineNumber: 0 | BytePositionInLine: 13.") and a path:
        // keep the sentence and say the position once, counted from one as editors count.
        var message = ex.Message.Split('\n')[0].Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd();
        return ex.LineNumber is { } line && ex.BytePositionInLine is { } position
            ? string.Create(CultureInfo.InvariantCulture, $"{message} (line {line + 1}, byte {position + 1})")
            : message;
    }
}
