namespace HhLearn.CrmSync;

/// <summary>
/// Who is who, as real portals hold it (docs/hubspot.md, "Real portals"): records of one person combined when HubSpot
/// shows them to be one contact, and contacts deleted in HubSpot respected.
/// </summary>
internal sealed partial class ContactProjection
{
    /// <summary>
    /// Combines the records of one person: learners of this batch that resolve to one contact, and, for a learner whose
    /// contact was found or changed in this batch, the store's records of that contact (its id and the ids merged into
    /// it). Their progress is joined into one record (the one under the contact's primary email, when in the batch),
    /// which the batch then writes (or, once <paramref name="written"/>, writes again: it is behind); the others become
    /// its aliases and their messages are done. A record another projector holds cannot be combined now: before the
    /// write, the learner waits for the next round; after it, the old contact id is kept so that the next round looks again.
    /// </summary>
    public async Task CombineAsync(IReadOnlyList<LearnerWork> learners, string owner, HashSet<string> claimed, string? requestId, CancellationToken ct, bool written = false)
    {
        var candidates = learners.Where(w => w is { Pending: true, Combined: false, ContactId: not null }).ToList();
        foreach (var group in candidates.GroupBy(w => w.ContactId!, StringComparer.Ordinal).ToList())
        {
            var inBatch = group.Where(w => w.Pending).ToList();
            foreach (var learner in inBatch)
            {
                learner.CombineChecked = true;
            }

            var outside = new List<string>();
            if (inBatch.Any(w => w.NewContact))
            {
                foreach (var id in inBatch.SelectMany(w => w.MergedIds).Prepend(group.Key).Distinct(StringComparer.Ordinal))
                {
                    outside.AddRange(await store.KeysWithContactIdAsync(id, ct));
                }

                outside = outside.Distinct(StringComparer.Ordinal).Where(k => inBatch.All(w => w.Stored.Key != k)).ToList();
            }

            if (inBatch.Count + outside.Count < 2)
            {
                continue;
            }

            var toClaim = outside.Where(k => !claimed.Contains(k)).ToList();
            var got = await store.ClaimAsync(toClaim, owner, options.Lease, ct);
            claimed.UnionWith(got);
            if (got.Count < toClaim.Count)
            {
                foreach (var learner in inBatch)
                {
                    if (written)
                    {
                        learner.ContactId = learner.Stored.ContactId ?? learner.ContactId;
                    }
                    else
                    {
                        outcomes.Fail(learner, MessageOutcome.Retry, "LEARNER_HELD", null, requestId, "another record of this person is being written by another projector; they are combined on the next round");
                    }
                }

                continue;
            }

            var primary = inBatch.OrderBy(w => IsContactsPrimaryEmail(w) ? 0 : 1).ThenBy(w => w.Stored.Key, StringComparer.Ordinal).First();
            var others = inBatch.Where(w => w != primary).Select(w => w.Stored.Key).Concat(outside).ToList();
            var combined = await store.CombineAsync(primary.Stored.Key, others, group.Key, ct);
            if (combined is null)
            {
                outcomes.Block(primary, SyncErrorCodes.ProgressStateCorrupt, "a stored record of this person is corrupt: the records were not combined", requestId);
                continue;
            }

            primary.Stored = combined;
            foreach (var other in inBatch.Where(w => w != primary))
            {
                other.Combined = true;
                other.Finish(MessageOutcome.Done);
            }

            if (!written && primary.Properties is not null)
            {
                BuildProperties(primary, time.GetUtcNow(), requestId);
            }

            log.Write(LogLevel.Info, LogEvents.LearnersCombined, $"{others.Count + 1} records of one person combined (one HubSpot contact); the contact gets the union of their progress",
                LearnerOutcomes.Context(primary, requestId) with
                {
                    ContactId = group.Key,
                    Fields = [KeyValuePair.Create<string, object?>("records", others.Count + 1), KeyValuePair.Create<string, object?>("version", combined.Version)],
                });
        }
    }

    private static bool IsContactsPrimaryEmail(LearnerWork learner) =>
        learner.Stored.Email is { } email && learner.Found?.Property(ContactPropertyNames.Email) is { } primary &&
        string.Equals(Progress.Events.EmailAddress.Normalize(primary), email, StringComparison.Ordinal);

    /// <summary>
    /// Learners whose contact id HubSpot no longer has: looked for again by email (marketing may have re-created the
    /// contact, or merged it in a way that lost the id). Found: written there (what it holds is merged in first). Not
    /// found: the contact was deleted in HubSpot.
    /// </summary>
    private async Task FindAgainAsync(List<LearnerWork> gone, string? requestId, CancellationToken ct)
    {
        var byEmail = gone.Where(w => w.Stored.Email is not null).ToList();
        var found = byEmail.Count == 0
            ? new Dictionary<string, CrmContact>()
            : new Dictionary<string, CrmContact>(await contacts.FindAsync(byEmail.Select(w => new ContactTarget(w.Ref, w.Stored.Email, null)).ToList(), ct));
        foreach (var learner in gone)
        {
            // Deleted is decided only once every way to find the person failed: the id (a single read, which follows
            // merges, said 404), the email as a primary email, and the email as another contact's secondary email.
            if (!found.ContainsKey(learner.Ref) && learner.Stored.Email is { } email && await contacts.FindBySecondaryEmailAsync(email, ct) is { } secondary)
            {
                found[learner.Ref] = secondary;
            }

            if (found.GetValueOrDefault(learner.Ref) is { } contact)
            {
                learner.Stored = learner.Stored with { ImportPending = true };
                if (await AdoptAsync(learner, contact, requestId, ct))
                {
                    BuildProperties(learner, time.GetUtcNow(), requestId);
                }
            }
            else
            {
                await DeletedUpstreamAsync(learner, requestId, ct);
            }
        }
    }

    /// <summary>
    /// The contact HhLearn had written is gone from HubSpot (by id and by email, not merged away): marketing deleted
    /// it, often on the learner's request. It is not created again: the learner is suppressed (their events are still
    /// stored and answered) until an operator lifts it with <c>hhlearn suppress --lift</c>.
    /// </summary>
    private async Task DeletedUpstreamAsync(LearnerWork learner, string? requestId, CancellationToken ct)
    {
        await store.SuppressAsync(learner.Stored.Key, SuppressionReasons.DeletedUpstream, ct);
        learner.Finish(MessageOutcome.Done);
        log.Write(LogLevel.Warn, LogEvents.ContactDeletedUpstream,
            "the learner's HubSpot contact was deleted in HubSpot; it is not created again (hhlearn suppress --lift undoes this)",
            LearnerOutcomes.Context(learner, requestId) with { ContactId = learner.Stored.ContactId });
    }
}
