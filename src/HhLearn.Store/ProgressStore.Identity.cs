namespace HhLearn.Store;

/// <summary>Finding a learner: by email key, by contact id (the index), through aliases.</summary>
public sealed partial class ProgressStore
{
    /// <summary>The item's key for the learner and the item (aliases followed): email first, else contact id.</summary>
    private async Task<(string Key, StoredLearner? Item)> LocateAsync(LearnerIdentity who, CancellationToken ct)
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
        var response = await Guard(() => dynamo.QueryAsync(new QueryRequest
        {
            TableName = tableName,
            IndexName = T.ContactIndex,
            KeyConditionExpression = "#contact = :cid",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#contact"] = T.ContactId },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":cid"] = S(contactId) },
        }, ct));
        return (response.Items ?? []).Select(i => i[T.Key].S).Order(StringComparer.Ordinal).ToList();
    }

    private async Task<(string Key, StoredLearner? Item)> FollowAsync(string key, CancellationToken ct)
    {
        for (var hop = 0; hop <= MaxAliasHops; hop++)
        {
            var response = await Guard(() => dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(key), ConsistentRead = true }, ct));
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

    // ---- one record per person ----

    /// <summary>
    /// Combines the records of one person (HubSpot showed that <paramref name="otherKeys"/> are the same contact as
    /// <paramref name="primaryKey"/>: a merge, a secondary email, an email and a contact id): their progress is joined
    /// into the primary with the state-level merge (nothing either held is lost), the primary records the contact id and
    /// is marked behind (HubSpot then receives the union), and each other record becomes an alias of it, so that later
    /// events and reads under either key reach the same progress. Each step is conditional on the versions read and the
    /// whole is repeated until it holds, so a concurrent event is never lost: it lands on the primary, or is merged in.
    /// Null when a record is corrupt (nothing combined).
    /// </summary>
    public async Task<StoredLearner?> CombineAsync(string primaryKey, IReadOnlyCollection<string> otherKeys, string contactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(otherKeys);
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var (key, primary) = await FollowAsync(primaryKey, ct);
            if (primary is null || primary.Corruption is not null)
            {
                return null;
            }

            var others = new List<StoredLearner>();
            foreach (var otherKey in otherKeys.Where(k => k != key).Distinct(StringComparer.Ordinal))
            {
                var response = await Guard(() => dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(otherKey), ConsistentRead = true }, ct));
                if (response.Item is { Count: > 0 } item && ToLearner(item) is { } other && other.AliasOf != key)
                {
                    if (other.Corruption is not null)
                    {
                        return null;
                    }

                    others.Add(other);
                }
            }

            if (others.Count == 0)
            {
                return primary;
            }

            var merged = others.Aggregate(primary.Learner, (sum, other) => ProgressMerge.Merge(sum, other.AliasOf is null ? other.Learner : LearnerProgress.New, catalog));
            var values = ContactProgress.Snapshot(merged);
            var now = Now();
            var aliases = primary.Aliases.Concat(others.Select(o => o.Key)).Concat(others.SelectMany(o => o.Aliases)).Distinct(StringComparer.Ordinal).ToList();
            var update = new UpdateItemRequest
            {
                TableName = tableName,
                Key = KeyOf(key),
                UpdateExpression = "SET #values = :values, #version = :next, #updated = :now, #contact = :cid, #aliases = :aliases" +
                    (primary.Projectable ? ", #due = :shard, #since = if_not_exists(#since, :now)" : string.Empty) +
                    (primary.Email is null && others.FirstOrDefault(o => o.Email is not null)?.Email is not null ? ", #email = :email" : string.Empty),
                ConditionExpression = "#version = :v",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#contact"] = T.ContactId, ["#aliases"] = T.Aliases },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":v"] = N(primary.Version), [":cid"] = S(contactId), [":aliases"] = new AttributeValue { SS = aliases },
                },
            };
            AddWriteValues(update, values, primary.Version + 1, now);
            if (!primary.Projectable)
            {
                update.ExpressionAttributeNames.Remove("#due");
                update.ExpressionAttributeNames.Remove("#since");
                update.ExpressionAttributeValues.Remove(":shard");
            }

            if (update.UpdateExpression.Contains("#email", StringComparison.Ordinal))
            {
                update.ExpressionAttributeNames["#email"] = T.Email;
                update.ExpressionAttributeValues[":email"] = S(others.First(o => o.Email is not null).Email!);
            }

            if (!await TryAsync(() => dynamo.UpdateItemAsync(update, ct)))
            {
                continue;
            }

            // Each other record (and the records it had combined) now points at the primary. One that changed meanwhile
            // fails its condition: the next round merges its new progress in (merging again is harmless) and retries.
            var pointed = true;
            foreach (var other in others)
            {
                pointed &= await PointAtAsync(other, key, ct);
                foreach (var alias in other.Aliases)
                {
                    await TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
                    {
                        TableName = tableName, Key = KeyOf(alias), UpdateExpression = "SET #alias = :primary",
                        ConditionExpression = "attribute_exists(#alias)",
                        ExpressionAttributeNames = new Dictionary<string, string> { ["#alias"] = T.AliasOf },
                        ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":primary"] = S(key) },
                    }, ct));
                }
            }

            if (pointed)
            {
                return primary with
                {
                    Learner = merged, Version = primary.Version + 1, UpdatedAt = now, ContactId = contactId, Aliases = aliases,
                    Email = primary.Email ?? others.FirstOrDefault(o => o.Email is not null)?.Email,
                    DueSince = primary.Projectable ? primary.DueSince ?? now : primary.DueSince,
                };
            }
        }

        throw new StoreContendedException($"{_options.MaxAttempts} attempts to combine learner {primaryKey} lost the race in a row");
    }

    /// <summary>Turns <paramref name="other"/> into an alias of <paramref name="primaryKey"/>, if it is still as read.</summary>
    private Task<bool> PointAtAsync(StoredLearner other, string primaryKey, CancellationToken ct) =>
        TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
            Key = KeyOf(other.Key),
            UpdateExpression = "SET #alias = :primary, #version = :next REMOVE #values, #due, #since, #contact, #import, #aliases, #lease, #until",
            ConditionExpression = "#version = :v",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#alias"] = T.AliasOf, ["#version"] = T.Version, ["#values"] = T.Values, ["#due"] = T.Due, ["#since"] = T.DueSince, ["#contact"] = T.ContactId,
                ["#import"] = T.ImportPending, ["#aliases"] = T.Aliases, ["#lease"] = T.Lease, ["#until"] = T.LeaseUntil,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":primary"] = S(primaryKey), [":next"] = N(other.Version + 1), [":v"] = N(other.Version) },
        }, ct));
}
