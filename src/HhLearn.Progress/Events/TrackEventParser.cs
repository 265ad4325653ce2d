using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HhLearn.Progress.State;

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

    private static readonly string EventNameList = string.Join(", ", EventNames.All);

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
                return Validate(document.RootElement);
            }
            catch (InvalidOperationException)
            {
                // Valid JSON can still escape half a surrogate pair ("\ud800"), which is not text.
                return Invalid(ErrorCodes.InvalidJson, "Body is not valid JSON text", "body: contains an escaped unpaired surrogate (\\uD800-\\uDFFF)");
            }
        }
    }

    private static Result<TrackEvent, ValidationError> Validate(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Invalid(ErrorCodes.SchemaValidationFailed, "Event failed validation", $"body: must be a JSON object (got {Kind(root)})");
        }

        var problems = new List<string>();

        EventKind? kind = null;
        if (!root.TryGetProperty("eventName", out var nameElement) || nameElement.ValueKind == JsonValueKind.Null)
        {
            problems.Add("eventName: is required");
        }
        else if (nameElement.ValueKind != JsonValueKind.String)
        {
            problems.Add($"eventName: must be a string (got {Kind(nameElement)})");
        }
        else
        {
            kind = EventNames.TryParse(nameElement.GetString()!);
            if (kind is null)
            {
                problems.Add($"eventName: must be one of {EventNameList}");
            }
        }

        var eventId = ReadEventId(root, problems);
        var (email, contactId) = ReadIdentity(root, problems);

        JsonElement payload = default;
        var hasPayload = false;
        if (root.TryGetProperty("payload", out var payloadElement) && payloadElement.ValueKind != JsonValueKind.Null)
        {
            if (payloadElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"payload: must be an object (got {Kind(payloadElement)})");
            }
            else
            {
                payload = payloadElement;
                hasPayload = true;
                CheckPayloadShape(payload, problems);
            }
        }

        var pathway = ReadSlug(root, hasPayload ? payload : null, "pathway_slug", problems);
        var course = ReadSlug(root, hasPayload ? payload : null, "course_slug", problems);
        var module = ReadSlug(root, hasPayload ? payload : null, "module_slug", problems);
        var source = ReadFreeString(root, hasPayload ? payload : null, "enrollment_source", problems);
        var contentType = hasPayload ? ReadFreeString(default, payload, "content_type", problems) : null;
        var pageSlug = hasPayload ? ReadSlug(default, payload, "slug", problems) : null;
        var claimedTime = hasPayload ? ReadTs(payload, problems) : null;
        var claimedCompletedAt = hasPayload ? ReadCompletedAt(payload, problems) : null;

        if (pathway == ProgressState.StandaloneCoursesKey)
        {
            problems.Add($"pathway_slug: '{ProgressState.StandaloneCoursesKey}' is reserved");
        }

        if (kind is { } k)
        {
            RequireFor(k, pathway, course, module, contentType, pageSlug, problems);
        }

        if (problems.Count > 0)
        {
            return Result<TrackEvent, ValidationError>.Fail(new ValidationError(ErrorCodes.SchemaValidationFailed, "Event failed validation", problems));
        }

        return Result<TrackEvent, ValidationError>.Ok(new TrackEvent
        {
            Kind = kind!.Value,
            EventId = eventId,
            Email = email,
            ContactId = contactId,
            PathwaySlug = pathway,
            CourseSlug = course,
            ModuleSlug = module,
            EnrollmentSource = source,
            ClaimedTime = claimedTime,
            ClaimedCompletedAt = claimedCompletedAt,
            ContentType = contentType,
            PageSlug = pageSlug,
        });
    }

    private static void RequireFor(
        EventKind kind, string? pathway, string? course, string? module, string? contentType, string? pageSlug, List<string> problems)
    {
        var name = kind.ToWire();
        switch (kind)
        {
            case EventKind.ModuleStarted or EventKind.ModuleCompleted:
                if (module is null)
                {
                    problems.Add($"payload.module_slug: is required for {name}");
                }

                if (pathway is null && course is null)
                {
                    problems.Add($"payload.course_slug: {name} needs a course_slug or a pathway_slug");
                }

                break;
            case EventKind.PathwayEnrolled or EventKind.PathwayCompleted:
                if (pathway is null)
                {
                    problems.Add($"pathway_slug: is required for {name}");
                }

                break;
            case EventKind.CourseEnrolled or EventKind.CourseCompleted:
                if (course is null)
                {
                    problems.Add($"course_slug: is required for {name}");
                }

                break;
            case EventKind.PageViewed:
                if (contentType is null)
                {
                    problems.Add($"payload.content_type: is required for {name}");
                }

                if (pageSlug is null)
                {
                    problems.Add($"payload.slug: is required for {name}");
                }

                break;
        }
    }

    private static string? ReadEventId(JsonElement root, List<string> problems)
    {
        if (!root.TryGetProperty("eventId", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problems.Add($"eventId: must be a string (got {Kind(element)})");
            return null;
        }

        var value = element.GetString()!;
        if (value.Length == 0)
        {
            problems.Add("eventId: must not be empty");
        }
        else if (value.Length > Limits.MaxEventIdLength)
        {
            problems.Add($"eventId: must be at most {Limits.MaxEventIdLength} characters (got {value.Length})");
        }
        else if (!value.All(ch => ch is >= '!' and <= '~'))
        {
            // The id doubles as the queue's deduplication id, which allows printable ASCII only.
            problems.Add("eventId: must be printable ASCII without spaces");
        }
        else
        {
            return value;
        }

        return null;
    }

    private static (string? Email, string? ContactId) ReadIdentity(JsonElement root, List<string> problems)
    {
        if (!root.TryGetProperty("contactIdentifier", out var identity) || identity.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (identity.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"contactIdentifier: must be an object (got {Kind(identity)})");
            return (null, null);
        }

        var count = problems.Count;
        string? email = null;
        if (identity.TryGetProperty("email", out var emailElement) && emailElement.ValueKind != JsonValueKind.Null)
        {
            if (emailElement.ValueKind != JsonValueKind.String)
            {
                problems.Add($"contactIdentifier.email: must be a string (got {Kind(emailElement)})");
            }
            else if (Identifiers.EmailProblem(emailElement.GetString()!, out email) is { } problem)
            {
                problems.Add($"contactIdentifier.email: {problem}");
            }
        }

        string? contactId = null;
        if (identity.TryGetProperty("contactId", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
        {
            var text = idElement.ValueKind switch
            {
                JsonValueKind.String => idElement.GetString()!.Trim(),
                JsonValueKind.Number => idElement.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                problems.Add($"contactIdentifier.contactId: must be a string or an integer (got {Kind(idElement)})");
            }
            else if (Identifiers.ContactIdProblem(text, out contactId) is { } problem)
            {
                problems.Add($"contactIdentifier.contactId: {problem}");
            }
        }

        // Present but naming no one ({} or only nulls) is a mistake of the caller, not the anonymous case.
        if (email is null && contactId is null && problems.Count == count)
        {
            problems.Add("contactIdentifier: must name the learner (email or contactId); leave it out for an anonymous event");
        }

        return (email, contactId);
    }

    private static void CheckPayloadShape(JsonElement payload, List<string> problems)
    {
        var count = 0;
        foreach (var property in payload.EnumerateObject())
        {
            count++;
            CheckValue(property.Value, $"payload.{Truncate(property.Name)}", depth: 1, problems);
        }

        if (count > Limits.MaxPayloadProperties)
        {
            problems.Add($"payload: must have at most {Limits.MaxPayloadProperties} properties (got {count})");
        }
    }

    private static void CheckValue(JsonElement value, string path, int depth, List<string> problems)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var length = value.GetString()!.Length;
                if (length > Limits.MaxFreeStringLength)
                {
                    problems.Add($"{path}: must be at most {Limits.MaxFreeStringLength} characters (got {length})");
                }

                break;
            case JsonValueKind.Object or JsonValueKind.Array when depth >= Limits.MaxPayloadDepth:
                problems.Add($"{path}: is nested too deeply (at most {Limits.MaxPayloadDepth} levels in payload)");
                break;
            case JsonValueKind.Object:
                foreach (var p in value.EnumerateObject())
                {
                    CheckValue(p.Value, $"{path}.{Truncate(p.Name)}", depth + 1, problems);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckValue(item, $"{path}[{index++}]", depth + 1, problems);
                }

                break;
        }
    }

    /// <summary>Reads a slug from the top level or the payload; both present and different is a problem.</summary>
    private static string? ReadSlug(JsonElement root, JsonElement? payload, string name, List<string> problems)
    {
        var top = ReadString(root, name, name, problems);
        var inner = payload is { } p ? ReadString(p, name, $"payload.{name}", problems) : null;
        if (top is not null && inner is not null && !string.Equals(top, inner, StringComparison.Ordinal))
        {
            problems.Add($"{name}: differs from payload.{name}");
            return null;
        }

        var value = top ?? inner;
        var field = top is not null ? name : $"payload.{name}";
        if (value is not null && Slugs.Problem(value) is { } problem)
        {
            problems.Add($"{field}: {problem}");
            return null;
        }

        return value;
    }

    private static string? ReadFreeString(JsonElement root, JsonElement? payload, string name, List<string> problems)
    {
        var top = root.ValueKind == JsonValueKind.Object ? ReadString(root, name, name, problems) : null;
        var inner = payload is { } p ? ReadString(p, name, $"payload.{name}", problems) : null;
        var value = top ?? inner;
        if (value is null)
        {
            return null;
        }

        var field = top is not null ? name : $"payload.{name}";
        if (value.Length > Limits.MaxFreeStringLength)
        {
            // The length problem itself is reported by the payload shape check for payload values.
            if (top is not null)
            {
                problems.Add($"{field}: must be at most {Limits.MaxFreeStringLength} characters (got {value.Length})");
            }

            return null;
        }

        if (value.Trim().Length == 0)
        {
            problems.Add($"{field}: must not be blank");
            return null;
        }

        return value;
    }

    private static string? ReadString(JsonElement obj, string name, string field, List<string> problems)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{field}: must be a string (got {Kind(element)})");
            return null;
        }

        return element.GetString();
    }

    /// <summary><c>payload.ts</c>: an ISO-8601 string or epoch milliseconds; unparseable means "use server time".</summary>
    private static DateTimeOffset? ReadTs(JsonElement payload, List<string> problems)
    {
        if (!payload.TryGetProperty("ts", out var element))
        {
            return null;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return Stamp.TryParseInstant(element.GetString());
            case JsonValueKind.Number:
                return element.TryGetInt64(out var ms) && ms is > 0 and < 253_402_300_800_000
                    ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                    : null;
            default:
                problems.Add($"payload.ts: must be an ISO-8601 string or epoch milliseconds (got {Kind(element)})");
                return null;
        }
    }

    private static DateTimeOffset? ReadCompletedAt(JsonElement payload, List<string> problems)
    {
        var text = ReadString(payload, "completed_at", "payload.completed_at", problems);
        if (text is null)
        {
            return null;
        }

        var parsed = Stamp.TryParseInstant(text);
        if (parsed is null && text.Length <= Limits.MaxFreeStringLength)
        {
            problems.Add("payload.completed_at: must be an ISO-8601 date-time");
        }

        return parsed;
    }

    private static Result<TrackEvent, ValidationError> Invalid(string code, string message, string detail) =>
        Result<TrackEvent, ValidationError>.Fail(ValidationError.Of(code, message, detail));

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string name) => name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 61), "...");

    private static string Describe(JsonException ex)
    {
        var message = ex.Message.Split('\n')[0];
        return ex.LineNumber is { } line && ex.BytePositionInLine is { } position
            ? string.Create(CultureInfo.InvariantCulture, $"{message.Split(" Path:")[0].TrimEnd()} (line {line + 1}, byte {position + 1})")
            : message;
    }
}
