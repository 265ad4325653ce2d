namespace HhLearn.HubSpotEmulator;

/// <summary>The JSON HubSpot answers with: records, batch envelopes, 404s and validation errors.</summary>
internal static class ContactAnswers
{
    /// <summary>What a read returns without <c>properties</c>, and what every write answer carries beside the values written.</summary>
    public static readonly string[] DefaultReturned = ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"];

    /// <summary>
    /// A record. <paramref name="requested"/> are the properties a read asked for (null: the defaults);
    /// <paramref name="written"/> the ones a write set, which HubSpot echoes beside the defaults.
    /// </summary>
    public static JsonObject Contact(StoredContact contact, IReadOnlyList<string>? requested, IEnumerable<string>? written = null, Dictionary<string, string?>? values = null)
    {
        values ??= contact.Values;
        var names = requested is { Count: > 0 } ? requested.Concat(["hs_object_id", "createdate", "lastmodifieddate"]) : DefaultReturned;
        var properties = new JsonObject();
        foreach (var name in names.Concat(written ?? []).Distinct(StringComparer.Ordinal))
        {
            properties[name] = name switch
            {
                "hs_object_id" => contact.Id.ToString(CultureInfo.InvariantCulture),
                "createdate" => EmulatorJson.Instant(contact.CreatedAt),
                "lastmodifieddate" => EmulatorJson.Instant(contact.UpdatedAt),
                _ => values.TryGetValue(name, out var v) ? v : null,
            };
        }

        return new JsonObject
        {
            ["id"] = contact.Id.ToString(CultureInfo.InvariantCulture),
            ["properties"] = properties,
            ["createdAt"] = EmulatorJson.Instant(contact.CreatedAt),
            ["updatedAt"] = EmulatorJson.Instant(contact.UpdatedAt),
            ["archived"] = false,
        };
    }

    /// <summary>Search filters: groups are ORed, filters in a group ANDed. <c>email</c> matches additional emails too, as HubSpot's does.</summary>
    public static bool Matches(Dictionary<string, string?> values, List<JsonObject> groups)
    {
        if (groups.Count == 0)
        {
            return true;
        }

        return groups.Any(g => (g["filters"] as JsonArray ?? []).OfType<JsonObject>().All(f =>
        {
            var name = f["propertyName"]?.ToString() ?? string.Empty;
            var op = f["operator"]?.ToString() ?? "EQ";
            var expected = f["value"]?.ToString();
            var actual = values.TryGetValue(name, out var v) ? v : null;
            // Search on email matches the primary email only; a filter on hs_additional_emails finds the others
            // (hubspot-api-nodejs #24; docs/hubspot.md).
            return op switch
            {
                "EQ" => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase),
                "NEQ" => !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase),
                "HAS_PROPERTY" => actual is not null,
                "NOT_HAS_PROPERTY" => actual is null,
                "CONTAINS_TOKEN" => actual?.Contains(expected ?? string.Empty, StringComparison.OrdinalIgnoreCase) == true,
                _ => false,
            };
        }));
    }

    public static ApiAnswer NotFound(string id) =>
        new(404, EmulatorJson.Error("Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND", body =>
            body["context"] = new JsonObject { ["id"] = new JsonArray(id) }));

    public static ApiAnswer Invalid(string message) => new(400, EmulatorJson.Error(message, "VALIDATION_ERROR"));

    /// <summary>A property the portal requires on create is missing (2026-09 enforces a portal's required properties on API writes).</summary>
    public static List<PropertyProblem> MissingRequired(IReadOnlyList<string> required, IReadOnlyDictionary<string, string?> values) =>
        required.Where(name => string.IsNullOrEmpty(values.GetValueOrDefault(name)))
            .Select(name => new PropertyProblem("REQUIRED_PROPERTY", $"Property \"{name}\" is required by this portal's validation rules", name))
            .ToList();

    /// <summary>One input of a batch refused for its values (the per-input form of a 207), under its trace id.</summary>
    public static JsonObject BatchInputInvalid(List<PropertyProblem> problems, string? traceId)
    {
        var error = new JsonObject
        {
            ["status"] = "error",
            ["category"] = "VALIDATION_ERROR",
            ["message"] = "Property values were not valid: " + string.Join("; ", problems.Select(p => p.Message)),
            ["errors"] = new JsonArray(problems.Select(p => (JsonNode)new JsonObject
            {
                ["message"] = p.Message, ["code"] = p.Code, ["context"] = new JsonObject { ["propertyName"] = new JsonArray(p.PropertyName) },
            }).ToArray()),
            ["context"] = new JsonObject(),
        };
        if (traceId is not null)
        {
            error["context"]!["objectWriteTraceId"] = new JsonArray(traceId);
        }

        return error;
    }

    /// <summary>Echoes the input's trace id on its result, as HubSpot does.</summary>
    public static JsonObject Traced(JsonObject result, string? traceId)
    {
        if (traceId is not null)
        {
            result["objectWriteTraceId"] = traceId;
        }

        return result;
    }

    public static ApiAnswer ValidationFailed(List<PropertyProblem> problems) =>
        new(400, EmulatorJson.Error(
            "Property values were not valid: " + string.Join("; ", problems.Select(p => p.Message)),
            "VALIDATION_ERROR",
            body => body["errors"] = new JsonArray(problems.Select(p => (JsonNode)new JsonObject
            {
                ["message"] = p.Message,
                ["code"] = p.Code,
                ["context"] = new JsonObject { ["propertyName"] = new JsonArray(p.PropertyName) },
            }).ToArray())));

    public static JsonObject BatchNotFound(List<string> ids, IReadOnlyList<string>? traceIds = null)
    {
        var error = new JsonObject
        {
            ["status"] = "error",
            ["category"] = "OBJECT_NOT_FOUND",
            ["message"] = "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
            ["context"] = new JsonObject { ["ids"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()) },
        };
        if (traceIds is { Count: > 0 })
        {
            error["context"]!["objectWriteTraceId"] = new JsonArray(traceIds.Select(t => (JsonNode)t).ToArray());
        }

        return error;
    }

    public static ApiAnswer Batch(JsonArray results, List<JsonObject> errors, int okStatus, DateTimeOffset now)
    {
        var at = EmulatorJson.Instant(now);
        var body = new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = results,
            ["startedAt"] = at,
            ["completedAt"] = at,
        };
        if (errors.Count > 0)
        {
            body["numErrors"] = errors.Count;
            body["errors"] = new JsonArray(errors.Select(e => (JsonNode)e).ToArray());
        }

        return new ApiAnswer(errors.Count > 0 ? 207 : okStatus, body);
    }
}
