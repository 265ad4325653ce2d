namespace HhLearn.CrmSync;

/// <summary>
/// The routes' track and read, the one implementation for every storage (<see cref="StoreBackendOptions.Storage"/>). A
/// track is applied to the learner's stored progress and written before the answer (so the answer is final and a read
/// right after shows it). In store mode the storage is the progress table: the write never calls HubSpot, a nudge then
/// tells the projection, and a learner the table has never seen is imported on its first read from HubSpot
/// (<see cref="FirstReadImport"/>; with <see cref="StoreBackendOptions.SharedReadBudget"/> the imports of every instance
/// draw on one budget per 10 s). In direct mode the storage is HubSpot's contacts (<see cref="HubSpotLearnerRepository"/>):
/// no table, no nudge, no import.
/// </summary>
public sealed class StoreBackend(ILearnerRepository store, LearningCatalog catalog, INudgeSender? nudges, IContactGateway? contacts, ISyncLog log, StoreBackendOptions? options = null) : IProgressBackend
{
    private readonly StoreBackendOptions _options = options ?? new StoreBackendOptions();

    /// <summary>Reads of learners the store has never seen import them from HubSpot when there is a CRM to ask.</summary>
    private readonly FirstReadImport? _imports = contacts is null
        ? null
        : new FirstReadImport(store as ILegacyImports ?? throw new ArgumentException("importing on first read needs a store that keeps imports (ILegacyImports)", nameof(store)), contacts, log, options ?? new StoreBackendOptions());

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
            log.Write(LogLevel.Error, Storage.UnavailableEvent, $"{Storage.Description} did not take the event; the client was asked to retry",
                context with { Error = ex.Message, Fields = [KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))] });
            throw Unavailable(ex);
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

        log.Write(LogLevel.Info, Storage.StoredEvent, write.Outcome == StoreOutcome.Written ? "event stored" : "event stored (it changed nothing)",
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

        return new TrackPersisted(write.Learner.ContactId, !write.Learner.Exists || write.Learner.Version == 1, Storage.Backend, write.Result.Warnings);
    }

    public async Task<LearnerRecord?> ReadAsync(LearnerIdentity who, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var context = new LogContext { RequestId = requestId, EmailHash = who.EmailHash, ContactId = who.ContactId };
        StoredLearner? stored;
        try
        {
            stored = await store.ReadAsync(who, ct) ?? (_imports is null ? null : await _imports.ImportAsync(who, context, ct));
        }
        catch (StoreUnavailableException ex)
        {
            log.Write(LogLevel.Error, Storage.UnavailableEvent, $"{Storage.Description} did not answer a read", context with { Error = ex.Message });
            throw Unavailable(ex);
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

    private LearnerStorage Storage => _options.Storage;

    private ProgressUnavailableException Unavailable(StoreUnavailableException cause) =>
        new(Storage.UnavailableCode, Storage.UnavailableMessage, Storage.RetryAfter, cause);
}

/// <summary>Where the routes keep learners, and how the first-read imports spend HubSpot.</summary>
public sealed record StoreBackendOptions
{
    /// <summary>The progress table (the default) or HubSpot's contacts (direct mode).</summary>
    public LearnerStorage Storage { get; init; } = LearnerStorage.Store;

    /// <summary>The API's HubSpot calls per rolling 10 s, shared by every instance through the table; null: no shared bound.</summary>
    public int? SharedReadBudget { get; init; }

    /// <summary>How long HubSpot's "nobody" for a stranger is believed before it is asked again (STRANGER_TTL_SECONDS).</summary>
    public TimeSpan StrangerLifetime { get; init; } = TimeSpan.FromHours(1);
}
