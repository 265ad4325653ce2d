using static HhLearn.HubSpotEmulator.ContactAnswers;

namespace HhLearn.HubSpotEmulator;

/// <summary>The properties API, property groups and behavioral events.</summary>
internal sealed class SchemaOperations(PortalData d)
{
    public int EventCount
    {
        get
        {
            lock (d._lock)
            {
                return d._events.Count;
            }
        }
    }

    // ---- properties ----

    public ApiAnswer GetProperty(string name)
    {
        lock (d._lock)
        {
            return d._properties.TryGetValue(name, out var p)
                ? new ApiAnswer(200, p.ToJson())
                : new ApiAnswer(404, EmulatorJson.Error($"Unable to find property with name {name} on object type 0-1", "OBJECT_NOT_FOUND"));
        }
    }

    public ApiAnswer ListProperties()
    {
        lock (d._lock)
        {
            return new ApiAnswer(200, new JsonObject { ["results"] = new JsonArray(d._properties.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => (JsonNode)p.ToJson()).ToArray()) });
        }
    }

    public ApiAnswer CreateProperty(JsonObject? body)
    {
        lock (d._lock)
        {
            var (property, error) = CheckNewProperty(body);
            if (error is not null)
            {
                return error.Value;
            }

            d._properties[property!.Name] = property;
            d.Changed();
            return new ApiAnswer(201, property.ToJson());
        }
    }

    public ApiAnswer BatchCreateProperties(JsonArray inputs)
    {
        lock (d._lock)
        {
            var results = new JsonArray();
            var errors = new List<JsonObject>();
            foreach (var input in inputs)
            {
                var (property, error) = CheckNewProperty(input as JsonObject);
                if (error is { } e)
                {
                    var item = (JsonObject)e.Body!;
                    item["status"] = "error";
                    errors.Add(item);
                    continue;
                }

                d._properties[property!.Name] = property;
                results.Add(property.ToJson());
            }

            d.Changed();
            return Batch(results, errors, 201, d._time.GetUtcNow());
        }
    }

    public ApiAnswer CreateGroup(JsonObject? body)
    {
        var name = body?["name"]?.ToString();
        var label = body?["label"]?.ToString();
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(label))
        {
            return new ApiAnswer(400, EmulatorJson.Error("A property group needs a name and a label.", "VALIDATION_ERROR"));
        }

        lock (d._lock)
        {
            if (d._groups.ContainsKey(name))
            {
                return new ApiAnswer(409, EmulatorJson.Error($"A property group named '{name}' already exists.", "CONFLICT"));
            }

            var group = new JsonObject { ["name"] = name, ["label"] = label, ["displayOrder"] = body?["displayOrder"]?.GetValue<int>() ?? -1, ["archived"] = false };
            d._groups[name] = group;
            d.Changed();
            return new ApiAnswer(201, group.DeepClone());
        }
    }

    // ---- behavioral events ----

    public ApiAnswer SendEvent(JsonObject? body)
    {
        var eventName = body?["eventName"]?.ToString();
        var email = body?["email"]?.ToString();
        var objectId = body?["objectId"]?.ToString();
        if (string.IsNullOrWhiteSpace(eventName))
        {
            return new ApiAnswer(400, EmulatorJson.Error("eventName is required", "VALIDATION_ERROR"));
        }

        lock (d._lock)
        {
            var known = (email is not null && d._byEmail.ContainsKey(email)) ||
                        (objectId is not null && long.TryParse(objectId, CultureInfo.InvariantCulture, out var id) && d._contacts.ContainsKey(id));
            if (!known && email is null)
            {
                return new ApiAnswer(400, EmulatorJson.Error("An event needs the email or objectId of a contact.", "VALIDATION_ERROR"));
            }

            // HubSpot creates the contact for an unknown email on event send.
            if (!known && email is not null)
            {
                d.Insert(new Dictionary<string, string?>(StringComparer.Ordinal) { ["email"] = email });
            }

            var stored = (JsonObject)body!.DeepClone();
            stored["receivedAt"] = EmulatorJson.Instant(d._time.GetUtcNow());
            d._events.Add(stored);
            d.Changed();
            return new ApiAnswer(204, null);
        }
    }

    public IReadOnlyList<JsonObject> Events()
    {
        lock (d._lock)
        {
            return d._events.Select(e => (JsonObject)e.DeepClone()).ToList();
        }
    }

    private (EmulatedProperty? Property, ApiAnswer? Error) CheckNewProperty(JsonObject? body)
    {
        var name = body?["name"]?.ToString();
        var type = body?["type"]?.ToString();
        var fieldType = body?["fieldType"]?.ToString();
        var label = body?["label"]?.ToString();
        var groupName = body?["groupName"]?.ToString();
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(type) || string.IsNullOrWhiteSpace(fieldType) ||
            string.IsNullOrWhiteSpace(label) || string.IsNullOrWhiteSpace(groupName))
        {
            return (null, new ApiAnswer(400, EmulatorJson.Error("A property needs name, label, type, fieldType and groupName.", "VALIDATION_ERROR")));
        }

        if (!PropertySchema.AllowedFieldTypes.TryGetValue(type, out var fieldTypes))
        {
            return (null, new ApiAnswer(400, EmulatorJson.Error($"Unknown property type '{type}'.", "VALIDATION_ERROR")));
        }

        if (!fieldTypes.Contains(fieldType, StringComparer.Ordinal))
        {
            return (null, new ApiAnswer(400, EmulatorJson.Error($"Property type '{type}' and field type '{fieldType}' are not compatible.", "VALIDATION_ERROR", b =>
                b["errors"] = new JsonArray(new JsonObject { ["message"] = $"fieldType {fieldType} is not valid for type {type}", ["code"] = "INVALID_FIELD_TYPE" }))));
        }

        if (!d._groups.ContainsKey(groupName))
        {
            return (null, new ApiAnswer(400, EmulatorJson.Error($"Property group '{groupName}' does not exist.", "VALIDATION_ERROR")));
        }

        if (d._properties.ContainsKey(name))
        {
            return (null, new ApiAnswer(409, EmulatorJson.Error($"A property named '{name}' already exists.", "CONFLICT")));
        }

        return (ToProperty(body!), null);
    }

    public EmulatedProperty ToProperty(JsonObject body) => new(
        body["name"]!.ToString(),
        body["label"]?.ToString() ?? body["name"]!.ToString(),
        body["type"]!.ToString(),
        body["fieldType"]!.ToString(),
        body["groupName"]?.ToString() ?? "contactinformation",
        body["description"]?.ToString() ?? string.Empty,
        ReadOnly: false,
        (body["options"] as JsonArray ?? []).Select(o => o?["value"]?.ToString()).OfType<string>().ToArray(),
        d._time.GetUtcNow());
}
