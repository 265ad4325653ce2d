using static HhLearn.HubSpotEmulator.ContactAnswers;

namespace HhLearn.HubSpotEmulator;

/// <summary>The properties API, property groups and behavioral events.</summary>
public sealed partial class ContactStore
{
    public int EventCount
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    // ---- properties ----

    public ApiAnswer GetProperty(string name)
    {
        lock (_lock)
        {
            return _properties.TryGetValue(name, out var p)
                ? new ApiAnswer(200, p.ToJson())
                : new ApiAnswer(404, EmulatorJson.Error($"Unable to find property with name {name} on object type 0-1", "OBJECT_NOT_FOUND"));
        }
    }

    public ApiAnswer ListProperties()
    {
        lock (_lock)
        {
            return new ApiAnswer(200, new JsonObject { ["results"] = new JsonArray(_properties.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => (JsonNode)p.ToJson()).ToArray()) });
        }
    }

    public ApiAnswer CreateProperty(JsonObject? body)
    {
        lock (_lock)
        {
            var (property, error) = CheckNewProperty(body);
            if (error is not null)
            {
                return error.Value;
            }

            _properties[property!.Name] = property;
            Changed();
            return new ApiAnswer(201, property.ToJson());
        }
    }

    public ApiAnswer BatchCreateProperties(JsonArray inputs)
    {
        lock (_lock)
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

                _properties[property!.Name] = property;
                results.Add(property.ToJson());
            }

            Changed();
            return Batch(results, errors, 201, _time.GetUtcNow());
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

        lock (_lock)
        {
            if (_groups.ContainsKey(name))
            {
                return new ApiAnswer(409, EmulatorJson.Error($"A property group named '{name}' already exists.", "CONFLICT"));
            }

            var group = new JsonObject { ["name"] = name, ["label"] = label, ["displayOrder"] = body?["displayOrder"]?.GetValue<int>() ?? -1, ["archived"] = false };
            _groups[name] = group;
            Changed();
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

        lock (_lock)
        {
            var known = (email is not null && _byEmail.ContainsKey(email)) ||
                        (objectId is not null && long.TryParse(objectId, CultureInfo.InvariantCulture, out var id) && _contacts.ContainsKey(id));
            if (!known && email is null)
            {
                return new ApiAnswer(400, EmulatorJson.Error("An event needs the email or objectId of a contact.", "VALIDATION_ERROR"));
            }

            // HubSpot creates the contact for an unknown email on event send.
            if (!known && email is not null)
            {
                Insert(new Dictionary<string, string?>(StringComparer.Ordinal) { ["email"] = email });
            }

            var stored = (JsonObject)body!.DeepClone();
            stored["receivedAt"] = EmulatorJson.Instant(_time.GetUtcNow());
            _events.Add(stored);
            Changed();
            return new ApiAnswer(204, null);
        }
    }

    public IReadOnlyList<JsonObject> Events()
    {
        lock (_lock)
        {
            return _events.Select(e => (JsonObject)e.DeepClone()).ToList();
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

        if (!_groups.ContainsKey(groupName))
        {
            return (null, new ApiAnswer(400, EmulatorJson.Error($"Property group '{groupName}' does not exist.", "VALIDATION_ERROR")));
        }

        if (_properties.ContainsKey(name))
        {
            return (null, new ApiAnswer(409, EmulatorJson.Error($"A property named '{name}' already exists.", "CONFLICT")));
        }

        return (ToProperty(body!), null);
    }

    private EmulatedProperty ToProperty(JsonObject body) => new(
        body["name"]!.ToString(),
        body["label"]?.ToString() ?? body["name"]!.ToString(),
        body["type"]!.ToString(),
        body["fieldType"]!.ToString(),
        body["groupName"]?.ToString() ?? "contactinformation",
        body["description"]?.ToString() ?? string.Empty,
        ReadOnly: false,
        (body["options"] as JsonArray ?? []).Select(o => o?["value"]?.ToString()).OfType<string>().ToArray(),
        _time.GetUtcNow());
}
