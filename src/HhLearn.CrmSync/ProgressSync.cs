using HhLearn.Operations;
using HhLearn.HubSpot;
using HhLearn.Progress.Catalog;
using HhLearn.Progress.Contact;
using HhLearn.Progress.Events;
using HhLearn.Progress.Rules;

namespace HhLearn.CrmSync;

/// <summary>
/// Keeps one learner's HubSpot contact in step with an event: resolve the contact (by id, else by email with
/// <c>idProperty=email</c>, never search), create it when unknown (a 409 continues on the existing id), read,
/// apply with HhLearn.Progress, and write every property in one call. A known learner costs 2 HubSpot calls, a
/// new one 2 as well (the create carries the applied properties). Never writes corrupt or oversize values.
/// </summary>
public sealed class ProgressSync(HubSpotClient hubSpot, LearningCatalog catalog, ISyncLog log, TimeProvider time, SyncOptions? options = null)
{
    private readonly SyncOptions _options = options ?? new SyncOptions();

    public LearningCatalog Catalog => catalog;

    public async Task<TrackOutcome> TrackAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset serverNow, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(who);
        var context = new LogContext { RequestId = requestId, EmailHash = who.EmailHash, ContactId = who.ContactId, EventName = e.Name, EventId = e.EventId };
        if (_options.Backend == ProgressBackend.Events)
        {
            return await SendBehavioralEventAsync(e, who, serverNow, context, ct);
        }

        var contact = await ResolveAsync(who, ct);
        if (contact is null)
        {
            var fresh = ProgressEngine.Apply(LearnerProgress.New, e, catalog, serverNow);
            var (created, isNew) = await CreateAsync(fresh, e, who, context, ct);
            if (isNew)
            {
                return Outcome(fresh, context with { ContactId = created.Id }, created: true);
            }

            contact = created;
        }

        context = context with { ContactId = contact.Id };
        var result = ProgressEngine.Apply(ReadLearner(contact, e, context), e, catalog, serverNow);
        if (result.IsApplied)
        {
            var update = Guard(ContactProgress.Build(result.Learner, catalog, time.GetUtcNow()), e, context);
            await hubSpot.UpdateContactAsync(contact.Id, update.Properties, ct);
        }

        return Outcome(result, context, created: false);
    }

    /// <summary>The learner's stored progress, or null when no contact matches. Never creates a contact.</summary>
    public async Task<LearnerRecord?> ReadAsync(LearnerIdentity who, string? requestId, CancellationToken ct)
    {
        HubSpotContact? contact;
        try
        {
            contact = await ResolveAsync(who, ct);
        }
        catch (PermanentSyncException ex) when (ex.Code == SyncErrorCodes.ContactNotFound)
        {
            return null;
        }

        if (contact is null)
        {
            return null;
        }

        var read = ContactProgress.Read(contact.Properties);
        if (!read.IsOk)
        {
            log.Write(LogLevel.Error, LogEvents.ProgressStateCorrupt, "stored hhl_progress_state is corrupt; read refused",
                new LogContext { RequestId = requestId, ContactId = contact.Id, EmailHash = who.EmailHash, Error = read.Corruption });
            throw new PermanentSyncException(SyncErrorCodes.ProgressStateCorrupt, $"stored progress of contact {contact.Id} is corrupt: {read.Corruption}", contact.Id);
        }

        return new LearnerRecord(contact.Id, read.Learner, contact.Property(ContactPropertyNames.ProgressUpdatedAt), contact.Property(ContactPropertyNames.ProgressSummary));
    }

    private async Task<HubSpotContact?> ResolveAsync(LearnerIdentity who, CancellationToken ct)
    {
        if (who.ContactId is { } id)
        {
            try
            {
                return await hubSpot.GetContactAsync(id, ContactPropertyNames.ReadSet, ct);
            }
            catch (HubSpotNotFoundException)
            {
                throw new PermanentSyncException(SyncErrorCodes.ContactNotFound, $"no HubSpot contact has id {id}", id);
            }
        }

        return await hubSpot.FindContactByEmailAsync(who.Email!, ContactPropertyNames.ReadSet, ct);
    }

    /// <summary>
    /// Creates the learner's contact with the event already applied. On a 409 (another writer created it first)
    /// the existing contact is read and the caller goes on with it: a 409 never drops an event.
    /// </summary>
    private async Task<(HubSpotContact Contact, bool Created)> CreateAsync(ApplyResult result, TrackEvent e, LearnerIdentity who, LogContext context, CancellationToken ct)
    {
        // A rejected first event still creates the learner's contact, with the initial values.
        var learner = result.IsApplied ? result.Learner : LearnerProgress.New;
        var properties = new Dictionary<string, string>(Guard(ContactProgress.Build(learner, catalog, time.GetUtcNow()), e, context).Properties, StringComparer.Ordinal)
        {
            [ContactPropertyNames.Email] = who.Email!,
            [ContactPropertyNames.LifecycleStage] = "lead",
        };
        try
        {
            var contact = await hubSpot.CreateContactAsync(properties, ct);
            log.Write(LogLevel.Info, LogEvents.ContactCreated, "contact created for a new learner", context with { ContactId = contact.Id });
            return (contact, true);
        }
        catch (HubSpotConflictException conflict) when (conflict.ExistingId is { } existingId)
        {
            // Someone created this learner between our read and our create: continue on their contact.
            return (await hubSpot.GetContactAsync(existingId, ContactPropertyNames.ReadSet, ct), false);
        }
        catch (HubSpotApiException ex)
        {
            log.Write(LogLevel.Error, LogEvents.ContactCreateFailed, "contact could not be created",
                context with { CorrelationId = ex.CorrelationId, Error = $"{ex.StatusCode} {ex.Category}: {ex.GetType().Name}" });
            throw;
        }
    }

    private LearnerProgress ReadLearner(HubSpotContact contact, TrackEvent e, LogContext context)
    {
        var read = ContactProgress.Read(contact.Properties);
        if (read.IsOk)
        {
            return read.Learner;
        }

        log.Write(LogLevel.Error, LogEvents.ProgressStateCorrupt, "stored hhl_progress_state is corrupt; event not applied and state left untouched",
            context with { Error = read.Corruption, Fields = [KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))] });
        throw new PermanentSyncException(SyncErrorCodes.ProgressStateCorrupt, $"stored progress of contact {contact.Id} is corrupt: {read.Corruption}", contact.Id);
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
            log.Write(LogLevel.Warn, LogEvents.CompletedAtMismatch, warning.Message, context);
        }

        log.Write(LogLevel.Info, LogEvents.EventPersisted, created ? "event persisted on a new contact" : "event persisted", context);
        return new TrackPersisted(context.ContactId, created, ProgressBackend.Properties, result.Warnings);
    }

    private ContactUpdate Guard(ContactUpdate update, TrackEvent e, LogContext context)
    {
        if (!update.StateTooLarge)
        {
            return update;
        }

        log.Write(LogLevel.Error, LogEvents.ProgressStateTooLarge, $"hhl_progress_state would be {update.StateLength} characters, over HubSpot's {Limits.MaxPropertyValueLength}; nothing written",
            context with { Fields = [KeyValuePair.Create<string, object?>("stateLength", update.StateLength), KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))] });
        throw new PermanentSyncException(SyncErrorCodes.ProgressStateTooLarge, $"progress state would be {update.StateLength} characters", context.ContactId);
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
        return new TrackPersisted(who.ContactId, false, ProgressBackend.Events, []);
    }
}
