namespace HhLearn.CrmSync;

/// <summary>
/// Creating and updating, correct under every variant of HubSpot's undocumented batch behaviour (docs/hubspot.md,
/// "Variants"): every input carries an <c>objectWriteTraceId</c> and results and errors are matched by it; an input a
/// result leaves out is a failure for that input, resolved by a single read by id (which follows merges); only a
/// refusal of a learner's own input blocks that learner; what the portal or the token refuses pauses, never blocks.
/// </summary>
public sealed partial class ContactWriter
{
    /// <summary>
    /// Creates a contact per target (by its email, with the create defaults and its properties). A target whose email
    /// HubSpot already holds (a 409; also a secondary email of another contact) comes back as
    /// <see cref="ContactWriteStatus.Exists"/> with the existing id, unwritten: its stored progress must be read before
    /// it is written over. A 409 names one existing contact: its learner is set aside and the rest created again as a batch.
    /// </summary>
    public async Task<IReadOnlyList<ContactWriteResult>> CreateAsync(IReadOnlyList<(ContactTarget Target, IReadOnlyDictionary<string, string> Properties)> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new List<ContactWriteResult>();
        var unique = items.Where(i => i.Target.Email is not null).DistinctBy(i => i.Target.Email!, StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var duplicate in items.Except(unique))
        {
            results.Add(new ContactWriteResult(duplicate.Target.Ref, ContactWriteStatus.Retry, null, Error: duplicate.Target.Email is null ? "NO_EMAIL" : "DUPLICATE_IN_BATCH"));
        }

        var pending = new List<(ContactTarget Target, IReadOnlyDictionary<string, string> Properties)>(unique);
        while (pending.Count > 0)
        {
            var chunk = pending.Take(BatchLimit).ToList();
            try
            {
                var created = await hubSpot.BatchCreateContactsAsync(chunk.Select(i => new HubSpotContactCreate(ForCreate(i.Target.Email!, i.Properties), i.Target.Ref)).ToArray(), ct);
                foreach (var (target, _) in chunk)
                {
                    var contact = created.Results.FirstOrDefault(c => c.ObjectWriteTraceId == target.Ref) ?? created.Results.FirstOrDefault(c => HasEmail(c, target.Email!));
                    var error = created.Errors.FirstOrDefault(e => e.TraceIds.Contains(target.Ref, StringComparer.Ordinal));
                    results.Add(contact is not null ? new ContactWriteResult(target.Ref, ContactWriteStatus.Written, contact.Id, Created: true)
                        : error is not null ? InputRefused(target.Ref, error)
                        : new ContactWriteResult(target.Ref, ContactWriteStatus.Retry, null, Error: "CREATE_NOT_ANSWERED"));
                }

                pending.RemoveRange(0, chunk.Count);
            }
            catch (HubSpotConflictException conflict) when (conflict.ExistingId is { } existing)
            {
                // The 409 names the contact of one conflicting input only: find which, set it aside, create the rest again.
                var owner = chunk.Count == 1 ? chunk[0] : await OwnerOfAsync(existing, chunk, ct);
                if (owner is not { } found)
                {
                    results.AddRange(await CreateOneByOneAsync(chunk, ct));
                    pending.RemoveRange(0, chunk.Count);
                    continue;
                }

                results.Add(new ContactWriteResult(found.Target.Ref, ContactWriteStatus.Exists, existing, CorrelationId: conflict.CorrelationId));
                pending.Remove(found);
            }
            catch (HubSpotValidationException) when (chunk.Count > 1)
            {
                // The whole batch refused for one input's values: one at a time, so that only that one is refused.
                results.AddRange(await CreateOneByOneAsync(chunk, ct));
                pending.RemoveRange(0, chunk.Count);
            }
            catch (HubSpotApiException ex)
            {
                results.AddRange(chunk.Select(i => chunk.Count == 1 ? InputFailed(i.Target.Ref, ex) : RequestFailed(i.Target.Ref, ex)));
                pending.RemoveRange(0, chunk.Count);
            }
        }

        return results;
    }

