namespace HhLearn.CrmSync;

/// <summary>A learner as HubSpot should know it: an email, a contact id, or both. <see cref="Ref"/> names it to the caller.</summary>
public sealed record ContactTarget(string Ref, string? Email, string? ContactId);

/// <summary>How a write of one learner ended.</summary>
public enum ContactWriteStatus
{
    Written,

    /// <summary>HubSpot has no such contact (by id; and by email, for a create that named one): deleted, or never there.</summary>
    NotFound,

    /// <summary>The contact exists already (a 409 on create): <see cref="ContactWriteResult.ContactId"/> names it; nothing was written.</summary>
    Exists,

    /// <summary>HubSpot failed in a way a retry may fix (429, 5xx, outage, token).</summary>
    Retry,

    /// <summary>HubSpot refused this learner's values for good (a 400 on one of them).</summary>
    Refused,
}

/// <summary>
/// How one learner's write ended. <see cref="ContactId"/> is the record HubSpot wrote, which differs from the id asked
/// when the contact was merged meanwhile (the merged record has a new id); <see cref="MergedIds"/> then lists the ids
/// merged into it.
/// </summary>
public sealed record ContactWriteResult(string Ref, ContactWriteStatus Status, string? ContactId, bool Created = false, string? Error = null, string? CorrelationId = null)
{
    public IReadOnlyList<string> MergedIds { get; init; } = [];
}

/// <summary>
/// HubSpot's side of every write, in one place, for the projector and for direct mode: finding contacts (batch read
/// by id and by email, never search), creating the ones HubSpot does not know (as leads, with their properties) and
/// updating the others, a hundred per call. Results are matched to what was asked, never to a record's primary email
/// or id (a contact is found by a secondary email, a merged-away id answers with its survivor's). One learner's bad
/// value or conflict never fails the others: a batch HubSpot refuses as a whole is tried again one learner at a time.
/// </summary>
public sealed class ContactWriter(HubSpotClient hubSpot)
{
    public const int BatchLimit = 100;

    /// <summary>What a read asks for: the progress properties, and what tells which input a record answers.</summary>
    public static readonly IReadOnlyList<string> ReadProperties =
        [.. ContactPropertyNames.ReadSet, ContactPropertyNames.AdditionalEmails, ContactPropertyNames.MergedObjectIds];

    /// <summary>
    /// The contact of each target that HubSpot has: by id for targets with one (a merged-away id answers with the
    /// survivor), by email for the others and for id targets whose id HubSpot no longer knows. Absent when none.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, HubSpotContact>> FindAsync(IReadOnlyCollection<ContactTarget> targets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var found = new Dictionary<string, HubSpotContact>(StringComparer.Ordinal);
        var byId = targets.Where(t => t.ContactId is not null).ToList();
        foreach (var chunk in byId.Select(t => t.ContactId!).Distinct(StringComparer.Ordinal).Chunk(BatchLimit))
        {
            var result = await hubSpot.BatchReadContactsAsync(chunk, ReadProperties, byEmail: false, ct);
            foreach (var target in byId)
            {
                if (result.Results.FirstOrDefault(c => Answers(c, target.ContactId!)) is { } contact)
                {
                    found[target.Ref] = contact;
                }
            }
        }

