namespace HhLearn.Store;

/// <summary>
/// What every part of the DynamoDB store shares: the table, guarded calls (every DynamoDB failure but a failed condition
/// becomes <see cref="StoreUnavailableException"/>), the item mapping, and finding a learner (by email key, by contact
/// id through the index, through aliases). <see cref="ProgressStore"/> is the parts together, behind the store's ports.
/// </summary>
internal abstract class TableAccess(IAmazonDynamoDB dynamo, string tableName, LearningCatalog catalog, TimeProvider time, StoreOptions options)
{
    protected const int MaxAliasHops = 3;
    protected const string StrangerPrefix = "N#";

    public string TableName { get; } = tableName;

    protected IAmazonDynamoDB Dynamo { get; } = dynamo;

    protected LearningCatalog Catalog { get; } = catalog;

    protected TimeProvider Time { get; } = time;

    protected StoreOptions Options { get; } = options;

    /// <summary>Runs a conditional write: true when it was made, false when its condition did not hold.</summary>
    protected static async Task<bool> TryAsync<TResponse>(Func<Task<TResponse>> write)
    {
        try
        {
            await Guard(write);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Every DynamoDB failure but a failed condition means "the store is unavailable": nothing was changed.</summary>
    protected static async Task<TResponse> Guard<TResponse>(Func<Task<TResponse>> call)
    {
        try
        {
            return await call();
        }
        catch (ConditionalCheckFailedException)
        {
            throw;
        }
        catch (AmazonDynamoDBException ex) when (ex.ErrorCode == "ValidationException")
        {
            throw new StoreRejectedException($"the progress store refused the request: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or TimeoutException or TaskCanceledException)
        {
            throw new StoreUnavailableException($"the progress store did not answer: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    // ---- mapping ----

    public static StoredLearner ToLearner(Dictionary<string, AttributeValue> item)
    {
        // The store's layout, else the legacy one (HubSpot's property names), which the next write of the item replaces.
        var read = item.TryGetValue(T.Learner, out var ours) && ours.M is { } m
            ? StoredProgress.Decode(m.ToDictionary(kv => kv.Key, kv => (string?)kv.Value.S, StringComparer.Ordinal))
            : StoredProgress.DecodeLegacy(item.TryGetValue(T.LegacyValues, out var legacy) && legacy.M is { } l
                ? l.ToDictionary(kv => kv.Key, kv => (string?)kv.Value.S, StringComparer.Ordinal)
                : new Dictionary<string, string?>(StringComparer.Ordinal));
        return new StoredLearner
        {
            Key = item[T.Key].S,
            Email = Text(item, T.Email),
            Names = LearnerNames.From(Text(item, T.GivenName), Text(item, T.FamilyName)),
            ContactId = Text(item, T.ContactId),
            Learner = read.Value ?? LearnerProgress.New,
            Corruption = read.IsOk ? null : read.Error,
            Version = Number(item, T.Version),
            ProjectedVersion = Number(item, T.Projected),
            UpdatedAt = Text(item, T.UpdatedAt),
            ImportPending = item.TryGetValue(T.ImportPending, out var flag) && flag.BOOL == true,
            AliasOf = Text(item, T.AliasOf),
            DueSince = Text(item, T.DueSince),
            Blocked = Text(item, T.Blocked),
            Suppressed = Text(item, T.Suppressed) is { } at ? $"{Text(item, T.SuppressedReason) ?? "suppressed"} at {at}" : null,
            Aliases = item.TryGetValue(T.Aliases, out var aliases) && aliases.SS is { Count: > 0 } set ? set.Order(StringComparer.Ordinal).ToList() : [],
        };
    }

    /// <summary>DynamoDB's item size limit: attribute names and values, UTF-8, 400 KB.</summary>
    public const int MaxItemBytes = 400 * 1024;

    /// <summary>
    /// A generous estimate of the item's size once these values are written: every value and name in UTF-8, plus the
    /// other attributes' room (keys, versions, stamps, email, aliases). Checked before writing, so that a document that
    /// would not fit is answered like one too large for HubSpot, never with DynamoDB's ValidationException.
    /// </summary>
    public static int EstimatedItemBytes(IReadOnlyDictionary<string, string> values, StoredLearner learner) =>
        values.Sum(kv => System.Text.Encoding.UTF8.GetByteCount(kv.Key) + System.Text.Encoding.UTF8.GetByteCount(kv.Value))
        + learner.Aliases.Sum(a => a.Length + 8) + 2048;

    protected string Now() => Stamp.Format(Time.GetUtcNow());

    protected static Dictionary<string, AttributeValue> KeyOf(string key) => new() { [T.Key] = S(key) };

    protected static AttributeValue S(string value) => new() { S = value };

    protected static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    protected static AttributeValue Map(IReadOnlyDictionary<string, string> values) => new() { M = values.ToDictionary(kv => kv.Key, kv => S(kv.Value)) };

    protected static string? Text(Dictionary<string, AttributeValue> item, string name) => item.TryGetValue(name, out var value) ? value.S : null;

    protected static long Number(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && long.TryParse(value.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>The item under <paramref name="key"/> (aliases followed), or null.</summary>
    public async Task<StoredLearner?> ReadKeyAsync(string key, CancellationToken ct) => (await FollowAsync(key, ct)).Item;

    /// <summary>The item's key for the learner and the item (aliases followed): email first, else contact id.</summary>
    protected async Task<(string Key, StoredLearner? Item)> LocateAsync(LearnerIdentity who, CancellationToken ct)
    {
        if (who.Email is null && who.ContactId is { } contactId)
        {
            // A learner known by email whose contact id the projection recorded is found through the index; one known
            // only by contact id has its own key (which a write creates before the index knows it).
            var own = T.KeyOf(who);
            var indexed = await KeysWithContactIdAsync(contactId, ct);
            var key = indexed.FirstOrDefault(k => k != own) ?? own;
            return await FollowAsync(key, ct);
        }

        return await FollowAsync(T.KeyOf(who), ct);
    }

    public async Task<IReadOnlyList<string>> KeysWithContactIdAsync(string contactId, CancellationToken ct)
    {
        var response = await Guard(() => Dynamo.QueryAsync(new QueryRequest
        {
            TableName = TableName,
            IndexName = T.ContactIndex,
            KeyConditionExpression = "#contact = :cid",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#contact"] = T.ContactId },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":cid"] = S(contactId) },
        }, ct));
        return (response.Items ?? []).Select(i => i[T.Key].S).Order(StringComparer.Ordinal).ToList();
    }

    protected async Task<(string Key, StoredLearner? Item)> FollowAsync(string key, CancellationToken ct)
    {
        for (var hop = 0; hop <= MaxAliasHops; hop++)
        {
            var response = await Guard(() => Dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = KeyOf(key), ConsistentRead = true }, ct));
            if (response.Item is not { Count: > 0 } item)
            {
                return (key, null);
            }

            var learner = ToLearner(item);
            if (learner.AliasOf is null)
            {
                return (key, learner);
            }

            key = learner.AliasOf;
        }

        throw new StoreUnavailableException($"learner {key}: more than {MaxAliasHops} aliases in a row");
    }



    protected static void AddWriteValues(UpdateItemRequest request, IReadOnlyDictionary<string, string> values, long next, string now)
    {
        request.ExpressionAttributeNames["#values"] = T.Learner;
        request.ExpressionAttributeNames["#legacy"] = T.LegacyValues;
        request.ExpressionAttributeNames["#version"] = T.Version;
        request.ExpressionAttributeNames["#updated"] = T.UpdatedAt;
        request.ExpressionAttributeNames["#due"] = T.Due;
        request.ExpressionAttributeNames["#since"] = T.DueSince;
        request.ExpressionAttributeValues[":values"] = Map(values);
        request.ExpressionAttributeValues[":next"] = N(next);
        request.ExpressionAttributeValues[":now"] = S(now);
        request.ExpressionAttributeValues[":shard"] = S(T.DueShardOf(request.Key[T.Key].S));
    }

    protected static string StrangerKeyOf(string learnerKey) => StrangerPrefix + learnerKey[2..];
}
