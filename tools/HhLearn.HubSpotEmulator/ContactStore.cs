using System.Globalization;
using System.Text.Json.Nodes;

namespace HhLearn.HubSpotEmulator;

/// <summary>An outcome of an emulated API call: the HTTP status and the JSON body.</summary>
public readonly record struct ApiAnswer(int Status, JsonNode? Body);

/// <summary>
/// Contacts, the contact property schema and behavioral events, behind one lock: every operation is atomic,
/// so 50 concurrent creates of one email give exactly one contact and 49 conflicts, as HubSpot does.
/// </summary>
public sealed class ContactStore
{
    private static readonly string[] DefaultReturned = ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"];

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Func<EmulatorOptions> _options;
    private readonly Dictionary<long, StoredContact> _contacts = [];
    private readonly Dictionary<string, long> _byEmail = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, EmulatedProperty> _properties = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _groups = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _events = [];
    private long _nextId = 1001;
    private long _version;

    public ContactStore(TimeProvider time, Func<EmulatorOptions> options)
    {
        _time = time;
        _options = options;
        Reset();
    }

    /// <summary>Grows on every change; the persistence loop saves when it moved.</summary>
    public long Version => Interlocked.Read(ref _version);

    public int ContactCount
    {
        get
        {
            lock (_lock)
            {
                return _contacts.Count;
            }
        }
    }

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

    public void Reset()
    {
        lock (_lock)
        {
            _contacts.Clear();
            _byEmail.Clear();
            _properties.Clear();
            _groups.Clear();
            _events.Clear();
            _nextId = 1001;
            foreach (var p in PropertySchema.Defaults(_time.GetUtcNow()))
            {
                _properties[p.Name] = p;
            }

            _groups["contactinformation"] = new JsonObject { ["name"] = "contactinformation", ["label"] = "Contact information", ["displayOrder"] = 0, ["archived"] = false };
            Changed();
        }
    }

    // ---- contacts ----

    public ApiAnswer Get(string idOrEmail, bool byEmail, IReadOnlyList<string>? properties)
    {
        lock (_lock)
        {
            return Find(idOrEmail, byEmail) is { } contact
                ? new ApiAnswer(200, ContactJson(contact, properties))
                : NotFound(idOrEmail);
        }
    }

