namespace HhLearn.Store;

/// <summary>
/// The projection window, one item shared by every projector: the first nudged projector opens it and waits; the
/// others join it (adding their learners to its set) and are done at once, because the owner writes everyone the
/// due index holds when the window closes. A window closes at its time, when its set holds a full batch, or when its
/// owner is gone (its time passed: the next nudge opens a new one).
/// </summary>
/// <remarks>Also the shared tallies: the API's HubSpot read budget and the projection's calls per 10 s.</remarks>
internal sealed class WindowRecords(IAmazonDynamoDB dynamo, string tableName, LearningCatalog catalog, TimeProvider time, StoreOptions options)
    : TableAccess(dynamo, tableName, catalog, time, options)
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

        var now = Time.GetUtcNow();
        var window = now.ToUnixTimeSeconds() / 10;
        return await TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
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

    private const string WindowKey = "W#projection";
    private const string WindowOwner = "owner";
    private const string WindowFlushAt = "flushAt";
    private const string WindowLearners = "learners";

    /// <summary>
    /// Joins the open window when it closes at or after <paramref name="joinBy"/> and is not full; else opens one
    /// owned by <paramref name="owner"/> that closes at <paramref name="flushAt"/>.
    /// </summary>
    /// <param name="worthOpening">Asked once, before opening a window (never when joining one): false opens none, and null is answered.</param>
    public async Task<WindowTurn?> OpenOrJoinWindowAsync(string owner, IReadOnlyCollection<string> learners, DateTimeOffset flushAt, DateTimeOffset joinBy, int full, CancellationToken ct,
        Func<Task<bool>>? worthOpening = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(learners);
        var names = new Dictionary<string, string> { ["#flushAt"] = WindowFlushAt, ["#learners"] = WindowLearners, ["#expires"] = T.ExpiresAt };
        var expires = N((flushAt + TimeSpan.FromHours(1)).ToUnixTimeSeconds());
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // Join: the window stays open long enough for its owner to see these learners in the due index.
            var join = new UpdateItemRequest
            {
                TableName = TableName,
                Key = KeyOf(WindowKey),
                ConditionExpression = "#flushAt >= :joinBy AND (attribute_not_exists(#learners) OR size(#learners) < :full)",
                UpdateExpression = learners.Count > 0 ? "ADD #learners :learners" : "SET #expires = :expires",
                ExpressionAttributeNames = learners.Count > 0 ? new Dictionary<string, string> { ["#flushAt"] = WindowFlushAt, ["#learners"] = WindowLearners } : names,
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":joinBy"] = N(joinBy.ToUnixTimeMilliseconds()), [":full"] = N(full) },
                ReturnValues = ReturnValue.ALL_NEW,
            };
            if (learners.Count > 0)
            {
                join.ExpressionAttributeValues[":learners"] = new AttributeValue { SS = [.. learners] };
            }
            else
            {
                join.ExpressionAttributeValues[":expires"] = expires;
            }

            try
            {
                var joined = await Guard(() => Dynamo.UpdateItemAsync(join, ct));
                return new WindowTurn(false, FlushAtOf(joined.Attributes), SizeOf(joined.Attributes));
            }
            catch (ConditionalCheckFailedException)
            {
                // Closed, closing, full or never opened.
            }

            if (worthOpening is not null)
            {
                if (!await worthOpening())
                {
                    return null;
                }

                worthOpening = null;
            }

            var open = new UpdateItemRequest
            {
                TableName = TableName,
                Key = KeyOf(WindowKey),
                ConditionExpression = "attribute_not_exists(#flushAt) OR #flushAt < :joinBy",
                UpdateExpression = learners.Count > 0 ? "SET #owner = :owner, #flushAt = :flushAt, #learners = :learners, #expires = :expires" : "SET #owner = :owner, #flushAt = :flushAt, #expires = :expires REMOVE #learners",
                ExpressionAttributeNames = new Dictionary<string, string>(names) { ["#owner"] = WindowOwner },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":owner"] = S(owner), [":flushAt"] = N(flushAt.ToUnixTimeMilliseconds()), [":joinBy"] = N(joinBy.ToUnixTimeMilliseconds()), [":expires"] = expires,
                },
            };
            if (learners.Count > 0)
            {
                open.ExpressionAttributeValues[":learners"] = new AttributeValue { SS = [.. learners] };
            }

            if (await TryAsync(() => Dynamo.UpdateItemAsync(open, ct)))
            {
                return new WindowTurn(true, flushAt, learners.Count);
            }

            // Open and full: these learners ride in its write too (the owner reads the whole due index). Open and not
            // full (another opened it just now): join it, so that it counts them.
            if (await WindowAsync(ct) is { } current && current.FlushAt >= joinBy && current.Waiting >= full)
            {
                return new WindowTurn(false, current.FlushAt, current.Waiting);
            }
        }

        // Three races lost in a row: write now; the claims keep two projectors from writing one learner.
        return new WindowTurn(true, joinBy, learners.Count);
    }

    /// <summary>The window as it stands (null before the first), read consistently.</summary>
    public async Task<ProjectionWindowState?> WindowAsync(CancellationToken ct)
    {
        var response = await Guard(() => Dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = KeyOf(WindowKey), ConsistentRead = true }, ct));
        return response.Item is { Count: > 0 } item && item.ContainsKey(WindowFlushAt)
            ? new ProjectionWindowState(item.TryGetValue(WindowOwner, out var owner) ? owner.S : null, FlushAtOf(item), SizeOf(item))
            : null;
    }

    /// <summary>
    /// Moves the close of <paramref name="owner"/>'s window to <paramref name="flushAt"/> (later when HubSpot is busy;
    /// now when it flushes, so that later nudges open the next window). False when the window is no longer its own.
    /// </summary>
    public Task<bool> MoveWindowAsync(string owner, DateTimeOffset flushAt, CancellationToken ct) =>
        TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = KeyOf(WindowKey),
            ConditionExpression = "#owner = :owner",
            UpdateExpression = "SET #flushAt = :flushAt",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#owner"] = WindowOwner, ["#flushAt"] = WindowFlushAt },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":owner"] = S(owner), [":flushAt"] = N(flushAt.ToUnixTimeMilliseconds()) },
        }, ct));

    /// <summary>
    /// Adds <paramref name="calls"/> HubSpot calls to the shared <paramref name="name"/> tally of the current aligned
    /// 10-second window and answers the calls of the last rolling 10 s, estimated from this window and the one before.
    /// </summary>
    public async Task<double> CountCallsAsync(string name, long calls, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var now = Time.GetUtcNow();
        var window = now.ToUnixTimeSeconds() / 10;
        var current = 0L;
        if (calls > 0)
        {
            var response = await Guard(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = KeyOf(CallsKey(name, window)),
                UpdateExpression = "ADD #spent :calls SET #expires = :expires",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#spent"] = BudgetCount, ["#expires"] = T.ExpiresAt },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":calls"] = N(calls), [":expires"] = N((now + BudgetRecordLifetime).ToUnixTimeSeconds()) },
                ReturnValues = ReturnValue.UPDATED_NEW,
            }, ct));
            current = Number(response.Attributes, BudgetCount);
        }

        var keys = calls > 0 ? new[] { CallsKey(name, window - 1) } : [CallsKey(name, window - 1), CallsKey(name, window)];
        var read = await Guard(() => Dynamo.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new Dictionary<string, KeysAndAttributes> { [TableName] = new() { Keys = [.. keys.Select(KeyOf)], ConsistentRead = true } },
        }, ct));
        var items = read.Responses.TryGetValue(TableName, out var found) ? found : [];
        long Of(string key) => items.FirstOrDefault(i => i[T.Key].S == key) is { } item ? Number(item, BudgetCount) : 0;
        if (calls == 0)
        {
            current = Of(CallsKey(name, window));
        }

        // The part of the last rolling 10 s that lies in the previous window, counted at that window's average rate.
        var intoWindow = (now.ToUnixTimeMilliseconds() % 10_000) / 10_000.0;
        return current + (Of(CallsKey(name, window - 1)) * (1 - intoWindow));
    }

    private static string CallsKey(string name, long window) => $"{BudgetPrefix}calls#{name}#{window.ToString(CultureInfo.InvariantCulture)}";

    private static DateTimeOffset FlushAtOf(Dictionary<string, AttributeValue> item) => DateTimeOffset.FromUnixTimeMilliseconds(Number(item, WindowFlushAt));

    private static int SizeOf(Dictionary<string, AttributeValue> item) => item.TryGetValue(WindowLearners, out var set) && set.SS is { } values ? values.Count : 0;
}
