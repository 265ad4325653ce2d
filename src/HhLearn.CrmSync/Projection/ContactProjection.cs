namespace HhLearn.CrmSync;

/// <summary>
/// The projector's writing half: finding the learners' contacts, importing what they hold, combining the records of one
/// person (ContactProjection.Identity), writing them through the contact gateway, and recording what HubSpot holds.
/// </summary>
internal sealed partial class ContactProjection(
    IProjectionStore store, IContactGateway contacts, LearningCatalog catalog, INudgeSender nudges, ISyncLog log, TimeProvider time, ProjectorOptions options, LearnerOutcomes outcomes)
{
    /// <summary>
    /// Reads, in batches, the contacts of learners HubSpot has not confirmed yet (no contact id) or that may hold
    /// progress from the earlier system, merges that progress into the store, and sorts the rest into "create". A
    /// learner whose contact HhLearn had written is gone (by id and by email) was deleted in HubSpot: never re-created.
    /// </summary>
    public async Task ImportAndResolveAsync(List<LearnerWork> learners, string? requestId, CancellationToken ct)
    {
        var unresolved = learners.Where(w => w.Pending && (w.Stored.ContactId is null || w.Stored.ImportPending)).ToList();
        if (unresolved.Count == 0)
        {
            return;
        }

        var found = await contacts.FindAsync(unresolved.Select(w => w.Target).ToList(), ct);
        foreach (var learner in unresolved)
        {
            if (found.GetValueOrDefault(learner.Ref) is { } contact)
            {
                await AdoptAsync(learner, contact, requestId, ct);
            }
            else if (learner.Stored.ContactId is not null && learner.Stored.ProjectedVersion > 0)
            {
                // A wrong suppression is worse than a late write: confirm before concluding the contact was deleted.
                if (await contacts.ConfirmAsync(learner.Target, ct) is { } confirmed)
                {
                    await AdoptAsync(learner, confirmed, requestId, ct);
                }
                else
                {
                    await DeletedUpstreamAsync(learner, requestId, ct);
                }
            }
            else if (learner.Stored.Email is null)
            {
                // Known by a contact id that HubSpot does not have: nobody to write to, and nothing to create by.
                outcomes.Block(learner, SyncErrorCodes.ContactNotFound, $"no HubSpot contact has id {learner.Stored.ContactId}", requestId);
            }
            else
            {
                learner.Create = true;
            }
        }
    }

    /// <summary>
    /// Takes the contact HubSpot has for the learner: its id, and (once) the progress it holds, merged into the store.
    /// A contact whose id (or an id merged into it) is suppressed, the person forgotten or kept out under it, is not
    /// written: the learner is suppressed too. False when the learner is done for this batch.
    /// </summary>
    private async Task<bool> AdoptAsync(LearnerWork learner, CrmContact contact, string? requestId, CancellationToken ct)
    {
        if (contact.Id != learner.Stored.ContactId && await store.SuppressionOfContactsAsync(contact.MergedIds.Prepend(contact.Id), ct) is { } suppression)
        {
            await store.SuppressAsync(learner.Stored.Key, SuppressionReasons.ContactSuppressed, ct);
            learner.Finish(MessageOutcome.Done);
            log.Write(LogLevel.Warn, LogEvents.LearnerSuppressed, $"the learner's HubSpot contact belongs to a person kept out of HubSpot ({suppression}); not written, and this record is suppressed too",
                LearnerOutcomes.Context(learner, requestId) with { ContactId = contact.Id });
            return false;
        }

        learner.NewContact |= contact.Id != learner.Stored.ContactId;
        learner.ContactId = contact.Id;
        learner.Found = contact;
        learner.MergedIds = contact.MergedIds;
        if (!learner.Stored.ImportPending && learner.Stored.ContactId is not null)
        {
            return true;
        }

        var read = ContactProgress.Read(contact.Properties);
        if (!read.IsOk)
        {
            outcomes.Block(learner, SyncErrorCodes.ProgressStateCorrupt, $"the contact's hhl_progress_state is corrupt ({read.Error}); nothing imported or written", requestId);
            return false;
        }

        var who = new LearnerIdentity(learner.Stored.Email, learner.Stored.Email is null ? learner.Stored.ContactId : null);
        var before = learner.Stored.Version;
        learner.Stored = await store.ImportAsync(who, read.Value, contact.Id, ct, learner.Stored.Key);
        log.Write(LogLevel.Info, LogEvents.LegacyImported, learner.Stored.Version > before ? "progress held in HubSpot merged into the store" : "HubSpot held nothing the store lacked",
            LearnerOutcomes.Context(learner, requestId) with { Fields = [KeyValuePair.Create<string, object?>("version", learner.Stored.Version)] });
        return true;
    }

    /// <summary>Creates the missing contacts, updates the others, and records what HubSpot now holds.</summary>
    public async Task WriteAsync(List<LearnerWork> learners, string owner, HashSet<string> claimed, string? requestId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var learner in learners)
        {
            BuildProperties(learner, now, requestId);
        }

        var written = new List<LearnerWork>();
        var creates = learners.Where(l => l is { Pending: true, Create: true }).ToList();
        if (creates.Count > 0)
        {
            foreach (var result in await contacts.CreateAsync(creates.Select(l => (l.Target, WithNames(l.Properties!, l.Stored.Names))).ToList(), ct))
            {
                var learner = creates.Single(l => l.Ref == result.Ref);
                switch (result.Status)
                {
                    case ContactWriteStatus.Written:
                        learner.ContactId = result.ContactId;
                        learner.Created = true;
                        learner.Written = learner.Stored;
                        log.Write(LogLevel.Info, LogEvents.ContactCreated, "contact created for a new learner", LearnerOutcomes.Context(learner, requestId));
                        written.Add(learner);
                        break;
                    case ContactWriteStatus.Exists:
                        // HubSpot knows the email after all (created meanwhile, or another contact's secondary email):
                        // read that contact, merge what it holds, and write it like any known learner.
                        var existing = (await contacts.FindAsync([learner.Target with { ContactId = result.ContactId }], ct)).GetValueOrDefault(learner.Ref);
                        if (existing is null)
                        {
                            outcomes.Fail(learner, MessageOutcome.Retry, "CONFLICT_UNRESOLVED", result.CorrelationId, requestId);
                            break;
                        }

                        learner.Create = false;
                        learner.Stored = learner.Stored with { ImportPending = true };
                        if (await AdoptAsync(learner, existing, requestId, ct))
                        {
                            BuildProperties(learner, now, requestId);
                        }

                        break;
                    default:
                        NotWritten(learner, result, requestId);
                        break;
                }
            }

            // A contact found through a 409 may be another learner's of this batch, or of the store: one record per person.
            await CombineAsync(creates.Where(l => l is { Pending: true, Create: false }).ToList(), owner, claimed, requestId, ct);
        }

        var gone = await UpdateAsync(learners.Where(l => l is { Pending: true, Create: false, ContactId: not null, Properties: not null }).ToList(), written, requestId, ct);
        if (gone.Count > 0)
        {
            await FindAgainAsync(gone, requestId, ct);
            await UpdateAsync(gone.Where(l => l.Pending).ToList(), written, requestId, ct);
        }

        await MarkAllAsync(written, owner, claimed, requestId, ct);
    }

    /// <summary>A write HubSpot did not take: the portal's fault (calls pause), the learner's for good (blocked), or for now (retried).</summary>
    private void NotWritten(LearnerWork learner, ContactWriteResult result, string? requestId)
    {
        if (result.Status == ContactWriteStatus.Misconfigured)
        {
            outcomes.Misconfigured(learner, result.Error);
        }
        else
        {
            outcomes.Fail(learner, result.Status == ContactWriteStatus.Refused ? MessageOutcome.Poison : MessageOutcome.Retry, result.Error, result.CorrelationId, requestId);
        }
    }

    /// <summary>A new contact's values: the learner's progress, and the names a verified token gave (a portal may require them).</summary>
    private static IReadOnlyDictionary<string, string> WithNames(IReadOnlyDictionary<string, string> properties, LearnerNames? names)
    {
        if (names is null)
        {
            return properties;
        }

        var values = new Dictionary<string, string>(properties, StringComparer.Ordinal);
        if (names.Given is { } given)
        {
            values[ContactPropertyNames.FirstName] = given;
        }

        if (names.Family is { } family)
        {
            values[ContactPropertyNames.LastName] = family;
        }

        return values;
    }

    private void BuildProperties(LearnerWork learner, DateTimeOffset now, string? requestId)
    {
        if (!learner.Pending)
        {
            return;
        }

        var update = ContactProgress.Build(learner.Stored.Learner, catalog, now);
        if (update.StateTooLarge)
        {
            outcomes.Block(learner, SyncErrorCodes.ProgressStateTooLarge, $"hhl_progress_state would be {update.StateLength} characters, over HubSpot's limit", requestId);
            return;
        }

        learner.Properties = update.Properties;
    }

    /// <summary>One batch update of known learners; answers the ones whose contact HubSpot no longer has.</summary>
    private async Task<List<LearnerWork>> UpdateAsync(List<LearnerWork> updates, List<LearnerWork> written, string? requestId, CancellationToken ct)
    {
        var gone = new List<LearnerWork>();
        if (updates.Count == 0)
        {
            return gone;
        }

        foreach (var result in await contacts.UpdateAsync(updates.Select(l => (l.Ref, l.ContactId!, l.Properties!)).ToList(), ct))
        {
            var learner = updates.Single(l => l.Ref == result.Ref);
            switch (result.Status)
            {
                case ContactWriteStatus.Written:
                    if (result.ContactId is { } id && id != learner.ContactId)
                    {
                        // Merged in HubSpot meanwhile: the merged record answered, under its new id.
                        learner.ContactId = id;
                        learner.NewContact = true;
                        learner.CombineChecked = false;
                        learner.MergedIds = result.MergedIds;
                    }

                    learner.Written = learner.Stored;
                    written.Add(learner);
                    break;
                case ContactWriteStatus.NotFound:
                    gone.Add(learner);
                    break;
                default:
                    NotWritten(learner, result, requestId);
                    break;
            }
        }

        return gone;
    }

    /// <summary>
    /// Records what HubSpot now holds for each written learner (a few at a time); combines the records of a person
    /// whose contact turned out to be merged; then nudges again every learner that changed while it was written (its
    /// newer version's own nudge may have found it held by this projector and let go) or that gained progress by a combination.
    /// </summary>
    private async Task MarkAllAsync(List<LearnerWork> written, string owner, HashSet<string> claimed, string? requestId, CancellationToken ct)
    {
        // A contact that turned out to be merged may hold another record of the person: combine before marking, so
        // that a record combined away is not marked, and the primary is marked at the version HubSpot got (behind).
        await CombineAsync(written.Where(w => w.NewContact && !w.Created && !w.CombineChecked).ToList(), owner, claimed, requestId, ct, written: true);
        var again = new List<LearnerWork>();
        await Parallel.ForEachAsync(written.Where(w => !w.Combined), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MarkParallelism), CancellationToken = ct }, async (learner, token) =>
        {
            if (await MarkAsync(learner, requestId, token))
            {
                lock (again)
                {
                    again.Add(learner);
                }
            }
        });

        if (again.Count == 0)
        {
            return;
        }

        try
        {
            await nudges.SendAsync(again.Select(l => new Nudge(l.Stored.Key, l.Stored.Version)).ToList(), $"again-{time.GetUtcNow().ToUnixTimeMilliseconds()}", ct);
        }
        catch (NudgeFailedException ex)
        {
            foreach (var learner in again)
            {
                log.Write(LogLevel.Warn, LogEvents.NudgeFailed, "a re-projection could not be queued; the sweeper will find the learner", LearnerOutcomes.Context(learner, requestId) with { Error = ex.Message });
            }
        }
    }

    /// <summary>Records the projected version (never backwards); true when the learner must be projected once more.</summary>
    private async Task<bool> MarkAsync(LearnerWork learner, string? requestId, CancellationToken ct)
    {
        var mark = await store.MarkProjectedAsync(learner.Written ?? learner.Stored, learner.ContactId!, ct);
        learner.Marked = mark != ProjectionMark.Overtaken;
        if (mark == ProjectionMark.Overtaken)
        {
            // A newer version was recorded as projected while we wrote (possible only if a lease ran out): our write may
            // have landed in HubSpot after the newer one, so mark the learner behind and project it once more.
            await store.MarkBehindAsync(learner.Stored.Key, time.GetUtcNow(), ct);
        }

        learner.Finish(MessageOutcome.Done);
        log.Write(LogLevel.Info, LogEvents.ProjectionWritten, learner.Created ? "learner projected on a new contact" : "learner projected",
            LearnerOutcomes.Context(learner, requestId) with
            {
                Fields =
                [
                    KeyValuePair.Create<string, object?>("version", learner.Stored.Version),
                    KeyValuePair.Create<string, object?>("messages", learner.Messages.Count),
                    KeyValuePair.Create<string, object?>("mark", mark.ToString()),
                ],
            });
        return mark != ProjectionMark.Cleared;
    }
}
