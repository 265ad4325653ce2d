namespace HhLearn.CrmSync;

/// <summary>
/// The original's HubSpot-only direct mode (no progress table), composed: the routes of store mode
/// (<see cref="StoreBackend"/>) over HubSpot's contacts as the storage (<see cref="HubSpotLearnerRepository"/>), through
/// the same HubSpot write code as the projection (<see cref="ContactWriter"/>, a batch of one); or, for
/// <see cref="ProgressBackend.Events"/>, behavioral events with reads from the properties.
/// </summary>
public static class HubSpotBackend
{
    /// <summary>Direct mode on <paramref name="hubSpot"/>; its contacts through <paramref name="contacts"/> (default: a writer on the same client).</summary>
    public static IProgressBackend Create(HubSpotClient hubSpot, LearningCatalog catalog, ISyncLog log, TimeProvider time, SyncOptions? options = null, IContactGateway? contacts = null)
    {
        ArgumentNullException.ThrowIfNull(hubSpot);
        options ??= new SyncOptions();
        var learners = new HubSpotLearnerRepository(contacts ?? new ContactWriter(hubSpot), catalog, log, time);
        var properties = new StoreBackend(learners, catalog, nudges: null, contacts: null, log, new StoreBackendOptions { Storage = LearnerStorage.HubSpot });
        return options.Backend == ProgressBackend.Events ? new BehavioralEventsBackend(hubSpot, properties, log, options) : properties;
    }
}
