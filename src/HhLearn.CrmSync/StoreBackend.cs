namespace HhLearn.CrmSync;

/// <summary>
/// The routes' progress in store mode. A track is applied and written to the store before the answer (so the answer
/// is final and a read right after shows it), then a nudge tells the projection; it never calls HubSpot. A read
/// answers from the store; a learner the store has never seen is imported on the spot from HubSpot (one read), so
/// progress written by the earlier system shows, and reads of that learner cost HubSpot nothing from then on. A
/// stranger (nobody in HubSpot either) is remembered for <see cref="StoreBackendOptions.StrangerLifetime"/>, so their
/// reads cost at most one HubSpot call per lifetime. With <see cref="StoreBackendOptions.SharedReadBudget"/> (the
/// deployed API, whose instances are not counted) the imports draw on one budget per 10 s shared through the table;
/// past it, the read answers from the store (nothing yet) until the next window.
/// </summary>
public sealed class StoreBackend(ILearnerRepository store, LearningCatalog catalog, INudgeSender? nudges, IContactGateway? contacts, ISyncLog log, StoreBackendOptions? options = null) : IProgressBackend
{
    private readonly StoreBackendOptions _options = options ?? new StoreBackendOptions();

    /// <summary>The name of the shared budget the API's HubSpot imports draw on.</summary>
    public const string ReadBudgetName = "api-hubspot-reads";

    public LearningCatalog Catalog => catalog;

