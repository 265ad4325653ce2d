namespace HhLearn.CrmSync;

/// <summary>
/// The learners kept in HubSpot's contact properties, for the table-less direct mode: the same routes as store mode
/// (<see cref="StoreBackend"/>) over a storage whose records are contacts. A read is one batch read; a write reads the
/// contact, applies the event and writes every property (a known learner: a batch read and a batch update; a new one:
/// a batch read and a batch create with the event applied, as a lead; a 409 on create continues on the existing
/// contact). An event that changes nothing writes nothing; corrupt or oversize state is never written. A contact id
/// HubSpot does not know, with no email to create a contact for, is a <see cref="PermanentSyncException"/>
/// (<c>CONTACT_NOT_FOUND</c>). HubSpot failing is <see cref="StoreUnavailableException"/>, as for any storage.
/// HubSpot has no conditional writes: concurrent events for one learner can overwrite each other here (store mode is
/// the one that never loses an update), and no versions: <see cref="StoredLearner.Version"/> is 1 for a contact this
/// write created and 2 for one that existed.
/// </summary>
public sealed class HubSpotLearnerRepository(IContactGateway contacts, LearningCatalog catalog, ISyncLog log, TimeProvider time) : ILearnerRepository
{
    private const string Ref = "learner";

    public async Task<StoredLearner?> ReadAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        return await FindAsync(new ContactTarget(Ref, who.Email, who.ContactId), ct) is { } contact ? Stored(contact, who) : null;
    }

    public async Task<StoreWrite> ApplyAsync(LearnerIdentity who, Func<LearnerProgress, ApplyResult> apply, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(apply);
        var target = new ContactTarget(Ref, who.Email, who.ContactId);
        var contact = await FindAsync(target, ct);
        if (contact is null)
        {
            if (who.Email is null)
            {
                throw new PermanentSyncException(SyncErrorCodes.ContactNotFound, $"no HubSpot contact has id {who.ContactId}", who.ContactId);
            }

            var (write, existing) = await CreateAsync(target, who, apply, ct);
            if (write is not null)
            {
                return write;
            }

            contact = await FindAsync(target with { ContactId = existing }, ct)
                      ?? throw new StoreUnavailableException($"the contact HubSpot named in its 409 ({existing}) cannot be read");
        }

        var stored = Stored(contact, who);
        if (stored.Corruption is not null)
        {
            return new StoreWrite(StoreOutcome.Corrupt, stored, null, 1);
        }

        var result = apply(stored.Learner);
        if (!result.IsApplied)
        {
            return new StoreWrite(StoreOutcome.Rejected, stored, result, 1);
        }

        if (LearnerFields.Same(result.Learner, stored.Learner))
        {
            return new StoreWrite(StoreOutcome.Unchanged, stored, result, 1);
        }

        var update = ContactProgress.Build(result.Learner, catalog, time.GetUtcNow());
        if (update.StateTooLarge)
        {
            return new StoreWrite(StoreOutcome.TooLarge, stored, result, 1, update.StateLength);
        }

        var written = (await contacts.UpdateAsync([(Ref, contact.Id, update.Properties)], ct)).Single();
        if (written.Status != ContactWriteStatus.Written)
        {
            throw new StoreUnavailableException($"HubSpot did not update contact {contact.Id}: {written.Error ?? written.Status.ToString()} (correlation {written.CorrelationId})");
        }

        return new StoreWrite(StoreOutcome.Written, stored with { Learner = result.Learner, Version = 2 }, result, 1);
    }

    /// <summary>
    /// A new learner: the contact is created with the event applied (a rejected first event still creates the contact,
    /// with the initial values). Answers the write, or (on a 409) the id of the contact someone created meanwhile.
    /// </summary>
    private async Task<(StoreWrite? Write, string? Existing)> CreateAsync(ContactTarget target, LearnerIdentity who, Func<LearnerProgress, ApplyResult> apply, CancellationToken ct)
    {
        var result = apply(LearnerProgress.New);
        var learner = result.IsApplied ? result.Learner : LearnerProgress.New;
        var fresh = new StoredLearner { Key = target.Ref, Email = who.Email, Learner = learner };
        var update = ContactProgress.Build(learner, catalog, time.GetUtcNow());
        if (update.StateTooLarge)
        {
            return (new StoreWrite(StoreOutcome.TooLarge, fresh, result, 1, update.StateLength), null);
        }

        var context = new LogContext { EmailHash = who.EmailHash };
        var created = (await contacts.CreateAsync([(target, update.Properties)], ct)).Single();
        switch (created.Status)
        {
            case ContactWriteStatus.Written:
                log.Write(LogLevel.Info, LogEvents.ContactCreated, "contact created for a new learner", context with { ContactId = created.ContactId });
                var stored = fresh with { Key = created.ContactId!, ContactId = created.ContactId, Version = 1, ProjectedVersion = 1 };
                return (new StoreWrite(result.IsApplied ? StoreOutcome.Written : StoreOutcome.Rejected, stored, result, 1), null);
            case ContactWriteStatus.Exists:
                // Someone created this learner between our read and our create: continue on their contact.
                return (null, created.ContactId);
            default:
                log.Write(LogLevel.Error, LogEvents.ContactCreateFailed, "contact could not be created", context with { Error = created.Error, CorrelationId = created.CorrelationId });
                throw new StoreUnavailableException($"HubSpot did not create the contact: {created.Error ?? created.Status.ToString()} (correlation {created.CorrelationId})");
        }
    }

    private async Task<CrmContact?> FindAsync(ContactTarget target, CancellationToken ct)
    {
        try
        {
            return (await contacts.FindAsync([target], ct)).GetValueOrDefault(Ref);
        }
        catch (CrmCallFailedException ex)
        {
            throw new StoreUnavailableException($"HubSpot could not be read: {ex.Describe()} (correlation {ex.CorrelationId})", ex);
        }
    }

    /// <summary>The contact as a stored learner: its progress (or why it cannot be read) and the date it was last written.</summary>
    private static StoredLearner Stored(CrmContact contact, LearnerIdentity who)
    {
        var read = ContactProgress.Read(contact.Properties);
        var updated = ProgressFigures.ParseDate(contact.Property(ContactPropertyNames.ProgressUpdatedAt));
        return new StoredLearner
        {
            Key = contact.Id,
            Email = who.Email,
            ContactId = contact.Id,
            Learner = read.IsOk ? read.Value : LearnerProgress.New,
            Corruption = read.IsOk ? null : read.Error,
            Version = 2,
            ProjectedVersion = 2,
            UpdatedAt = updated is { } date ? ProgressFigures.FormatDate(date) : null,
        };
    }
}
