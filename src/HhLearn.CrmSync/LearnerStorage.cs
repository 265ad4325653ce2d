namespace HhLearn.CrmSync;

/// <summary>
/// Where the routes keep learners, as the answers and the logs name it: the progress table (store mode) or HubSpot's
/// contacts themselves (direct mode). One implementation of track and read (<see cref="StoreBackend"/>) serves both;
/// this says what it answers when the storage is down and what it calls a stored event. <see cref="Backend"/> is the
/// answer's <c>backend</c>; <see cref="Description"/> names the storage in log messages.
/// </summary>
public sealed record LearnerStorage(string Backend, string Description, string UnavailableCode, string UnavailableMessage, TimeSpan RetryAfter, string UnavailableEvent, string StoredEvent)
{
    /// <summary>The progress table (DynamoDB): the system of record, projected to HubSpot afterwards.</summary>
    public static readonly LearnerStorage Store = new("store", "the progress store", UnavailableCodes.Store, "The progress store is unavailable; retry shortly", TimeSpan.FromSeconds(2), LogEvents.StoreUnavailable, LogEvents.EventStored);

    /// <summary>HubSpot's contact properties, read and written on every track (no table).</summary>
    public static readonly LearnerStorage HubSpot = new("properties", "HubSpot", UnavailableCodes.Crm, "HubSpot is unavailable", TimeSpan.FromSeconds(5), LogEvents.CrmSyncFailed, LogEvents.EventPersisted);
}
