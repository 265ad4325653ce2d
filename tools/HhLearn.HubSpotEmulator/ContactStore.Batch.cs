using static HhLearn.HubSpotEmulator.ContactAnswers;

namespace HhLearn.HubSpotEmulator;

/// <summary>The batch endpoints: at most 100 inputs, 200 or 207 with <c>errors</c>, duplicate inputs refused.</summary>
public sealed partial class ContactStore
{
    /// <summary>
    /// Reads by id (a merged-away id answers the survivor, with the survivor's id) or by email (an additional email
    /// finds its contact). Unknown inputs are listed in <c>errors</c> (207). Each record is answered once, however
    /// many inputs named it: callers match results to inputs by what they asked.
    /// </summary>
    public ApiAnswer BatchRead(JsonArray inputs, string? idProperty, IReadOnlyList<string>? properties)
    {
        var byEmail = string.Equals(idProperty, "email", StringComparison.Ordinal);
        if (idProperty is not null && !byEmail && idProperty != "hs_object_id")
        {
            return Invalid($"Unable to read by idProperty {idProperty}: it is not a unique property.");
        }

        var ids = inputs.Select(i => i?["id"]?.ToString()).ToList();
        if (ids.Any(id => id is null))
        {
            return Invalid("Each input needs an id.");
        }

        lock (_lock)
        {
            var results = new JsonArray();
            var answered = new HashSet<long>();
            var missing = new List<string>();
            foreach (var id in ids.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (Find(id!, byEmail) is not { } contact)
                {
                    missing.Add(id!);
                }
                else if (answered.Add(contact.Id))
                {
                    results.Add(Contact(contact, properties));
                }
            }

            return Batch(results, missing.Count == 0 ? [] : [BatchNotFound(missing)], 200, _time.GetUtcNow());
        }
    }

    /// <summary>All-or-nothing, as HubSpot: one invalid input fails the batch with 400, one existing email with 409, one email twice with 400.</summary>
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

                if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email)
                {
                    if (_byEmail.TryGetValue(email, out var existing))
                    {
                        return Conflict(existing);
                    }

                    if (!seen.Add(email))
                    {
                        return Invalid("Duplicate emails found in batch input.");
                    }
                }

                validated.Add(values);
            }

            var results = new JsonArray(validated.Select(v => (JsonNode)Contact(Insert(v), null, v.Keys)).ToArray());
            return Batch(results, [], 201, _time.GetUtcNow());
        }
    }

    /// <summary>
    /// Updates by id; a merged-away id updates its survivor. The same record named twice (the same id, or an old and a
    /// new id of one merged record) is a 400, as HubSpot refuses duplicate inputs. Unknown ids are 207 errors.
    /// </summary>
    public ApiAnswer BatchUpdate(JsonArray inputs)
    {
        var prepared = inputs.Select(i => (Id: i?["id"]?.ToString(), Properties: ReadProperties(i?["properties"] as JsonObject))).ToList();
        if (prepared.Any(p => p.Id is null))
        {
            return Invalid("Each input needs an id.");
        }

        lock (_lock)
        {
            if (prepared.GroupBy(p => Find(p.Id!, byEmail: false)?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? p.Id, StringComparer.Ordinal).Any(g => g.Count() > 1))
            {
                return Invalid("Duplicate IDs found in batch input.");
            }

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
                    if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email && _byEmail.TryGetValue(email, out var other) && other != contact.Id)
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
                results.Add(Contact(contact, null, values.Keys));
            }

            return Batch(results, missing.Count == 0 ? [] : [BatchNotFound(missing)], 200, _time.GetUtcNow());
        }
    }

    public ApiAnswer BatchUpsert(JsonArray inputs)
    {
        var prepared = inputs.Select(i => (Id: i?["id"]?.ToString(), IdProperty: i?["idProperty"]?.ToString(), Properties: ReadProperties(i?["properties"] as JsonObject))).ToList();
        if (prepared.Any(p => p.Id is null || p.IdProperty != "email"))
        {
            return Invalid("Upsert inputs need an id and idProperty \"email\".");
        }

        lock (_lock)
        {
            if (prepared.GroupBy(p => _byEmail.TryGetValue(p.Id!, out var id) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : p.Id!.ToLowerInvariant(), StringComparer.Ordinal).Any(g => g.Count() > 1))
            {
                return Invalid("Duplicate IDs found in batch input.");
            }

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
                var isNew = !_byEmail.TryGetValue(email, out var existing);
                StoredContact contact;
                if (isNew)
                {
                    values[StoredContact.EmailProperty] = email;
                    contact = Insert(values);
                }
                else
                {
                    contact = _contacts[existing];
                    Apply(contact, values);
                }

                var json = Contact(contact, null, values.Keys);
                json["new"] = isNew;
                results.Add(json);
            }

            return Batch(results, [], 200, _time.GetUtcNow());
        }
    }
}