    /// <summary>
    /// The list endpoint: contacts in id order, at most <paramref name="limit"/> (1 to 100) a page, after the opaque
    /// cursor <paramref name="after"/> (here: the last id of the previous page), with <c>paging.next.after</c> when more.
    /// </summary>
    public ApiAnswer List(string? after, int limit, IReadOnlyList<string>? properties)
    {
        if (limit is < 1 or > 100)
        {
            return new ApiAnswer(400, EmulatorJson.Error($"limit must be between 1 and 100 (got {limit})", "VALIDATION_ERROR"));
        }

        var start = long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor) ? cursor : 0;
        lock (_lock)
        {
            var page = _contacts.Values.Where(c => c.Id > start).OrderBy(c => c.Id).Take(limit + 1).ToList();
            var result = new JsonObject { ["results"] = new JsonArray(page.Take(limit).Select(c => (JsonNode)ContactJson(c, properties)).ToArray()) };
            if (page.Count > limit)
            {
                result["paging"] = new JsonObject { ["next"] = new JsonObject { ["after"] = page[limit - 1].Id.ToString(CultureInfo.InvariantCulture) } };
            }

            return new ApiAnswer(200, result);
        }
    }

    public ApiAnswer Create(JsonObject? properties)
    {
        var input = ReadProperties(properties);
        lock (_lock)
        {
            var (values, problems) = ValidateAll(input);
            if (problems.Count > 0)
            {
                return ValidationFailed(problems);
            }

            if (values.TryGetValue("email", out var email) && email is not null && _byEmail.TryGetValue(email, out var existing))
            {
                return Conflict(existing);
            }

            return new ApiAnswer(201, ContactJson(Insert(values), null));
        }
    }

    public ApiAnswer Update(string idOrEmail, bool byEmail, JsonObject? properties)
    {
        var input = ReadProperties(properties);
        lock (_lock)
        {
            if (Find(idOrEmail, byEmail) is not { } contact)
            {
                return NotFound(idOrEmail);
            }

            var (values, problems) = ValidateAll(input);
            if (problems.Count > 0)
            {
                return ValidationFailed(problems);
            }

            if (values.TryGetValue("email", out var email) && email is not null &&
                _byEmail.TryGetValue(email, out var other) && other != contact.Id)
            {
                return Conflict(other);
            }

            Apply(contact, values);
            return new ApiAnswer(200, ContactJson(contact, null));
        }
    }

    public ApiAnswer BatchRead(JsonArray inputs, string? idProperty, IReadOnlyList<string>? properties)
    {
        var byEmail = string.Equals(idProperty, "email", StringComparison.Ordinal);
        if (idProperty is not null && !byEmail && idProperty != "hs_object_id")
        {
            return new ApiAnswer(400, EmulatorJson.Error($"Unable to read by idProperty {idProperty}: it is not a unique property.", "VALIDATION_ERROR"));
        }

        var ids = inputs.Select(i => i?["id"]?.ToString()).ToList();
        if (ids.Any(id => id is null))
        {
            return new ApiAnswer(400, EmulatorJson.Error("Each input needs an id.", "VALIDATION_ERROR"));
        }

        lock (_lock)
        {
            var results = new JsonArray();
            var missing = new List<string>();
            foreach (var id in ids.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (Find(id!, byEmail) is { } contact)
                {
                    results.Add(ContactJson(contact, properties));
                }
                else
                {
                    missing.Add(id!);
                }
            }

            return BatchAnswer(results, missing.Count == 0 ? [] : [BatchNotFound(missing)], okStatus: 200);
        }
    }

    /// <summary>All-or-nothing, as HubSpot: one invalid input fails the batch with 400, one existing email with 409.</summary>
    public ApiAnswer BatchCreate(JsonArray inputs)
    {
        var prepared = inputs.Select(i => ReadProperties(i?["properties"] as JsonObject)).ToList();
        lock (_lock)
        {
            var validated = new List<Dictionary<string, string?>>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var input in prepared)
            {
                var (values, problems) = ValidateAll(input);
                if (problems.Count > 0)
                {
                    return ValidationFailed(problems);
                }

                if (values.TryGetValue("email", out var email) && email is not null)
                {
                    if (_byEmail.TryGetValue(email, out var existing))
                    {
                        return Conflict(existing);
                    }

                    if (!seen.Add(email))
                    {
                        return new ApiAnswer(400, EmulatorJson.Error("Duplicate emails found in batch input.", "VALIDATION_ERROR"));
                    }
                }

                validated.Add(values);
            }

            var results = new JsonArray(validated.Select(v => (JsonNode)ContactJson(Insert(v), null)).ToArray());
            return BatchAnswer(results, [], okStatus: 201);
        }
    }

    public ApiAnswer BatchUpdate(JsonArray inputs)
    {
        var prepared = inputs.Select(i => (Id: i?["id"]?.ToString(), Properties: ReadProperties(i?["properties"] as JsonObject))).ToList();
        if (prepared.Any(p => p.Id is null))
        {
            return new ApiAnswer(400, EmulatorJson.Error("Each input needs an id.", "VALIDATION_ERROR"));
        }

        if (prepared.GroupBy(p => p.Id, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            return new ApiAnswer(400, EmulatorJson.Error("Duplicate IDs found in batch input.", "VALIDATION_ERROR"));
        }

        lock (_lock)
        {
            var checkedInputs = new List<(StoredContact Contact, Dictionary<string, string?> Values)>();
            var missing = new List<string>();
            foreach (var (id, properties) in prepared)
            {
                var (values, problems) = ValidateAll(properties);
                if (problems.Count > 0)
                {
                    return ValidationFailed(problems);
                }

                if (Find(id!, byEmail: false) is { } contact)
                {
                    if (values.TryGetValue("email", out var email) && email is not null &&
                        _byEmail.TryGetValue(email, out var other) && other != contact.Id)
                    {
                        return Conflict(other);
                    }

                    checkedInputs.Add((contact, values));
                }
                else
                {
                    missing.Add(id!);
                }
            }

            var results = new JsonArray();
            foreach (var (contact, values) in checkedInputs)
            {
                Apply(contact, values);
                results.Add(ContactJson(contact, null));
            }

            return BatchAnswer(results, missing.Count == 0 ? [] : [BatchNotFound(missing)], okStatus: 200);
        }
    }

    public ApiAnswer BatchUpsert(JsonArray inputs)
    {
        var prepared = inputs.Select(i => (Id: i?["id"]?.ToString(), IdProperty: i?["idProperty"]?.ToString(), Properties: ReadProperties(i?["properties"] as JsonObject))).ToList();
        if (prepared.Any(p => p.Id is null || p.IdProperty != "email"))
        {
            return new ApiAnswer(400, EmulatorJson.Error("Upsert inputs need an id and idProperty \"email\".", "VALIDATION_ERROR"));
        }

        if (prepared.GroupBy(p => p.Id, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
        {
            return new ApiAnswer(400, EmulatorJson.Error("Duplicate IDs found in batch input.", "VALIDATION_ERROR"));
        }

        lock (_lock)
        {
            var planned = new List<(string Email, Dictionary<string, string?> Values)>();
            foreach (var (id, _, properties) in prepared)
            {
                var (values, problems) = ValidateAll(properties);
                if (problems.Count > 0)
                {
                    return ValidationFailed(problems);
                }

                planned.Add((id!, values));
            }

            var results = new JsonArray();
            foreach (var (email, values) in planned)
            {
                bool isNew;
                StoredContact contact;
                if (_byEmail.TryGetValue(email, out var existing))
                {
                    contact = _contacts[existing];
                    Apply(contact, values);
                    isNew = false;
                }
                else
                {
                    values["email"] = email;
                    contact = Insert(values);
                    isNew = true;
                }

                var json = ContactJson(contact, null);
                json["new"] = isNew;
                results.Add(json);
            }

            return BatchAnswer(results, [], okStatus: 200);
        }
    }

    /// <summary>Search sees each contact as it was <see cref="EmulatorOptions.SearchLag"/> ago: HubSpot's index lags writes.</summary>
    public ApiAnswer Search(JsonObject body)
    {
        var limit = body["limit"]?.GetValue<int>() ?? 10;
        if (limit is < 0 or > 200)
        {
            return new ApiAnswer(400, EmulatorJson.Error("limit must be between 0 and 200", "VALIDATION_ERROR"));
        }

        var properties = (body["properties"] as JsonArray)?.Select(p => p!.ToString()).ToList();
        var groups = (body["filterGroups"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var after = int.TryParse(body["after"]?.ToString(), CultureInfo.InvariantCulture, out var a) ? a : 0;
        var visibleBefore = _time.GetUtcNow() - _options().SearchLag;
        lock (_lock)
        {
            var matches = new List<(StoredContact Contact, Dictionary<string, string?> Indexed)>();
            foreach (var contact in _contacts.Values.OrderBy(c => c.Id))
            {
                if (contact.IndexedAsOf(visibleBefore) is { } indexed && Matches(indexed, groups))
                {
                    matches.Add((contact, indexed));
                }
            }

            var page = matches.Skip(after).Take(limit).Select(m => (JsonNode)ContactJson(m.Contact, properties, m.Indexed)).ToArray();
            var result = new JsonObject { ["total"] = matches.Count, ["results"] = new JsonArray(page) };
            if (after + limit < matches.Count)
            {
                result["paging"] = new JsonObject { ["next"] = new JsonObject { ["after"] = (after + limit).ToString(CultureInfo.InvariantCulture) } };
            }

            return new ApiAnswer(200, result);
        }
    }

    public ApiAnswer GdprDelete(string objectId, string? idProperty)
    {
        lock (_lock)
        {
            if (Find(objectId, string.Equals(idProperty, "email", StringComparison.Ordinal)) is not { } contact)
            {
                return NotFound(objectId);
            }

            _contacts.Remove(contact.Id);
            if (contact.Values.TryGetValue("email", out var email) && email is not null)
            {
                _byEmail.Remove(email);
            }

            Changed();
            return new ApiAnswer(204, null);
        }
    }

    /// <summary>Every contact with all its values, for tests and <c>GET /_emulator/contacts</c>.</summary>
    public IReadOnlyList<(string Id, IReadOnlyDictionary<string, string> Properties)> AllContacts()
    {
        lock (_lock)
        {
            return _contacts.Values.OrderBy(c => c.Id)
                .Select(c => (c.Id.ToString(CultureInfo.InvariantCulture), (IReadOnlyDictionary<string, string>)c.Values
                    .Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.Ordinal)))
                .ToList();
        }
    }

    /// <summary>Sets values directly, bypassing validation: for tests that need state the API would refuse (e.g. corrupt JSON).</summary>
    public string Seed(IReadOnlyDictionary<string, string> values)
    {
        lock (_lock)
        {
            var contact = Insert(values.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal));
            return contact.Id.ToString(CultureInfo.InvariantCulture);
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
            return BatchAnswer(results, errors, okStatus: 201);
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

    // ---- persistence ----

    public JsonObject Export()
    {
        lock (_lock)
        {
            return new JsonObject
            {
                ["nextId"] = _nextId,
                ["contacts"] = new JsonArray(_contacts.Values.OrderBy(c => c.Id).Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id,
                    ["createdAt"] = EmulatorJson.Instant(c.CreatedAt),
                    ["updatedAt"] = EmulatorJson.Instant(c.UpdatedAt),
                    ["properties"] = new JsonObject(c.Values.Where(kv => kv.Value is not null).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                }).ToArray()),
                ["properties"] = new JsonArray(_properties.Values.Where(p => !p.ReadOnly).Select(p => (JsonNode)p.ToJson()).ToArray()),
                ["groups"] = new JsonArray(_groups.Values.Select(g => g.DeepClone()).ToArray()),
                ["events"] = new JsonArray(_events.Select(e => e.DeepClone()).ToArray()),
            };
        }
    }

    public void Import(JsonObject data)
    {
        lock (_lock)
        {
            Reset();
            foreach (var p in (data["properties"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var property = ToProperty(p);
                _properties[property.Name] = property;
            }

            foreach (var g in (data["groups"] as JsonArray ?? []).OfType<JsonObject>())
            {
                _groups[g["name"]!.ToString()] = (JsonObject)g.DeepClone();
            }

            foreach (var c in (data["contacts"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var values = (c["properties"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value?.ToString(), StringComparer.Ordinal);
                var contact = new StoredContact(c["id"]!.GetValue<long>(), DateTimeOffset.Parse(c["createdAt"]!.ToString(), CultureInfo.InvariantCulture));
                contact.UpdatedAt = DateTimeOffset.Parse(c["updatedAt"]!.ToString(), CultureInfo.InvariantCulture);
                foreach (var (k, v) in values)
                {
                    contact.Values[k] = v;
                }

                contact.Index(DateTimeOffset.MinValue);
                _contacts[contact.Id] = contact;
                if (values.TryGetValue("email", out var email) && email is not null)
                {
                    _byEmail[email] = contact.Id;
                }
            }

            foreach (var e in (data["events"] as JsonArray ?? []).OfType<JsonObject>())
            {
                _events.Add((JsonObject)e.DeepClone());
            }

            _nextId = Math.Max(data["nextId"]?.GetValue<long>() ?? 1001, _contacts.Count == 0 ? 1001 : _contacts.Keys.Max() + 1);
        }
    }

    // ---- internals (callers hold the lock) ----

    private void Changed() => Interlocked.Increment(ref _version);

    private StoredContact? Find(string idOrEmail, bool byEmail)
    {
        if (byEmail)
        {
            return _byEmail.TryGetValue(idOrEmail, out var id) ? _contacts[id] : null;
        }

        return long.TryParse(idOrEmail, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric) && _contacts.TryGetValue(numeric, out var contact)
            ? contact
            : null;
    }

    private StoredContact Insert(Dictionary<string, string?> values)
    {
        var now = _time.GetUtcNow();
        var contact = new StoredContact(_nextId++, now);
        _contacts[contact.Id] = contact;
        Apply(contact, values);
        return contact;
    }

    private void Apply(StoredContact contact, Dictionary<string, string?> values)
    {
        var now = _time.GetUtcNow();
        if (contact.Values.TryGetValue("email", out var oldEmail) && oldEmail is not null && values.ContainsKey("email"))
        {
            _byEmail.Remove(oldEmail);
        }

        foreach (var (name, value) in values)
        {
            if (value is null)
            {
                contact.Values.Remove(name);
            }
            else
            {
                contact.Values[name] = value;
            }
        }

        if (contact.Values.TryGetValue("email", out var email) && email is not null)
        {
            _byEmail[email] = contact.Id;
        }

        contact.UpdatedAt = now;
        contact.Index(now);
        Changed();
    }

    private (Dictionary<string, string?> Values, List<PropertyProblem> Problems) ValidateAll(Dictionary<string, string?> input)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var problems = new List<PropertyProblem>();
        foreach (var (name, value) in input)
        {
            var (stored, problem) = PropertySchema.Validate(_properties.GetValueOrDefault(name), name, value);
            if (problem is not null)
            {
                problems.Add(problem);
            }
            else
            {
                values[name] = stored;
            }
        }

        return (values, problems);
    }

    private static Dictionary<string, string?> ReadProperties(JsonObject? properties)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in properties ?? [])
        {
            result[name] = value switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => value.ToJsonString(),
            };
        }

        return result;
    }

    private static JsonObject ContactJson(StoredContact contact, IReadOnlyList<string>? requested, Dictionary<string, string?>? values = null)
    {
        values ??= contact.Values;
        var properties = new JsonObject();
        foreach (var name in requested is { Count: > 0 } ? requested.Concat(["hs_object_id", "createdate", "lastmodifieddate"]).Distinct(StringComparer.Ordinal) : DefaultReturned)
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

    private static bool Matches(Dictionary<string, string?> values, List<JsonObject> groups)
    {
        if (groups.Count == 0)
        {
            return true;
        }

        // Groups are ORed; filters inside a group are ANDed.
        return groups.Any(g => (g["filters"] as JsonArray ?? []).OfType<JsonObject>().All(f =>
        {
            var name = f["propertyName"]?.ToString() ?? string.Empty;
            var op = f["operator"]?.ToString() ?? "EQ";
            var expected = f["value"]?.ToString();
            var actual = values.TryGetValue(name, out var v) ? v : null;
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

    private ApiAnswer Conflict(long existingId)
    {
        var id = existingId.ToString(CultureInfo.InvariantCulture);
        return _options().ConflictStyle == ConflictStyle.Classic
            ? new ApiAnswer(409, EmulatorJson.Error($"Contact already exists. Existing ID: {id}", "CONFLICT"))
            : new ApiAnswer(409, EmulatorJson.Error("An object with this unique value already exists.", "OBJECT_ALREADY_EXISTS", body =>
            {
                body["context"] = new JsonObject { ["existingObjectId"] = new JsonArray(id) };
                body["identityProfile"] = new JsonObject { ["vid"] = existingId, ["isContact"] = true };
            }));
    }

    private static ApiAnswer NotFound(string id) =>
        new(404, EmulatorJson.Error("Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND", body =>
            body["context"] = new JsonObject { ["id"] = new JsonArray(id) }));

    private static ApiAnswer ValidationFailed(List<PropertyProblem> problems) =>
        new(400, EmulatorJson.Error(
            "Property values were not valid: " + string.Join("; ", problems.Select(p => p.Message)),
            "VALIDATION_ERROR",
            body => body["errors"] = new JsonArray(problems.Select(p => (JsonNode)new JsonObject
            {
                ["message"] = p.Message,
                ["code"] = p.Code,
                ["context"] = new JsonObject { ["propertyName"] = new JsonArray(p.PropertyName) },
            }).ToArray())));

    private static JsonObject BatchNotFound(List<string> ids) => new()
    {
        ["status"] = "error",
        ["category"] = "OBJECT_NOT_FOUND",
        ["message"] = "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
        ["context"] = new JsonObject { ["ids"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()) },
    };

    private ApiAnswer BatchAnswer(JsonArray results, List<JsonObject> errors, int okStatus)
    {
        var now = EmulatorJson.Instant(_time.GetUtcNow());
        var body = new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = results,
            ["startedAt"] = now,
            ["completedAt"] = now,
        };
        if (errors.Count > 0)
        {
            body["numErrors"] = errors.Count;
            body["errors"] = new JsonArray(errors.Select(e => (JsonNode)e).ToArray());
        }

        return new ApiAnswer(errors.Count > 0 ? 207 : okStatus, body);
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

    private sealed class StoredContact(long id, DateTimeOffset createdAt)
    {
        private readonly List<(DateTimeOffset At, Dictionary<string, string?> Values)> _versions = [];

        public long Id { get; } = id;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public DateTimeOffset UpdatedAt { get; set; } = createdAt;
        public Dictionary<string, string?> Values { get; } = new(StringComparer.Ordinal);

        /// <summary>Records what the search index will show once the lag has passed.</summary>
        public void Index(DateTimeOffset at)
        {
            _versions.Add((at, new Dictionary<string, string?>(Values, StringComparer.Ordinal)));
            if (_versions.Count > 8)
            {
                _versions.RemoveAt(0);
            }
        }

        public Dictionary<string, string?>? IndexedAsOf(DateTimeOffset visibleBefore)
        {
            for (var i = _versions.Count - 1; i >= 0; i--)
            {
                if (_versions[i].At <= visibleBefore)
                {
                    return _versions[i].Values;
                }
            }

            return null;
        }
    }
}
