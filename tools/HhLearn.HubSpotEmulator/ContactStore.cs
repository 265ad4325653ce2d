using static HhLearn.HubSpotEmulator.ContactAnswers;

namespace HhLearn.HubSpotEmulator;

/// <summary>An outcome of an emulated API call: the HTTP status and the JSON body.</summary>
public readonly record struct ApiAnswer(int Status, JsonNode? Body);

/// <summary>
/// Contacts, the contact property schema and behavioral events, behind one lock: every operation is atomic,
/// so 50 concurrent creates of one email give exactly one contact and 49 conflicts, as HubSpot does. Contacts are
/// found as in a real portal: by id or by a merged-away id (answering the survivor), by primary or additional email.
/// </summary>
public sealed partial class ContactStore
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Func<EmulatorOptions> _options;
    private readonly Dictionary<long, StoredContact> _contacts = [];

    /// <summary>Every email a live contact answers to (primary and additional) -> its id.</summary>
    private readonly Dictionary<string, long> _byEmail = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Merged-away ids -> the record they were merged into (which may have been merged again).</summary>
    private readonly Dictionary<long, long> _mergedInto = [];
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

    public void Reset()
    {
        lock (_lock)
        {
            _contacts.Clear();
            _byEmail.Clear();
            _mergedInto.Clear();
            _archived.Clear();
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

    public ApiAnswer Get(string idOrEmail, bool byEmail, IReadOnlyList<string>? properties)
    {
        lock (_lock)
        {
            return Find(idOrEmail, byEmail) is { } contact
                ? new ApiAnswer(200, Contact(contact, properties))
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
            return Invalid($"limit must be between 1 and 100 (got {limit})");
        }

        var start = long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor) ? cursor : 0;
        lock (_lock)
        {
            var page = _contacts.Values.Where(c => c.Id > start).OrderBy(c => c.Id).Take(limit + 1).ToList();
            var result = new JsonObject { ["results"] = new JsonArray(page.Take(limit).Select(c => (JsonNode)Contact(c, properties)).ToArray()) };
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
            problems.AddRange(MissingRequired(_options().Behaviour.RequiredOnCreate, values));
            if (problems.Count > 0)
            {
                return ValidationFailed(problems);
            }

            if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email && _byEmail.TryGetValue(email, out var existing))
            {
                return Conflict(existing);
            }

            return new ApiAnswer(201, Contact(Insert(values), null, values.Keys));
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

            if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email && _byEmail.TryGetValue(email, out var other) && other != contact.Id)
            {
                return Conflict(other);
            }

            Apply(contact, values);
            return new ApiAnswer(200, Contact(contact, null, values.Keys));
        }
    }

    /// <summary>Search sees each contact as it was <see cref="EmulatorOptions.SearchLag"/> ago: HubSpot's index lags writes.</summary>
    public ApiAnswer Search(JsonObject body)
    {
        var limit = body["limit"]?.GetValue<int>() ?? 10;
        if (limit is < 0 or > 200)
        {
            return Invalid("limit must be between 0 and 200");
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

            var page = matches.Skip(after).Take(limit).Select(m => (JsonNode)Contact(m.Contact, properties, values: m.Indexed)).ToArray();
            var result = new JsonObject { ["total"] = matches.Count, ["results"] = new JsonArray(page) };
            if (after + limit < matches.Count)
            {
                result["paging"] = new JsonObject { ["next"] = new JsonObject { ["after"] = (after + limit).ToString(CultureInfo.InvariantCulture) } };
            }

            return new ApiAnswer(200, result);
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

    /// <summary>
    /// Sets a contact up directly, bypassing validation: for tests and demos that need shapes the API would refuse or
    /// that take several calls (corrupt JSON, additional emails, ids merged into it). Answers the new id.
    /// </summary>
    public string Seed(IReadOnlyDictionary<string, string> values, IEnumerable<string>? mergedIds = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        lock (_lock)
        {
            if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email && _byEmail.ContainsKey(email))
            {
                throw new InvalidOperationException($"a contact with email {email} exists already");
            }

            var contact = Insert(values.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal));
            var merged = (mergedIds ?? []).Select(id => long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture)).ToList();
            if (merged.Count > 0)
            {
                foreach (var id in merged)
                {
                    _mergedInto[id] = contact.Id;
                    _nextId = Math.Max(_nextId, id + 1);
                }

                contact.SetList(StoredContact.MergedIdsProperty, [.. contact.MergedIds, .. merged.Select(id => id.ToString(CultureInfo.InvariantCulture))]);
                contact.Index(DateTimeOffset.MinValue);
            }

            return contact.Id.ToString(CultureInfo.InvariantCulture);
        }
    }

    // ---- internals (callers hold the lock) ----

    private void Changed() => Interlocked.Increment(ref _version);

    /// <summary>By email (primary or additional), or by id, following merges to the record that holds the id now.</summary>
    /// <summary>
    /// The contact an id or email names. By email: any of its emails, or only the primary one when
    /// <see cref="PortalBehaviour.SecondaryEmailLookup"/> says so. By id: the record, following merges, unless this is a
    /// batch call and <see cref="PortalBehaviour.MergedIdsInBatch"/> is <c>omit</c>.
    /// </summary>
    private StoredContact? Find(string idOrEmail, bool byEmail, bool batch = false)
    {
        var behaviour = _options().Behaviour;
        if (byEmail)
        {
            return _byEmail.TryGetValue(idOrEmail, out var id) && _contacts[id] is var found &&
                   (behaviour.SecondaryEmailLookup == SecondaryEmailLookup.Found ||
                    string.Equals(found.Values.GetValueOrDefault(StoredContact.EmailProperty), idOrEmail, StringComparison.OrdinalIgnoreCase))
                ? found
                : null;
        }

        if (!long.TryParse(idOrEmail, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric))
        {
            return null;
        }

        if (batch && behaviour.MergedIdsInBatch == MergedIdsInBatch.Omit)
        {
            return _contacts.GetValueOrDefault(numeric);
        }

        for (var hop = 0; hop < 32; hop++)
        {
            if (_contacts.TryGetValue(numeric, out var contact))
            {
                return contact;
            }

            if (!_mergedInto.TryGetValue(numeric, out numeric))
            {
                return null;
            }
        }

        return null;
    }

    private StoredContact Insert(Dictionary<string, string?> values)
    {
        var contact = new StoredContact(_nextId++, _time.GetUtcNow());
        _contacts[contact.Id] = contact;
        Apply(contact, values);
        return contact;
    }

    private void Apply(StoredContact contact, Dictionary<string, string?> values)
    {
        var emailBefore = contact.Values.GetValueOrDefault(StoredContact.EmailProperty);
        ApplyValues(contact, values);
        var emailAfter = contact.Values.GetValueOrDefault(StoredContact.EmailProperty);
        if (emailBefore is not null && emailAfter is not null && !string.Equals(emailBefore, emailAfter, StringComparison.OrdinalIgnoreCase))
        {
            Emit("contact.propertyChange", contact.Id, e =>
            {
                e["propertyName"] = StoredContact.EmailProperty;
                e["propertyValue"] = emailAfter;
            });
        }
    }

    private void ApplyValues(StoredContact contact, Dictionary<string, string?> values)
    {
        var now = _time.GetUtcNow();
        Unindex(contact);
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

        IndexEmails(contact);
        contact.UpdatedAt = now;
        contact.Index(now);
        Changed();
    }

    private void IndexEmails(StoredContact contact)
    {
        foreach (var email in contact.AllEmails)
        {
            _byEmail[email] = contact.Id;
        }
    }

    private void Unindex(StoredContact contact)
    {
        foreach (var email in contact.AllEmails)
        {
            if (_byEmail.TryGetValue(email, out var id) && id == contact.Id)
            {
                _byEmail.Remove(email);
            }
        }
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
}
