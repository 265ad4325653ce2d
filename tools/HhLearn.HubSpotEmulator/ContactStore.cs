using static HhLearn.HubSpotEmulator.ContactAnswers;

namespace HhLearn.HubSpotEmulator;

/// <summary>An outcome of an emulated API call: the HTTP status and the JSON body.</summary>
public readonly record struct ApiAnswer(int Status, JsonNode? Body);

/// <summary>
/// Contacts, the contact property schema and behavioral events, behind one lock: every operation is atomic,
/// so 50 concurrent creates of one email give exactly one contact and 49 conflicts, as HubSpot does. Contacts are
/// found as in a real portal: by id or by a merged-away id (answering the survivor), by primary or additional email.
/// </summary>
public sealed class ContactStore
{
    private readonly PortalData d;
    private readonly BatchOperations _batch;
    private readonly MergeOperations _merges;
    private readonly SchemaOperations _schema;

    public ContactStore(TimeProvider time, Func<EmulatorOptions> options)
    {
        d = new PortalData(time, options);
        _batch = new BatchOperations(d);
        _merges = new MergeOperations(d);
        _schema = new SchemaOperations(d);
        Reset();
    }

    /// <summary>Grows on every change; the persistence loop saves when it moved.</summary>
    public long Version => Interlocked.Read(ref d._version);

    public int ContactCount
    {
        get
        {
            lock (d._lock)
            {
                return d._contacts.Count;
            }
        }
    }

    public void Reset()
    {
        lock (d._lock)
        {
            d._contacts.Clear();
            d._byEmail.Clear();
            d._mergedInto.Clear();
            d._archived.Clear();
            d._properties.Clear();
            d._groups.Clear();
            d._events.Clear();
            d._nextId = 1001;
            foreach (var p in PropertySchema.Defaults(d._time.GetUtcNow()))
            {
                d._properties[p.Name] = p;
            }

            d._groups["contactinformation"] = new JsonObject { ["name"] = "contactinformation", ["label"] = "Contact information", ["displayOrder"] = 0, ["archived"] = false };
            d.Changed();
        }
    }

