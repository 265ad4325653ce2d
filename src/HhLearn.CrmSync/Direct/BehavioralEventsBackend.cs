namespace HhLearn.CrmSync;

/// <summary>
/// The direct mode's events variant (<see cref="ProgressBackend.Events"/>): each track is sent to HubSpot as a custom
/// behavioral event and no property is written; reads answer from the contact's properties like the properties variant.
/// </summary>
public sealed class BehavioralEventsBackend(HubSpotClient hubSpot, IProgressBackend reads, ISyncLog log, SyncOptions options) : IProgressBackend
{
    public LearningCatalog Catalog => reads.Catalog;

    public Task<LearnerRecord?> ReadAsync(LearnerIdentity who, string? requestId, CancellationToken ct) => reads.ReadAsync(who, requestId, ct);

    public async Task<TrackOutcome> TrackAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset receivedAt, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(who);
        var context = new LogContext { RequestId = requestId, EmailHash = who.EmailHash, ContactId = who.ContactId, EventName = e.Name, EventId = e.EventId };
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
        try
        {
            await hubSpot.SendBehavioralEventAsync(new HubSpotBehavioralEvent
            {
                EventName = options.EventNamePrefix + e.Name,
                Email = who.ContactId is null ? who.Email : null,
                ObjectId = who.ContactId,
                OccurredAt = e.TimeAt(receivedAt),
                Properties = properties,
            }, ct);
        }
        catch (HubSpotApiException ex)
        {
            log.Write(LogLevel.Error, LogEvents.CrmSyncFailed, "CRM sync failed; the event was not applied",
                context with
                {
                    CorrelationId = ex.CorrelationId, Error = $"{ex.StatusCode} {ex.Category ?? ex.GetType().Name}",
                    Fields = [KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))],
                });
            throw new ProgressUnavailableException(UnavailableCodes.Crm, "HubSpot is unavailable", TimeSpan.FromSeconds(5), ex);
        }

        log.Write(LogLevel.Info, LogEvents.EventPersisted, "event sent as a behavioral event", context);
        return new TrackPersisted(who.ContactId, false, "events", []);
    }
}
