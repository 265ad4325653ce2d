namespace HhLearn.Progress.Events;

/// <summary>Reading one value of a track body: slugs, free strings, times; and how a value is described in a problem line.</summary>
internal static partial class TrackEventFields
{
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
                return element.TryGetInt64(out var ms) && ms is > 0 and <= Stamp.MaxEpochMilliseconds
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
}