    public ApiAnswer Get(string idOrEmail, bool byEmail, IReadOnlyList<string>? properties)
    {
        lock (d._lock)
        {
            return d.Find(idOrEmail, byEmail) is { } contact
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
        lock (d._lock)
        {
            var page = d._contacts.Values.Where(c => c.Id > start).OrderBy(c => c.Id).Take(limit + 1).ToList();
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
        var input = PortalData.ReadProperties(properties);
        lock (d._lock)
        {
            var (values, problems) = d.ValidateAll(input);
            problems.AddRange(MissingRequired(d._options().Behaviour.RequiredOnCreate, values));
            if (problems.Count > 0)
            {
                return ValidationFailed(problems);
            }

            if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email && d._byEmail.TryGetValue(email, out var existing))
            {
                return d.Conflict(existing);
            }

            return new ApiAnswer(201, Contact(d.Insert(values), null, values.Keys));
        }
    }

    public ApiAnswer Update(string idOrEmail, bool byEmail, JsonObject? properties)
    {
        var input = PortalData.ReadProperties(properties);
        lock (d._lock)
        {
            if (d.Find(idOrEmail, byEmail) is not { } contact)
            {
                return NotFound(idOrEmail);
            }

            var (values, problems) = d.ValidateAll(input);
            if (problems.Count > 0)
            {
                return ValidationFailed(problems);
            }

            if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email && d._byEmail.TryGetValue(email, out var other) && other != contact.Id)
            {
                return d.Conflict(other);
            }

            d.Apply(contact, values);
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
        var visibleBefore = d._time.GetUtcNow() - d._options().SearchLag;
        lock (d._lock)
        {
            var matches = new List<(StoredContact Contact, Dictionary<string, string?> Indexed)>();
            foreach (var contact in d._contacts.Values.OrderBy(c => c.Id))
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
        lock (d._lock)
        {
            return d._contacts.Values.OrderBy(c => c.Id)
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
        lock (d._lock)
        {
            if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email && d._byEmail.ContainsKey(email))
            {
                throw new InvalidOperationException($"a contact with email {email} exists already");
            }

            var contact = d.Insert(values.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal));
            var merged = (mergedIds ?? []).Select(id => long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture)).ToList();
            if (merged.Count > 0)
            {
                foreach (var id in merged)
                {
                    d._mergedInto[id] = contact.Id;
                    d._nextId = Math.Max(d._nextId, id + 1);
                }

                contact.SetList(StoredContact.MergedIdsProperty, [.. contact.MergedIds, .. merged.Select(id => id.ToString(CultureInfo.InvariantCulture))]);
                contact.Index(DateTimeOffset.MinValue);
            }

            return contact.Id.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The events made since the last call, oldest first.</summary>
    public IReadOnlyList<JsonObject> TakeWebhookEvents()
    {
        lock (d._lock)
        {
            var taken = d._outbox.ToList();
            d._outbox.Clear();
            return taken;
        }
    }

    public JsonObject Export()
    {
        lock (d._lock)
        {
            return new JsonObject
            {
                ["nextId"] = d._nextId,
                ["contacts"] = new JsonArray(d._contacts.Values.OrderBy(c => c.Id).Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id,
                    ["createdAt"] = EmulatorJson.Instant(c.CreatedAt),
                    ["updatedAt"] = EmulatorJson.Instant(c.UpdatedAt),
                    ["properties"] = new JsonObject(c.Values.Where(kv => kv.Value is not null).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                }).ToArray()),
                ["properties"] = new JsonArray(d._properties.Values.Where(p => !p.ReadOnly).Select(p => (JsonNode)p.ToJson()).ToArray()),
                ["groups"] = new JsonArray(d._groups.Values.Select(g => g.DeepClone()).ToArray()),
                ["events"] = new JsonArray(d._events.Select(e => e.DeepClone()).ToArray()),
                ["mergedInto"] = new JsonObject(d._mergedInto.Select(kv => KeyValuePair.Create(kv.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
            };
        }
    }

    public void Import(JsonObject data)
    {
        lock (d._lock)
        {
            Reset();
            foreach (var p in (data["properties"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var property = _schema.ToProperty(p);
                d._properties[property.Name] = property;
            }

            foreach (var g in (data["groups"] as JsonArray ?? []).OfType<JsonObject>())
            {
                d._groups[g["name"]!.ToString()] = (JsonObject)g.DeepClone();
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
                d._contacts[contact.Id] = contact;
                d.IndexEmails(contact);
            }

            foreach (var e in (data["events"] as JsonArray ?? []).OfType<JsonObject>())
            {
                d._events.Add((JsonObject)e.DeepClone());
            }

            foreach (var (from, to) in data["mergedInto"] as JsonObject ?? [])
            {
                d._mergedInto[long.Parse(from, CultureInfo.InvariantCulture)] = to!.GetValue<long>();
            }

            d._nextId = Math.Max(data["nextId"]?.GetValue<long>() ?? 1001, d._contacts.Count == 0 ? 1001 : d._contacts.Keys.Max() + 1);
        }
    }

    // ---- the batch endpoints, merges and deletions, the schema and events (each in its own class) ----

    public ApiAnswer BatchRead(JsonArray inputs, string? idProperty, IReadOnlyList<string>? properties) => _batch.BatchRead(inputs, idProperty, properties);

    public ApiAnswer BatchCreate(JsonArray inputs) => _batch.BatchCreate(inputs);

    public ApiAnswer BatchUpdate(JsonArray inputs) => _batch.BatchUpdate(inputs);

    public ApiAnswer BatchUpsert(JsonArray inputs) => _batch.BatchUpsert(inputs);

    public ApiAnswer Merge(string? primaryObjectId, string? objectIdToMerge) => _merges.Merge(primaryObjectId, objectIdToMerge);

    public ApiAnswer Archive(string id) => _merges.Archive(id);

    public ApiAnswer Restore(string id) => _merges.Restore(id);

    public ApiAnswer GdprDelete(string objectId, string? idProperty) => _merges.GdprDelete(objectId, idProperty);

    public int EventCount => _schema.EventCount;

    public ApiAnswer GetProperty(string name) => _schema.GetProperty(name);

    public ApiAnswer ListProperties() => _schema.ListProperties();

    public ApiAnswer CreateProperty(JsonObject? body) => _schema.CreateProperty(body);

    public ApiAnswer BatchCreateProperties(JsonArray inputs) => _schema.BatchCreateProperties(inputs);

    public ApiAnswer CreateGroup(JsonObject? body) => _schema.CreateGroup(body);

    public ApiAnswer SendEvent(JsonObject? body) => _schema.SendEvent(body);

    public IReadOnlyList<JsonObject> Events() => _schema.Events();
}