    /// <summary>
    /// Updates known contacts, a hundred a call; a contact id named twice is written once (the caller combines the
    /// values first). A contact HubSpot no longer has comes back <see cref="ContactWriteStatus.NotFound"/>, but only once a
    /// single read by id (which follows merges) has confirmed it: a merged-away id a batch reports missing, or leaves out
    /// of its results, is written to its survivor instead.
    /// </summary>
    public async Task<IReadOnlyList<ContactWriteResult>> UpdateAsync(IReadOnlyList<(string Ref, string ContactId, IReadOnlyDictionary<string, string> Properties)> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new List<ContactWriteResult>();
        var byContact = items.GroupBy(i => i.ContactId, StringComparer.Ordinal).ToList();
        foreach (var chunk in byContact.Chunk(BatchLimit))
        {
            try
            {
                var answer = await hubSpot.BatchUpdateContactsAsync(
                    chunk.Select(g => new HubSpotContactUpdate(g.Key, g.First().Properties) { TraceId = g.First().Ref }).ToArray(), ct);
                foreach (var group in chunk)
                {
                    var trace = group.First().Ref;
                    var written = answer.Results.FirstOrDefault(r => r.ObjectWriteTraceId == trace) ?? answer.Results.FirstOrDefault(r => Answers(r, group.Key));
                    var error = answer.Errors.FirstOrDefault(e => e.TraceIds.Contains(trace, StringComparer.Ordinal)) ??
                                answer.Errors.FirstOrDefault(e => e.Ids.Contains(group.Key, StringComparer.Ordinal));
                    if (written is not null)
                    {
                        results.AddRange(await WrittenAsync(group.ToList(), written.Id, ct));
                    }
                    else if (error is not null && error.Category is not ("OBJECT_NOT_FOUND" or null))
                    {
                        results.AddRange(group.Select(i => InputRefused(i.Ref, error)));
                    }
                    else
                    {
                        // Reported missing, or left out of the results: nothing was written. A merged-away id has a survivor.
                        results.AddRange(await WriteToSurvivorAsync(group.ToList(), ct));
                    }
                }
            }
            catch (HubSpotValidationException) when (chunk.Length > 1)
            {
                // One learner's bad value fails the whole batch: write them one at a time, so only that one is refused.
                foreach (var group in chunk)
                {
                    results.AddRange(await WriteToSurvivorAsync(group.ToList(), ct));
                }
            }
            catch (HubSpotApiException ex)
            {
                results.AddRange(chunk.SelectMany(g => g).Select(i => chunk.Length == 1 ? InputFailed(i.Ref, ex) : RequestFailed(i.Ref, ex)));
            }
        }

        return results;
    }

    /// <summary>A written learner, with its survivor's merged ids when HubSpot wrote another record than the one asked.</summary>
    private async Task<IEnumerable<ContactWriteResult>> WrittenAsync(List<(string Ref, string ContactId, IReadOnlyDictionary<string, string> Properties)> group, string writtenId, CancellationToken ct)
    {
        var mergedIds = writtenId == group[0].ContactId ? [] : MergedIdsOf(await TryGetAsync(writtenId, ct));
        return group.Select(i => new ContactWriteResult(i.Ref, ContactWriteStatus.Written, writtenId) { MergedIds = mergedIds });
    }

    /// <summary>
    /// Writes the learner to the record that now answers its id (a single GET follows merges in every variant), or says
    /// that HubSpot has no such record any more.
    /// </summary>
    private async Task<IReadOnlyList<ContactWriteResult>> WriteToSurvivorAsync(List<(string Ref, string ContactId, IReadOnlyDictionary<string, string> Properties)> group, CancellationToken ct)
    {
        var (_, id, properties) = group[0];
        try
        {
            var survivor = await hubSpot.GetContactAsync(id, [ContactPropertyNames.Email, ContactPropertyNames.MergedObjectIds], ct);
            var written = await hubSpot.UpdateContactAsync(survivor.Id, properties, ct);
            return group.Select(i => new ContactWriteResult(i.Ref, ContactWriteStatus.Written, written.Id) { MergedIds = MergedIdsOf(survivor) }).ToList();
        }
        catch (HubSpotNotFoundException)
        {
            return group.Select(i => new ContactWriteResult(i.Ref, ContactWriteStatus.NotFound, id)).ToList();
        }
        catch (HubSpotApiException ex)
        {
            return group.Select(i => InputFailed(i.Ref, ex)).ToList();
        }
    }

