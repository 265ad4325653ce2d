namespace HhLearn.Store;

/// <summary>
/// A HubSpot budget shared by every instance through the table: the API function runs without reserved concurrency,
/// so its HubSpot calls (the one-time imports of learners the store has not seen) cannot be bounded by a limiter per
/// instance. Each call first takes its cost from a counter item of the current aligned 10-second window, allowed half
/// the budget: any rolling 10 seconds of HubSpot's limit overlaps at most two such windows, so together the instances
/// never spend more than the budget, however many run.
/// </summary>
public sealed partial class ProgressStore
{
    private const string BudgetPrefix = "B#";
    private const string BudgetCount = "spent";

    /// <summary>How long a window's counter is kept (DynamoDB's TTL removes it; it is harmless meanwhile).</summary>
    private static readonly TimeSpan BudgetRecordLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Takes <paramref name="cost"/> calls from the shared <paramref name="name"/> budget of <paramref name="perTenSeconds"/>
    /// calls per rolling 10 s. False when the window's share is spent (the caller does without HubSpot for now).
    /// </summary>
    public async Task<bool> TryTakeSharedBudgetAsync(string name, int perTenSeconds, int cost, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var perWindow = perTenSeconds / 2;
        if (cost < 1 || cost > perWindow)
        {
            return cost < 1;
        }

        var now = time.GetUtcNow();
        var window = now.ToUnixTimeSeconds() / 10;
        return await TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
            Key = KeyOf($"{BudgetPrefix}{name}#{window.ToString(CultureInfo.InvariantCulture)}"),
            UpdateExpression = "SET #spent = if_not_exists(#spent, :zero) + :cost, #expires = :expires",
            ConditionExpression = "attribute_not_exists(#spent) OR #spent <= :most",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#spent"] = BudgetCount, ["#expires"] = T.ExpiresAt },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":zero"] = N(0), [":cost"] = N(cost), [":most"] = N(perWindow - cost), [":expires"] = N((now + BudgetRecordLifetime).ToUnixTimeSeconds()),
            },
        }, ct));
    }
}