        var byEmail = targets.Where(t => t.Email is not null && !found.ContainsKey(t.Ref)).ToList();
        foreach (var chunk in byEmail.Select(t => t.Email!).Distinct(StringComparer.Ordinal).Chunk(BatchLimit))
        {
            var result = await hubSpot.BatchReadContactsAsync(chunk, ReadProperties, byEmail: true, ct);
            foreach (var target in byEmail)
            {
                if (result.Results.FirstOrDefault(c => HasEmail(c, target.Email!)) is { } contact)
                {
                    found[target.Ref] = contact;
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Creates a contact per target (by its email, as a lead, with its properties). A target whose email HubSpot
    /// already holds (a 409; also a secondary email of another contact) comes back as <see cref="ContactWriteStatus.Exists"/>
    /// with the existing id, unwritten: its stored progress must be read before it is written over.
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

        foreach (var chunk in unique.Chunk(BatchLimit))
        {
            try
            {
                var created = await hubSpot.BatchCreateContactsAsync(chunk.Select(i => WithLead(i.Target.Email!, i.Properties)).ToArray(), ct);
                foreach (var (target, _) in chunk)
                {
                    results.Add(created.Results.FirstOrDefault(c => HasEmail(c, target.Email!)) is { } contact
                        ? new ContactWriteResult(target.Ref, ContactWriteStatus.Written, contact.Id, Created: true)
                        : new ContactWriteResult(target.Ref, ContactWriteStatus.Retry, null, Error: "CREATE_NOT_ANSWERED"));
                }
            }
            catch (HubSpotConflictException conflict) when (chunk.Length == 1 && conflict.ExistingId is { } existing)
            {
                results.Add(new ContactWriteResult(chunk[0].Target.Ref, ContactWriteStatus.Exists, existing, CorrelationId: conflict.CorrelationId));
            }
            catch (HubSpotApiException ex) when (chunk.Length > 1 && ex is HubSpotConflictException or HubSpotValidationException)
            {
                // HubSpot fails the whole batch for one existing email or one bad value: find out which, one at a time.
                foreach (var (target, properties) in chunk)
                {
                    results.Add(await CreateOneAsync(target, properties, ct));
                }
            }
            catch (HubSpotApiException ex)
            {
                results.AddRange(chunk.Select(i => Failed(i.Target.Ref, ex)));
            }
        }

        return results;
    }

    /// <summary>
    /// Updates known contacts, a hundred a call; a contact id named twice is written once (the caller combines the
    /// values first). A contact HubSpot no longer has comes back <see cref="ContactWriteStatus.NotFound"/>.
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
                var answer = await hubSpot.BatchUpdateContactsAsync(chunk.Select(g => new HubSpotContactUpdate(g.Key, g.First().Properties)).ToArray(), ct);
                var missing = answer.Errors.Where(e => e.Category is "OBJECT_NOT_FOUND" or null).SelectMany(e => e.Ids).ToHashSet(StringComparer.Ordinal);
                var survivors = await SurvivorsAsync(chunk.Select(g => g.Key).Where(id => !missing.Contains(id) && answer.Results.All(r => r.Id != id)).ToList(), ct);
                foreach (var group in chunk)
                {
                    var status = missing.Contains(group.Key) ? ContactWriteStatus.NotFound : ContactWriteStatus.Written;
                    var survivor = survivors.GetValueOrDefault(group.Key);
                    results.AddRange(group.Select(i => new ContactWriteResult(i.Ref, status, survivor?.Id ?? i.ContactId) { MergedIds = MergedIdsOf(survivor) }));
                }
            }
            catch (HubSpotApiException ex) when (chunk.Length > 1 && ex is HubSpotValidationException)
            {
                // One learner's bad value fails the whole batch: write them one at a time, so only that one is refused.
                foreach (var group in chunk)
                {
                    results.AddRange(await UpdateOneAsync(group.ToList(), ct));
                }
            }
            catch (HubSpotApiException ex)
            {
                results.AddRange(chunk.SelectMany(g => g).Select(i => Failed(i.Ref, ex)));
            }
        }