    private async Task<HubSpotContact?> TryGetAsync(string id, CancellationToken ct)
    {
        try
        {
            return await hubSpot.GetContactAsync(id, [ContactPropertyNames.Email, ContactPropertyNames.MergedObjectIds], ct);
        }
        catch (HubSpotNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Which input of a batch create the existing contact a 409 named holds the email of (one read).</summary>
    private async Task<(ContactTarget Target, IReadOnlyDictionary<string, string> Properties)?> OwnerOfAsync(
        string existingId, List<(ContactTarget Target, IReadOnlyDictionary<string, string> Properties)> chunk, CancellationToken ct)
    {
        try
        {
            var contact = await hubSpot.GetContactAsync(existingId, [ContactPropertyNames.Email, ContactPropertyNames.AdditionalEmails], ct);
            return chunk.Where(i => HasEmail(contact, i.Target.Email!)).Select(i => ((ContactTarget, IReadOnlyDictionary<string, string>)?)i).FirstOrDefault();
        }
        catch (HubSpotApiException)
        {
            return null;
        }
    }

    private async Task<List<ContactWriteResult>> CreateOneByOneAsync(List<(ContactTarget Target, IReadOnlyDictionary<string, string> Properties)> chunk, CancellationToken ct)
    {
        var results = new List<ContactWriteResult>();
        foreach (var (target, properties) in chunk)
        {
            try
            {
                var contact = await hubSpot.CreateContactAsync(ForCreate(target.Email!, properties), ct);
                results.Add(new ContactWriteResult(target.Ref, ContactWriteStatus.Written, contact.Id, Created: true));
            }
            catch (HubSpotConflictException conflict) when (conflict.ExistingId is { } existing)
            {
                results.Add(new ContactWriteResult(target.Ref, ContactWriteStatus.Exists, existing, CorrelationId: conflict.CorrelationId));
            }
            catch (HubSpotApiException ex)
            {
                results.Add(InputFailed(target.Ref, ex));
            }
        }

        return results;
    }

    /// <summary>A whole request refused: never the learners' fault. The token or the portal (403) pauses; anything else is retried.</summary>
    private static ContactWriteResult RequestFailed(string reference, HubSpotApiException ex) =>
        ex is HubSpotForbiddenException forbidden
            ? new(reference, ContactWriteStatus.Misconfigured, null, Error: $"403 {forbidden.Category ?? "FORBIDDEN"} {string.Join(',', forbidden.RequiredScopes)}".TrimEnd(), CorrelationId: ex.CorrelationId)
            : new(reference, ContactWriteStatus.Retry, null, Error: $"{ex.StatusCode} {ex.Category ?? ex.GetType().Name}", CorrelationId: ex.CorrelationId);

    /// <summary>A call about one learner only refused: a 400 on its values is its own (refused for good), unless the portal requires a property.</summary>
    private static ContactWriteResult InputFailed(string reference, HubSpotApiException ex) => ex switch
    {
        HubSpotValidationException validation when RequiredProperties(validation.Problems.Select(p => (p.Code, p.Message, p.PropertyName))) is { Count: > 0 } required =>
            new(reference, ContactWriteStatus.Misconfigured, null, Error: $"REQUIRED_PROPERTY {string.Join(',', required)}", CorrelationId: ex.CorrelationId),
        HubSpotValidationException => new(reference, ContactWriteStatus.Refused, null, Error: $"{ex.StatusCode} {ex.Category ?? ex.GetType().Name}", CorrelationId: ex.CorrelationId),
        _ => RequestFailed(reference, ex),
    };

    /// <summary>A batch's error for one input (a 207).</summary>
    private static ContactWriteResult InputRefused(string reference, HubSpotBatchError error) =>
        error.Category == "VALIDATION_ERROR" && error.Codes.Any(IsRequiredCode)
            ? new(reference, ContactWriteStatus.Misconfigured, null, Error: $"REQUIRED_PROPERTY {error.Message}")
            : error.Category == "VALIDATION_ERROR"
                ? new(reference, ContactWriteStatus.Refused, null, Error: $"VALIDATION_ERROR {error.Message}")
                : new(reference, ContactWriteStatus.Retry, null, Error: error.Category ?? "BATCH_ERROR");

    private static List<string> RequiredProperties(IEnumerable<(string? Code, string Message, string? PropertyName)> problems) =>
        problems.Where(p => IsRequiredCode(p.Code ?? string.Empty) || p.Message.Contains(" is required", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.PropertyName ?? "?").ToList();

    private static bool IsRequiredCode(string code) => code.Contains("REQUIRED", StringComparison.OrdinalIgnoreCase);

    /// <summary>What a create sends: the defaults, then the learner's values, then its email.</summary>
    private Dictionary<string, string> ForCreate(string email, IReadOnlyDictionary<string, string> properties)
    {
        var values = new Dictionary<string, string>(_options.CreateDefaults, StringComparer.Ordinal);
        foreach (var (name, value) in properties)
        {
            values[name] = value;
        }

        values[ContactPropertyNames.Email] = email;
        return values;
    }
}
