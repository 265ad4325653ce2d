namespace HhLearn.CrmSync;

public enum ProgressBackend
{
    /// <summary>Progress lives in contact properties (the default).</summary>
    Properties,

    /// <summary>Each event is sent as a HubSpot custom behavioral event instead.</summary>
    Events,
}

public sealed record SyncOptions
{
    public ProgressBackend Backend { get; init; } = ProgressBackend.Properties;

    /// <summary>Prefix of behavioral event names, e.g. <c>pe12345_</c> (HubSpot's fully qualified event names).</summary>
    public string EventNamePrefix { get; init; } = string.Empty;
}

/// <summary>The answer of a synced event.</summary>
public abstract record TrackOutcome;

/// <summary>
/// The event is kept for good: in the progress store (<c>store</c>), or written to the contact (<c>properties</c>) or
/// sent as a behavioral event (<c>events</c>) in HubSpot-only direct mode.
/// </summary>
public sealed record TrackPersisted(string? ContactId, bool Created, string Backend, IReadOnlyList<ApplyWarning> Warnings) : TrackOutcome;

/// <summary>Refused by the progress rules (e.g. an explicit completion of an incomplete course); nothing was written.</summary>
public sealed record TrackRejected(ValidationError Error, string? ContactId) : TrackOutcome;

/// <summary>A learner's stored progress, for the read routes.</summary>
public sealed record LearnerRecord(string? ContactId, LearnerProgress Learner, string? UpdatedAt, string? Summary);

/// <summary>What the HTTP routes ask of wherever progress is kept: the progress store, or HubSpot itself (direct mode).</summary>
public interface IProgressBackend
{
    LearningCatalog Catalog { get; }

    /// <summary>Applies and keeps the event. Throws <see cref="ProgressUnavailableException"/> or <see cref="PermanentSyncException"/>.</summary>
    Task<TrackOutcome> TrackAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset receivedAt, string? requestId, CancellationToken ct);

    /// <summary>The learner's progress, or null when nobody by that identifier is known.</summary>
    Task<LearnerRecord?> ReadAsync(LearnerIdentity who, string? requestId, CancellationToken ct);
}

public static class UnavailableCodes
{
    public const string Crm = "CRM_UNAVAILABLE";
    public const string Store = "STORE_UNAVAILABLE";
    public const string Contended = "STORE_CONTENDED";
}

public static class SyncErrorCodes
{
    public const string ProgressStateCorrupt = "PROGRESS_STATE_CORRUPT";
    public const string ProgressStateTooLarge = "PROGRESS_STATE_TOO_LARGE";
    public const string ContactNotFound = "CONTACT_NOT_FOUND";
}