        return results;
    }

    /// <summary>
    /// The records that now hold ids a batch update wrote but did not answer with: HubSpot answers a merged-away id with
    /// the merged record, under its new id. One batch read, only when that happened.
    /// </summary>
    private async Task<Dictionary<string, HubSpotContact>> SurvivorsAsync(List<string> moved, CancellationToken ct)
    {
        var survivors = new Dictionary<string, HubSpotContact>(StringComparer.Ordinal);
        if (moved.Count == 0)
        {
            return survivors;
        }

        var read = await hubSpot.BatchReadContactsAsync(moved, [ContactPropertyNames.Email, ContactPropertyNames.MergedObjectIds], byEmail: false, ct);
        foreach (var id in moved)
        {
            if (read.Results.FirstOrDefault(c => Answers(c, id)) is { } contact)
            {
                survivors[id] = contact;
            }
        }

        return survivors;
    }

    /// <summary>The ids merged into <paramref name="contact"/> (<c>hs_merged_object_ids</c>).</summary>
    public static IReadOnlyList<string> MergedIdsOf(HubSpotContact? contact) => contact is null ? [] : Split(contact.Property(ContactPropertyNames.MergedObjectIds));

    private async Task<ContactWriteResult> CreateOneAsync(ContactTarget target, IReadOnlyDictionary<string, string> properties, CancellationToken ct)
    {
        try
        {
            var contact = await hubSpot.CreateContactAsync(WithLead(target.Email!, properties), ct);
            return new ContactWriteResult(target.Ref, ContactWriteStatus.Written, contact.Id, Created: true);
        }
        catch (HubSpotConflictException conflict) when (conflict.ExistingId is { } existing)
        {
            return new ContactWriteResult(target.Ref, ContactWriteStatus.Exists, existing, CorrelationId: conflict.CorrelationId);
        }
        catch (HubSpotApiException ex)
        {
            return Failed(target.Ref, ex);
        }
    }

    private async Task<IReadOnlyList<ContactWriteResult>> UpdateOneAsync(List<(string Ref, string ContactId, IReadOnlyDictionary<string, string> Properties)> group, CancellationToken ct)
    {
        var (_, id, properties) = group[0];
        try
        {
            // A merged-away id answers the merged record: its id is the one to keep.
            var written = await hubSpot.UpdateContactAsync(id, properties, ct);
            var survivor = written.Id == id ? null : (await SurvivorsAsync([id], ct)).GetValueOrDefault(id);
            return group.Select(i => new ContactWriteResult(i.Ref, ContactWriteStatus.Written, written.Id) { MergedIds = MergedIdsOf(survivor) }).ToList();
        }
        catch (HubSpotNotFoundException)
        {
            return group.Select(i => new ContactWriteResult(i.Ref, ContactWriteStatus.NotFound, id)).ToList();
        }
        catch (HubSpotApiException ex)
        {
            return group.Select(i => Failed(i.Ref, ex)).ToList();
        }
    }

    private static ContactWriteResult Failed(string reference, HubSpotApiException ex) => new(
        reference,
        ex.IsTransient || ex is HubSpotUnauthorizedException ? ContactWriteStatus.Retry : ContactWriteStatus.Refused,
        null,
        Error: $"{ex.StatusCode} {ex.Category ?? ex.GetType().Name}",
        CorrelationId: ex.CorrelationId);

    private static Dictionary<string, string> WithLead(string email, IReadOnlyDictionary<string, string> properties) =>
        new Dictionary<string, string>(properties, StringComparer.Ordinal)
        {
            [ContactPropertyNames.Email] = email,
            [ContactPropertyNames.LifecycleStage] = "lead",
        };

    /// <summary>Whether the record answers a read of <paramref name="id"/>: its own id, or one merged into it.</summary>
    public static bool Answers(HubSpotContact contact, string id)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return contact.Id == id || Split(contact.Property(ContactPropertyNames.MergedObjectIds)).Contains(id, StringComparer.Ordinal);
    }

    /// <summary>Whether the record holds <paramref name="email"/>, as its email or as an additional one.</summary>
    public static bool HasEmail(HubSpotContact contact, string email)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return string.Equals(EmailAddress.Normalize(contact.Property(ContactPropertyNames.Email) ?? string.Empty), email, StringComparison.Ordinal) ||
               Split(contact.Property(ContactPropertyNames.AdditionalEmails)).Any(e => string.Equals(EmailAddress.Normalize(e), email, StringComparison.Ordinal));
    }

    private static string[] Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
