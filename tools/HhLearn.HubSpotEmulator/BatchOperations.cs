using static HhLearn.HubSpotEmulator.ContactAnswers;

namespace HhLearn.HubSpotEmulator;

/// <summary>The batch endpoints: at most 100 inputs, 200 or 207 with <c>errors</c>, duplicate inputs refused.</summary>
internal sealed class BatchOperations(PortalData d)
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

        lock (d._lock)
        {
            var results = new JsonArray();
            var answered = new HashSet<long>();
            var missing = new List<string>();
            foreach (var id in ids.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (d.Find(id!, byEmail, batch: true) is not { } contact)
                {
                    missing.Add(id!);
                }
                else if (answered.Add(contact.Id))
                {
                    results.Add(Contact(contact, properties));
                }
            }

            return Batch(results, missing.Count == 0 ? [] : [BatchNotFound(missing)], 200, d._time.GetUtcNow());
        }
    }

    /// <summary>
    /// Creates: one existing email fails the batch with 409 naming only the first such input's contact, one email twice
    /// with 400; an invalid input (a bad value, a property the portal requires) fails the whole batch with 400, or with
    /// <see cref="BatchValidation.PerInput"/> is an error of a 207 under its trace id while the others are created.
    /// </summary>
    public ApiAnswer BatchCreate(JsonArray inputs)
    {
        var prepared = inputs.Select(i => (Properties: PortalData.ReadProperties(i?["properties"] as JsonObject), TraceId: i?["objectWriteTraceId"]?.ToString())).ToList();
        lock (d._lock)
        {
            var behaviour = d._options().Behaviour;
            var validated = new List<(Dictionary<string, string?> Values, string? TraceId)>();
            var errors = new List<JsonObject>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (input, traceId) in prepared)
            {
                var (values, problems) = d.ValidateAll(input);
                problems.AddRange(MissingRequired(behaviour.RequiredOnCreate, values));
                if (problems.Count > 0)
                {
                    if (behaviour.BatchValidation == BatchValidation.WholeRequest)
                    {
                        return ValidationFailed(problems);
                    }

                    errors.Add(BatchInputInvalid(problems, traceId));
                    continue;
                }

                if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email)
                {
                    if (d._byEmail.TryGetValue(email, out var existing))
                    {
                        return d.Conflict(existing);
                    }

                    if (!seen.Add(email))
                    {
                        return Invalid("Duplicate emails found in batch input.");
                    }
                }

                validated.Add((values, traceId));
            }

            var results = new JsonArray(validated.Select(v => (JsonNode)Traced(Contact(d.Insert(v.Values), null, v.Values.Keys), v.TraceId)).ToArray());
            return Batch(results, errors, 201, d._time.GetUtcNow());
        }
    }

    /// <summary>
    /// Updates by id; a merged-away id updates its survivor (or, with <see cref="MergedIdsInBatch.Omit"/>, is left out of
    /// the results and nothing is written). The same record named twice (the same id, or an old and a new id of one
    /// merged record) is a 400, as HubSpot refuses duplicate inputs. Unknown ids are 207 errors. An invalid value fails
    /// the batch, or with <see cref="BatchValidation.PerInput"/> only its input.
    /// </summary>
    public ApiAnswer BatchUpdate(JsonArray inputs)
    {
        var prepared = inputs.Select(i => (Id: i?["id"]?.ToString(), Properties: PortalData.ReadProperties(i?["properties"] as JsonObject), TraceId: i?["objectWriteTraceId"]?.ToString())).ToList();
        if (prepared.Any(p => p.Id is null))
        {
            return Invalid("Each input needs an id.");
        }

        lock (d._lock)
        {
            var behaviour = d._options().Behaviour;
            if (prepared.GroupBy(p => d.Find(p.Id!, byEmail: false)?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? p.Id, StringComparer.Ordinal).Any(g => g.Count() > 1))
            {
                return Invalid("Duplicate IDs found in batch input.");
            }

            var checkedInputs = new List<(StoredContact Contact, Dictionary<string, string?> Values, string? TraceId)>();
            var missing = new List<(string Id, string? TraceId)>();
            var errors = new List<JsonObject>();
            foreach (var (id, properties, traceId) in prepared)
            {
                var (values, problems) = d.ValidateAll(properties);
                if (problems.Count > 0)
                {
                    if (behaviour.BatchValidation == BatchValidation.WholeRequest)
                    {
                        return ValidationFailed(problems);
                    }

                    errors.Add(BatchInputInvalid(problems, traceId));
                    continue;
                }

                if (d.Find(id!, byEmail: false, batch: true) is { } contact)
                {
                    if (values.GetValueOrDefault(StoredContact.EmailProperty) is { } email && d._byEmail.TryGetValue(email, out var other) && other != contact.Id)
                    {
                        return d.Conflict(other);
                    }

                    checkedInputs.Add((contact, values, traceId));
                }
                else if (!(behaviour.MergedIdsInBatch == MergedIdsInBatch.Omit && d.Find(id!, byEmail: false) is not null))
                {
                    missing.Add((id!, traceId));
                }

                // A merged-away id under "omit": no result, no error, nothing written (what integrators have seen).
            }

            var results = new JsonArray();
            foreach (var (contact, values, traceId) in checkedInputs)
            {
                d.Apply(contact, values);
                results.Add(Traced(Contact(contact, null, values.Keys), traceId));
            }

            if (missing.Count > 0)
            {
                errors.Add(BatchNotFound(missing.Select(m => m.Id).ToList(), missing.Where(m => m.TraceId is not null).Select(m => m.TraceId!).ToList()));
            }

            return Batch(results, errors, 200, d._time.GetUtcNow());
        }
    }

    public ApiAnswer BatchUpsert(JsonArray inputs)
    {
        var prepared = inputs.Select(i => (Id: i?["id"]?.ToString(), IdProperty: i?["idProperty"]?.ToString(), Properties: PortalData.ReadProperties(i?["properties"] as JsonObject))).ToList();
        if (prepared.Any(p => p.Id is null || p.IdProperty != "email"))
        {
            return Invalid("Upsert inputs need an id and idProperty \"email\".");
        }

        lock (d._lock)
        {
            if (prepared.GroupBy(p => d._byEmail.TryGetValue(p.Id!, out var id) ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : p.Id!.ToLowerInvariant(), StringComparer.Ordinal).Any(g => g.Count() > 1))
            {
                return Invalid("Duplicate IDs found in batch input.");
            }

            var planned = new List<(string Email, Dictionary<string, string?> Values)>();
            foreach (var (id, _, properties) in prepared)
            {
                var (values, problems) = d.ValidateAll(properties);
                if (problems.Count > 0)
                {
                    return ValidationFailed(problems);
                }

                planned.Add((id!, values));
            }

            var results = new JsonArray();
            foreach (var (email, values) in planned)
            {
                var isNew = !d._byEmail.TryGetValue(email, out var existing);
                StoredContact contact;
                if (isNew)
                {
                    values[StoredContact.EmailProperty] = email;
                    contact = d.Insert(values);
                }
                else
                {
                    contact = d._contacts[existing];
                    d.Apply(contact, values);
                }

                var json = Contact(contact, null, values.Keys);
                json["new"] = isNew;
                results.Add(json);
            }

            return Batch(results, [], 200, d._time.GetUtcNow());
        }
    }
}
