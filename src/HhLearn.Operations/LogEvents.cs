namespace HhLearn.Operations;

/// <summary>
/// The stable <c>event</c> names of the JSON log lines (docs/architecture.md section 7). The CDK metric filters match
/// these exact strings, so they are defined once, here.
/// </summary>
public static class LogEvents
{
    public const string ContactCreated = "contact_created";
    public const string ContactCreateFailed = "contact_create_failed";
    public const string EventPersisted = "event_persisted";
    public const string CrmSyncFailed = "crm_sync_failed";
    public const string CrmRateLimited = "crm_rate_limited";
    public const string ValidationFailed = "validation_failed";
    public const string EventRejected = "event_rejected";
    public const string ProgressStateCorrupt = "progress_state_corrupt";
    public const string ProgressStateTooLarge = "progress_state_too_large";
    public const string CompletedAtMismatch = "completed_at_mismatch";
    public const string EventTimeIgnored = "event_time_ignored";
    public const string LearnerSuppressed = "learner_suppressed";
    public const string BatchProcessed = "batch_processed";
    public const string ConfigurationInvalid = "configuration_invalid";
    public const string CatalogFileSkipped = "catalog_file_skipped";
    public const string InvocationFailed = "invocation_failed";
    public const string RuntimeApiRefused = "runtime_api_refused";

    // The progress store and the HubSpot projection.
    public const string EventStored = "event_stored";
    public const string StoreUnavailable = "store_unavailable";
    public const string NudgeFailed = "nudge_failed";
    public const string ProjectionWritten = "projection_written";
    public const string ProjectionFailed = "projection_failed";
    public const string ProjectionSwept = "projection_swept";
    public const string LegacyImported = "legacy_imported";
    public const string LegacyImportFailed = "legacy_import_failed";
    public const string LearnersCombined = "learners_combined";
    public const string ContactDeletedUpstream = "contact_deleted_upstream";

    /// <summary>HubSpot's webhooks: a delivery refused (signature), one queued, an event applied, a person erased after HubSpot's GDPR delete.</summary>
    public const string WebhookRejected = "webhook_rejected";
    public const string WebhookReceived = "webhook_received";
    public const string WebhookApplied = "webhook_applied";
    public const string LearnerErasedUpstream = "learner_erased_upstream";

    /// <summary>HubSpot refuses the portal or the token (a missing scope, a property required on create): calls paused, nobody blocked.</summary>
    public const string HubSpotMisconfigured = "hubspot_misconfigured";

    /// <summary>The HubSpot token could not be read from SSM (the cause, never the value).</summary>
    public const string TokenUnavailable = "token_unavailable";

    /// <summary>The events the CloudWatch metric filters count (one line each).</summary>
    public static readonly IReadOnlyList<string> Metered =
    [
        EventStored, EventRejected, ValidationFailed, StoreUnavailable, ProjectionWritten, ProjectionFailed, LegacyImported,
        ContactCreated, ContactCreateFailed, ContactDeletedUpstream, CrmRateLimited, CrmSyncFailed, EventPersisted, TokenUnavailable, HubSpotMisconfigured, WebhookRejected, LearnerErasedUpstream,
    ];
}
