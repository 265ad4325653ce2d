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
            var additional = name == StoredContact.EmailProperty && values.GetValueOrDefault(StoredContact.AdditionalEmailsProperty) is { } more
                ? more.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            return op switch
            {
                "EQ" => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase) || additional.Contains(expected, StringComparer.OrdinalIgnoreCase),
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

    public static JsonObject BatchNotFound(List<string> ids) => new()
    {
        ["status"] = "error",
        ["category"] = "OBJECT_NOT_FOUND",
        ["message"] = "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
        ["context"] = new JsonObject { ["ids"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()) },
    };

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