    public async Task<TrackOutcome> TrackAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset receivedAt, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(who);
        var context = new LogContext { RequestId = requestId, EmailHash = who.EmailHash, ContactId = who.ContactId, EventName = e.Name, EventId = e.EventId };
        StoreWrite write;
        try
        {
            write = await store.ApplyAsync(who, learner => ProgressEngine.Apply(learner, e, catalog, receivedAt), ct);
        }
        catch (StoreUnavailableException ex)
        {
            log.Write(LogLevel.Error, LogEvents.StoreUnavailable, "the progress store did not take the event; the client was asked to retry", context with { Error = ex.Message });
            throw new ProgressUnavailableException(UnavailableCodes.Store, "The progress store is unavailable; retry shortly", TimeSpan.FromSeconds(2), ex);
        }
        catch (StoreContendedException ex)
        {
            log.Write(LogLevel.Warn, LogEvents.StoreUnavailable, "too many concurrent writes for one learner; the client was asked to retry", context with { Error = "STORE_CONTENDED" });
            throw new ProgressUnavailableException(UnavailableCodes.Contended, "Too many concurrent updates for this learner; retry shortly", TimeSpan.FromSeconds(1), ex);
        }
        catch (StoreRejectedException ex)
        {
            // Permanent: the same write would be refused again. Kept for an engineer (replay), never a 503 to retry.
            log.Write(LogLevel.Error, LogEvents.ProgressStateTooLarge, "the progress store refused the learner's item; the event was not applied",
                context with { Error = ex.Message, Fields = [KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))] });
            throw new PermanentSyncException(SyncErrorCodes.ProgressStateTooLarge, "the progress store refused this learner's item", who.ContactId);
        }

        context = context with { ContactId = write.Learner.ContactId ?? who.ContactId };
        switch (write.Outcome)
        {
            case StoreOutcome.Rejected:
                log.Write(LogLevel.Warn, LogEvents.EventRejected, write.Result!.Rejection!.Message, context with { Error = write.Result.Rejection.Code });
                return new TrackRejected(write.Result.Rejection, write.Learner.ContactId);
            case StoreOutcome.Corrupt:
                log.Write(LogLevel.Error, LogEvents.ProgressStateCorrupt, "the stored progress document is corrupt; the event was not applied and the document left as it is",
                    context with { Error = write.Learner.Corruption, Fields = [KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))] });
                throw new PermanentSyncException(SyncErrorCodes.ProgressStateCorrupt, "the stored progress of this learner is corrupt", write.Learner.ContactId);
            case StoreOutcome.TooLarge:
                log.Write(LogLevel.Error, LogEvents.ProgressStateTooLarge, $"hhl_progress_state would be {write.StateLength} characters, over HubSpot's {Limits.MaxPropertyValueLength}; nothing written",
                    context with { Fields = [KeyValuePair.Create<string, object?>("stateLength", write.StateLength), KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))] });
                throw new PermanentSyncException(SyncErrorCodes.ProgressStateTooLarge, $"progress state would be {write.StateLength} characters", write.Learner.ContactId);
        }

        foreach (var warning in write.Result!.Warnings)
        {
            log.Write(LogLevel.Warn, warning.Code, warning.Message, context);
        }

        log.Write(LogLevel.Info, LogEvents.EventStored, write.Outcome == StoreOutcome.Written ? "event stored" : "event stored (it changed nothing)",
            context with { Fields = [KeyValuePair.Create<string, object?>("version", write.Learner.Version), KeyValuePair.Create<string, object?>("changed", write.Outcome == StoreOutcome.Written)] });
        // A learner whose projection is blocked or suppressed is not nudged: it waits for an operator (logged and alarmed).
        if (write.Outcome == StoreOutcome.Written && nudges is not null && write.Learner.Projectable)
        {
            try
            {
                await nudges.SendAsync([new Nudge(write.Learner.Key, write.Learner.Version)], null, ct);
            }
            catch (NudgeFailedException ex)
            {
                // The event is stored and the learner is in the due index: the sweeper nudges it again. Nothing is lost.
                log.Write(LogLevel.Warn, LogEvents.NudgeFailed, "the projection queue did not take the nudge; the sweeper will nudge this learner again", context with { Error = ex.Message });
            }
        }

        return new TrackPersisted(write.Learner.ContactId, !write.Learner.Exists || write.Learner.Version == 1, "store", write.Result.Warnings);
    }

    public async Task<LearnerRecord?> ReadAsync(LearnerIdentity who, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var context = new LogContext { RequestId = requestId, EmailHash = who.EmailHash, ContactId = who.ContactId };
        StoredLearner? stored;
        try
        {
            stored = await store.ReadAsync(who, ct) ?? await ImportOnFirstReadAsync(who, context, ct);
        }
        catch (StoreUnavailableException ex)
        {
            log.Write(LogLevel.Error, LogEvents.StoreUnavailable, "the progress store did not answer a read", context with { Error = ex.Message });
            throw new ProgressUnavailableException(UnavailableCodes.Store, "The progress store is unavailable; retry shortly", TimeSpan.FromSeconds(2), ex);
        }
        catch (StoreContendedException ex)
        {
            throw new ProgressUnavailableException(UnavailableCodes.Contended, "Too many concurrent updates for this learner; retry shortly", TimeSpan.FromSeconds(1), ex);
        }

        if (stored is null)
        {
            return null;
        }

        if (stored.Corruption is not null)
        {
            log.Write(LogLevel.Error, LogEvents.ProgressStateCorrupt, "the stored progress document is corrupt; read refused", context with { Error = stored.Corruption });
            throw new PermanentSyncException(SyncErrorCodes.ProgressStateCorrupt, "the stored progress of this learner is corrupt", stored.ContactId);
        }

        return new LearnerRecord(stored.ContactId, stored.Learner, stored.UpdatedAt is { Length: >= 10 } at ? at[..10] : null, null);
    }

    /// <summary>
    /// A learner the store has never seen may have progress in HubSpot from the earlier system: read the contact once
    /// and keep it. No contact: a stranger (nothing stored). HubSpot down: answer from what the store has (nothing).
    /// </summary>
    private async Task<StoredLearner?> ImportOnFirstReadAsync(LearnerIdentity who, LogContext context, CancellationToken ct)
    {
        if (contacts is null)
        {
            return null;
        }

        // A person who was forgotten, or kept out of HubSpot, reads as a new learner: HubSpot is not even asked. Nor is it
        // for a stranger it had nobody for a moment ago.
        if (await store.SuppressionForAsync(who, null, ct) is not null || await store.IsRecentStrangerAsync(who, ct))
        {
            return null;
        }

        var cost = (who.Email is null ? 0 : 1) + (who.ContactId is null ? 0 : 1);
        if (_options.SharedReadBudget is { } budget && !await store.TryTakeSharedBudgetAsync(ReadBudgetName, budget, cost, ct))
        {
            log.Write(LogLevel.Warn, LogEvents.LegacyImportFailed, "the API's shared HubSpot budget is spent for now; answered from the store (nothing yet), imported on a later read or by the projection",
                context with { Error = "READ_BUDGET_SPENT" });
            return null;
        }

        CrmContact? contact;
        try
        {
            contact = (await contacts.FindAsync([new ContactTarget("read", who.Email, who.ContactId)], ct)).GetValueOrDefault("read");
        }
        catch (CrmCallFailedException ex)
        {
            log.Write(LogLevel.Warn, LogEvents.LegacyImportFailed, "HubSpot could not be read for a learner the store does not know; answered from the store (nothing yet)",
                context with { CorrelationId = ex.CorrelationId, Error = ex.Describe() });
            return null;
        }

        if (contact is null)
        {
            await store.MarkStrangerAsync(who, _options.StrangerLifetime, ct);
            return null;
        }

        var read = ContactProgress.Read(contact.Properties);
        if (!read.IsOk)
        {
            log.Write(LogLevel.Error, LogEvents.ProgressStateCorrupt, "the contact's hhl_progress_state is corrupt; it was not imported", context with { ContactId = contact.Id, Error = read.Error });
            throw new PermanentSyncException(SyncErrorCodes.ProgressStateCorrupt, "the HubSpot progress of this learner is corrupt", contact.Id);
        }

        var (imported, outcome) = await store.ImportWithOutcomeAsync(who, read.Value, contact.Id, ct);
        if (outcome == ImportOutcome.Suppressed)
        {
            // The contact's id is suppressed (the person was forgotten under it): nothing is brought back.
            return null;
        }

        log.Write(LogLevel.Info, LogEvents.LegacyImported, "progress held in HubSpot imported on the learner's first read", context with { ContactId = contact.Id });
        return imported;
    }
}

/// <summary>How the store backend spends HubSpot on reads.</summary>
public sealed record StoreBackendOptions
{
    /// <summary>The API's HubSpot calls per rolling 10 s, shared by every instance through the table; null: no shared bound.</summary>
    public int? SharedReadBudget { get; init; }

    /// <summary>How long HubSpot's "nobody" for a stranger is believed before it is asked again (STRANGER_TTL_SECONDS).</summary>
    public TimeSpan StrangerLifetime { get; init; } = TimeSpan.FromHours(1);
}
