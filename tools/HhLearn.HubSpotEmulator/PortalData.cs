using static HhLearn.HubSpotEmulator.ContactAnswers;

namespace HhLearn.HubSpotEmulator;

/// <summary>
/// The emulated portal's data behind one lock, and what every operation on it shares: finding a contact (by id or a
/// merged-away id, by primary or additional email), inserting and changing one (indexes, the search index's history,
/// webhook events), validating values against the property schema. Callers hold <see cref="_lock"/>.
/// </summary>
internal sealed class PortalData(TimeProvider time, Func<EmulatorOptions> options)
{
    internal readonly Lock _lock = new();
    internal readonly TimeProvider _time = time;
    internal readonly Func<EmulatorOptions> _options = options;
    internal readonly Dictionary<long, StoredContact> _contacts = [];

    /// <summary>Every email a live contact answers to (primary and additional) -> its id.</summary>
    internal readonly Dictionary<string, long> _byEmail = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Merged-away ids -> the record they were merged into (which may have been merged again).</summary>
    internal readonly Dictionary<long, long> _mergedInto = [];
    internal readonly Dictionary<string, EmulatedProperty> _properties = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, JsonObject> _groups = new(StringComparer.Ordinal);
    internal readonly List<JsonObject> _events = [];
    internal long _nextId = 1001;
    internal long _version;

    private const int OutboxLimit = 10_000;
    internal readonly List<JsonObject> _outbox = [];

    /// <summary>Contacts archived (deleted, not GDPR-deleted), which a restore brings back.</summary>
    internal readonly Dictionary<long, StoredContact> _archived = [];
    internal long _nextEventId = 1;

    internal void Emit(string subscriptionType, long objectId, Action<JsonObject>? detail = null)
    {
        var e = new JsonObject
        {
            ["eventId"] = _nextEventId++,
            ["subscriptionId"] = 1,
            ["portalId"] = 1,
            ["appId"] = 1,
            ["occurredAt"] = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["subscriptionType"] = subscriptionType,
            ["attemptNumber"] = 0,
            ["objectId"] = objectId,
            ["changeSource"] = "CRM",
        };
        detail?.Invoke(e);
        _outbox.Add(e);
        if (_outbox.Count > OutboxLimit)
        {
            _outbox.RemoveAt(0);
        }
    }

    internal void Changed() => Interlocked.Increment(ref _version);

    /// <summary>By email (primary or additional), or by id, following merges to the record that holds the id now.</summary>
    /// <summary>
    /// The contact an id or email names. By email: any of its emails, or only the primary one when
    /// <see cref="PortalBehaviour.SecondaryEmailLookup"/> says so. By id: the record, following merges, unless this is a
    /// batch call and <see cref="PortalBehaviour.MergedIdsInBatch"/> is <c>omit</c>.
    /// </summary>
    internal StoredContact? Find(string idOrEmail, bool byEmail, bool batch = false)
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

    internal StoredContact Insert(Dictionary<string, string?> values)
    {
        var contact = new StoredContact(_nextId++, _time.GetUtcNow());
        _contacts[contact.Id] = contact;
        Apply(contact, values);
        return contact;
    }

    internal void Apply(StoredContact contact, Dictionary<string, string?> values)
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

    internal void ApplyValues(StoredContact contact, Dictionary<string, string?> values)
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

    internal void IndexEmails(StoredContact contact)
    {
        foreach (var email in contact.AllEmails)
        {
            _byEmail[email] = contact.Id;
        }
    }

    internal void Unindex(StoredContact contact)
    {
        foreach (var email in contact.AllEmails)
        {
            if (_byEmail.TryGetValue(email, out var id) && id == contact.Id)
            {
                _byEmail.Remove(email);
            }
        }
    }

    internal (Dictionary<string, string?> Values, List<PropertyProblem> Problems) ValidateAll(Dictionary<string, string?> input)
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

    internal static Dictionary<string, string?> ReadProperties(JsonObject? properties)
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

    internal ApiAnswer Conflict(long existingId)
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

    internal void Remove(StoredContact contact)
    {
        Unindex(contact);
        _contacts.Remove(contact.Id);
        foreach (var old in _mergedInto.Where(kv => kv.Value == contact.Id).Select(kv => kv.Key).ToList())
        {
            _mergedInto.Remove(old);
        }

        Changed();
    }

    internal static string Id(StoredContact contact) => contact.Id.ToString(CultureInfo.InvariantCulture);
}
