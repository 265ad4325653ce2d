namespace HhLearn.Store;

/// <summary>
/// Strangers: signed-in learners neither the store nor HubSpot knows. Each read of one would ask HubSpot again; a
/// short-lived marker (<c>N#</c> and the learner key's hash, no email, removed by DynamoDB's time to live) remembers
/// that HubSpot had nobody, so that a stranger costs at most one HubSpot call per marker lifetime. The learner's first
/// track creates their record, which reads find first: the marker is then never consulted again.
/// </summary>
public sealed partial class ProgressStore
{
    private const string StrangerPrefix = "N#";

    /// <summary>True when HubSpot was asked about <paramref name="who"/> recently and had nobody (the marker has not expired).</summary>
    public async Task<bool> IsRecentStrangerAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var response = await Guard(() => dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(StrangerKeyOf(T.KeyOf(who))), ConsistentRead = false }, ct));

        // DynamoDB removes expired items lazily, within days: the expiry is checked here.
        return response.Item is { Count: > 0 } item && Number(item, T.ExpiresAt) > time.GetUtcNow().ToUnixTimeSeconds();
    }

    /// <summary>Remembers for <paramref name="lifetime"/> that HubSpot has no contact for <paramref name="who"/>.</summary>
    public Task MarkStrangerAsync(LearnerIdentity who, TimeSpan lifetime, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        return Guard(() => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue>
            {
                [T.Key] = S(StrangerKeyOf(T.KeyOf(who))), [T.ExpiresAt] = N((time.GetUtcNow() + lifetime).ToUnixTimeSeconds()),
            },
        }, ct));
    }

    private static string StrangerKeyOf(string learnerKey) => StrangerPrefix + learnerKey[2..];
}
