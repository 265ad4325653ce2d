namespace HhLearn.CrmSync;

/// <summary>
/// The original's HubSpot-only direct mode (no progress table): each track reads the contact, applies the event and
/// writes every property before answering, through the same HubSpot write code as the projection (a batch of one):
/// a known learner costs a batch read and a batch update, a new one a batch read and a batch create (with the event
/// applied); a 409 on create continues on the existing contact. Corrupt or oversize state is never written.
/// Concurrent events for one learner can overwrite each other here (HubSpot has no conditional writes): the store
/// mode is the one that never loses an update.
/// </summary>
public sealed class HubSpotBackend(HubSpotClient hubSpot, LearningCatalog catalog, ISyncLog log, TimeProvider time, SyncOptions? options = null) : IProgressBackend
{
    private const string Ref = "learner";
    private readonly ContactWriter _contacts = new(hubSpot);
    private readonly SyncOptions _options = options ?? new SyncOptions();

    public LearningCatalog Catalog => catalog;

    public async Task<TrackOutcome> TrackAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset receivedAt, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(who);
        var context = new LogContext { RequestId = requestId, EmailHash = who.EmailHash, ContactId = who.ContactId, EventName = e.Name, EventId = e.EventId };
        try
        {
            return _options.Backend == ProgressBackend.Events
                ? await SendBehavioralEventAsync(e, who, receivedAt, context, ct)
                : await WriteAsync(e, who, receivedAt, context, ct);
        }
        catch (CrmCallFailedException ex)
        {
            // The properties go through the contact gateway, the behavioral event through HubSpot's client.
            throw Unavailable(e, context, ex.CorrelationId, ex.Describe(), ex);
        }
        catch (HubSpotApiException ex)
        {
            throw Unavailable(e, context, ex.CorrelationId, $"{ex.StatusCode} {ex.Category ?? ex.GetType().Name}", ex);
        }
    }

    /// <summary>Logs the event for replay and answers that HubSpot is unavailable (the client retries).</summary>
    private ProgressUnavailableException Unavailable(TrackEvent e, LogContext context, string? correlationId, string error, Exception cause)
    {
        log.Write(LogLevel.Error, LogEvents.CrmSyncFailed, "CRM sync failed; the event was not applied",
            context with
            {
                CorrelationId = correlationId, Error = error,
                Fields = [KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))],
            });
        return new ProgressUnavailableException(UnavailableCodes.Crm, "HubSpot is unavailable", TimeSpan.FromSeconds(5), cause);
    }

    public async Task<LearnerRecord?> ReadAsync(LearnerIdentity who, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        CrmContact? contact;
        try
        {
            contact = (await _contacts.FindAsync([new ContactTarget(Ref, who.Email, who.ContactId)], ct)).GetValueOrDefault(Ref);
        }
        catch (CrmCallFailedException ex)
        {
            throw new ProgressUnavailableException(UnavailableCodes.Crm, "HubSpot is unavailable", TimeSpan.FromSeconds(5), ex);
        }

        if (contact is null)
        {
            return null;
        }

        var read = ContactProgress.Read(contact.Properties);
        if (!read.IsOk)
        {
            log.Write(LogLevel.Error, LogEvents.ProgressStateCorrupt, "stored hhl_progress_state is corrupt; read refused",
                new LogContext { RequestId = requestId, ContactId = contact.Id, EmailHash = who.EmailHash, Error = read.Error });
            throw new PermanentSyncException(SyncErrorCodes.ProgressStateCorrupt, $"stored progress of contact {contact.Id} is corrupt: {read.Error}", contact.Id);
        }

        return new LearnerRecord(contact.Id, read.Value, contact.Property(ContactPropertyNames.ProgressUpdatedAt), contact.Property(ContactPropertyNames.ProgressSummary));
    }

    private async Task<TrackOutcome> WriteAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset receivedAt, LogContext context, CancellationToken ct)
    {
        var target = new ContactTarget(Ref, who.Email, who.ContactId);
        var contact = (await _contacts.FindAsync([target], ct)).GetValueOrDefault(Ref);
        if (contact is null)
        {
            if (who.Email is null)
            {
                throw new PermanentSyncException(SyncErrorCodes.ContactNotFound, $"no HubSpot contact has id {who.ContactId}", who.ContactId);
            }

            // A new learner: the contact is created with the event already applied (a rejected first event still
            // creates the contact, with the initial values).
            var fresh = ProgressEngine.Apply(LearnerProgress.New, e, catalog, receivedAt);
            var created = (await _contacts.CreateAsync([(target, Properties(fresh.IsApplied ? fresh.Learner : LearnerProgress.New, e, context))], ct)).Single();
            switch (created.Status)
            {
                case ContactWriteStatus.Written:
                    context = context with { ContactId = created.ContactId };
                    log.Write(LogLevel.Info, LogEvents.ContactCreated, "contact created for a new learner", context);
                    return Outcome(fresh, context, created: true);
                case ContactWriteStatus.Exists:
                    // Someone created this learner between our read and our create: continue on their contact.
                    contact = (await _contacts.FindAsync([target with { ContactId = created.ContactId }], ct)).GetValueOrDefault(Ref)
                              ?? throw new HubSpotApiException(404, "OBJECT_NOT_FOUND", created.CorrelationId, "the contact HubSpot named in its 409 cannot be read");
                    break;
                default:
                    log.Write(LogLevel.Error, LogEvents.ContactCreateFailed, "contact could not be created", context with { Error = created.Error, CorrelationId = created.CorrelationId });
                    throw new HubSpotApiException(created.Status == ContactWriteStatus.Retry ? 503 : 400, created.Error, created.CorrelationId, "the contact could not be created");
            }
        }

        context = context with { ContactId = contact.Id };
        var read = ContactProgress.Read(contact.Properties);
        if (!read.IsOk)
        {
            log.Write(LogLevel.Error, LogEvents.ProgressStateCorrupt, "stored hhl_progress_state is corrupt; event not applied and state left untouched",
                context with { Error = read.Error, Fields = [KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))] });
            throw new PermanentSyncException(SyncErrorCodes.ProgressStateCorrupt, $"stored progress of contact {contact.Id} is corrupt: {read.Error}", contact.Id);
        }

        var result = ProgressEngine.Apply(read.Value, e, catalog, receivedAt);
        if (result.IsApplied)
        {
            var written = (await _contacts.UpdateAsync([(Ref, contact.Id, Properties(result.Learner, e, context))], ct)).Single();
            if (written.Status != ContactWriteStatus.Written)
            {
                throw new HubSpotApiException(written.Status == ContactWriteStatus.Refused ? 400 : 503, written.Error ?? written.Status.ToString(), written.CorrelationId, "the contact could not be updated");
            }
        }

        return Outcome(result, context, created: false);
    }

    /// <summary>Every property for the learner; oversize state is never written (logged with the event to replay).</summary>
    private IReadOnlyDictionary<string, string> Properties(LearnerProgress learner, TrackEvent e, LogContext context)
    {
        var update = ContactProgress.Build(learner, catalog, time.GetUtcNow());
        if (!update.StateTooLarge)
        {
            return update.Properties;
        }

        log.Write(LogLevel.Error, LogEvents.ProgressStateTooLarge, $"hhl_progress_state would be {update.StateLength} characters, over HubSpot's {Limits.MaxPropertyValueLength}; nothing written",
            context with { Fields = [KeyValuePair.Create<string, object?>("stateLength", update.StateLength), KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))] });
        throw new PermanentSyncException(SyncErrorCodes.ProgressStateTooLarge, $"progress state would be {update.StateLength} characters", context.ContactId);
    }

    /// <summary>Logs what happened to the event and says it in a <see cref="TrackOutcome"/>.</summary>
    private TrackOutcome Outcome(ApplyResult result, LogContext context, bool created)
    {
        if (!result.IsApplied)
        {
            log.Write(LogLevel.Warn, LogEvents.EventRejected, result.Rejection.Message, context with { Error = result.Rejection.Code });
            return new TrackRejected(result.Rejection, context.ContactId);
        }

        foreach (var warning in result.Warnings)
        {
            log.Write(LogLevel.Warn, warning.Code, warning.Message, context);
        }

        log.Write(LogLevel.Info, LogEvents.EventPersisted, created ? "event persisted on a new contact" : "event persisted", context);
        return new TrackPersisted(context.ContactId, created, "properties", result.Warnings);
    }

    private async Task<TrackOutcome> SendBehavioralEventAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset serverNow, LogContext context, CancellationToken ct)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                properties[key] = value;
            }
        }

        Add("pathway_slug", e.PathwaySlug);
        Add("course_slug", e.CourseSlug);
        Add("module_slug", e.ModuleSlug);
        Add("enrollment_source", e.EnrollmentSource);
        Add("content_type", e.ContentType);
        Add("slug", e.PageSlug);
        Add("event_id", e.EventId);
        await hubSpot.SendBehavioralEventAsync(new HubSpotBehavioralEvent
        {
            EventName = _options.EventNamePrefix + e.Name,
            Email = who.ContactId is null ? who.Email : null,
            ObjectId = who.ContactId,
            OccurredAt = e.TimeAt(serverNow),
            Properties = properties,
        }, ct);
        log.Write(LogLevel.Info, LogEvents.EventPersisted, "event sent as a behavioral event", context);
        return new TrackPersisted(who.ContactId, false, "events", []);
    }
}
