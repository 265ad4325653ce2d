namespace HhLearn.HubSpotEmulator;

/// <summary>
/// The changes HubSpot tells a subscribed app about (its webhooks): merges, deletions, GDPR deletes and email changes
/// made through the API or the admin endpoints, kept until the emulator's delivery loop takes them.
/// </summary>
public sealed partial class ContactStore
{
    private const int OutboxLimit = 10_000;
    private readonly List<JsonObject> _outbox = [];

    /// <summary>Contacts archived (deleted, not GDPR-deleted), which a restore brings back.</summary>
    private readonly Dictionary<long, StoredContact> _archived = [];
    private long _nextEventId = 1;

    /// <summary>The events made since the last call, oldest first.</summary>
    public IReadOnlyList<JsonObject> TakeWebhookEvents()
    {
        lock (_lock)
        {
            var taken = _outbox.ToList();
            _outbox.Clear();
            return taken;
        }
    }

    private void Emit(string subscriptionType, long objectId, Action<JsonObject>? detail = null)
    {
        var e = new JsonObject
        {
            ["eventId"] = _nextEventId++,
            ["subscriptionId"] = 1,
            ["portalId"] = 1,
            ["appId"] = 1,
            ["occurredAt"] = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["subscriptionType"] = subscriptionType,
            ["attemptNumber"] = 0,
            ["objectId"] = objectId,
            ["changeSource"] = "CRM",
        };
        detail?.Invoke(e);
        _outbox.Add(e);
        if (_outbox.Count > OutboxLimit)
        {
            _outbox.RemoveAt(0);
        }
    }
}
