namespace HhLearn.Store;

/// <summary>What the projection needs: batch reads, leases, marks, blocks, the due index, and combining the records of one person.</summary>
internal sealed class ProjectionRecords(IAmazonDynamoDB dynamo, string tableName, LearningCatalog catalog, TimeProvider time, StoreOptions options)
    : TableAccess(dynamo, tableName, catalog, time, options)
{
    /// <summary>Several items by key (consistent), at most 100 a call; missing keys are absent from the answer.</summary>
    public async Task<IReadOnlyDictionary<string, StoredLearner>> GetManyAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new Dictionary<string, StoredLearner>(StringComparer.Ordinal);
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(100))
        {
            var pending = new Dictionary<string, KeysAndAttributes>
            {
                [TableName] = new KeysAndAttributes { ConsistentRead = true, Keys = chunk.Select(KeyOf).ToList() },
            };
            for (var round = 0; pending.Count > 0 && pending.TryGetValue(TableName, out var request) && request.Keys is { Count: > 0 }; round++)
            {
                var response = await Guard(() => Dynamo.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = pending }, ct));
                foreach (var item in response.Responses?.GetValueOrDefault(TableName) ?? [])
                {
                    var learner = ToLearner(item);
                    found[learner.Key] = learner;
                }

                pending = response.UnprocessedKeys ?? [];
                if (pending.Count > 0)
                {
                    // Throttled: DynamoDB hands back what it did not read; come back after a short wait.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 25 << Math.Min(round, 5))), Time, ct);
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Claims learners for one projector for <paramref name="lease"/>: a learner is claimed when no other projector
    /// holds it (or its lease ran out). HubSpot has no conditional writes, so two projectors writing one learner at once
    /// could leave HubSpot with the older of their two versions; a projector claims before it reads, and writes only
    /// what it claimed. Returns the keys it now holds.
    /// </summary>
    public async Task<IReadOnlySet<string>> ClaimAsync(IEnumerable<string> keys, string owner, TimeSpan lease, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var now = Time.GetUtcNow();
        var claims = keys.Distinct(StringComparer.Ordinal).Select(async key => (Key: key, Claimed: await TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = KeyOf(key),
            UpdateExpression = "SET #lease = :owner, #until = :until",
            ConditionExpression = "attribute_exists(#pk) AND (attribute_not_exists(#until) OR #until < :now OR #lease = :owner)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = T.Key, ["#lease"] = T.Lease, ["#until"] = T.LeaseUntil },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":owner"] = S(owner), [":until"] = S(Stamp.Format(now + lease)), [":now"] = S(Stamp.Format(now)),
            },
        }, ct))));
        return (await Task.WhenAll(claims)).Where(c => c.Claimed).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Gives claimed learners back without projecting them (the batch failed or skipped them).</summary>
    public async Task ReleaseAsync(IEnumerable<string> keys, string owner, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await Task.WhenAll(keys.Distinct(StringComparer.Ordinal).Select(key => TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = KeyOf(key),
            UpdateExpression = "REMOVE #lease, #until",
            ConditionExpression = "#lease = :owner",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#lease"] = T.Lease, ["#until"] = T.LeaseUntil },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":owner"] = S(owner) },
        }, ct))));
    }

    /// <summary>
    /// Records that HubSpot now holds <paramref name="projected"/>'s version, never moving backwards, and gives the
    /// learner's lease back: the learner leaves the due index when that is still the latest version.
    /// </summary>
    public async Task<ProjectionMark> MarkProjectedAsync(StoredLearner projected, string contactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(projected);
        var names = new Dictionary<string, string>
        {
            ["#version"] = T.Version, ["#projected"] = T.Projected, ["#contact"] = T.ContactId,
            ["#due"] = T.Due, ["#since"] = T.DueSince, ["#blocked"] = T.Blocked, ["#import"] = T.ImportPending,
            ["#lease"] = T.Lease, ["#until"] = T.LeaseUntil,
        };
        var values = new Dictionary<string, AttributeValue> { [":v"] = N(projected.Version), [":cid"] = S(contactId) };
        if (await TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName, Key = KeyOf(projected.Key),
                // HubSpot has the contact now (found and imported, or created): nothing is left to import.
                UpdateExpression = "SET #projected = :v, #contact = :cid REMOVE #due, #since, #blocked, #import, #lease, #until",
                ConditionExpression = "#version = :v AND (attribute_not_exists(#projected) OR #projected < :v)",
                ExpressionAttributeNames = names, ExpressionAttributeValues = values,
            }, ct)))
        {
            return ProjectionMark.Cleared;
        }

        values[":now"] = S(Now());
        names.Remove("#due");
        names.Remove("#blocked");
        names.Remove("#version");
        names["#pk"] = T.Key;
        return await TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName, Key = KeyOf(projected.Key),
                UpdateExpression = "SET #projected = :v, #contact = :cid, #since = :now REMOVE #import, #lease, #until",
                ConditionExpression = "attribute_exists(#pk) AND (attribute_not_exists(#projected) OR #projected < :v)",
                ExpressionAttributeNames = names, ExpressionAttributeValues = values,
            }, ct))
            ? ProjectionMark.MovedOn
            : ProjectionMark.Overtaken;
    }

    /// <summary>
    /// Stops projecting a learner HubSpot refuses for good (a value it rejects, corrupt progress): the learner leaves the
    /// due index, so no sweep nudges it again, until an operator clears the block (<c>hhlearn reproject</c>).
    /// </summary>
    public async Task BlockAsync(string key, string reason, CancellationToken ct)
    {
        await TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = KeyOf(key),
            UpdateExpression = "SET #blocked = :reason REMOVE #due, #since",
            ConditionExpression = "attribute_exists(#pk)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = T.Key, ["#blocked"] = T.Blocked, ["#due"] = T.Due, ["#since"] = T.DueSince },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":reason"] = S(reason) },
        }, ct));
    }

    /// <summary>
    /// Marks a learner behind so that the projection writes it again (after a property change, a HubSpot-side cleanup,
    /// or to lift a block): clears the block and the projected version, and puts it in the due index as of
    /// <paramref name="since"/>. False when the store has no such learner, or it is suppressed (see <see cref="PrivacyRecords.SuppressAsync"/>).
    /// </summary>
    public Task<bool> MarkBehindAsync(string key, DateTimeOffset since, CancellationToken ct) =>
        TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = KeyOf(key),
            UpdateExpression = "SET #due = :shard, #since = :since, #projected = :zero REMOVE #blocked",
            ConditionExpression = "attribute_exists(#pk) AND attribute_not_exists(#alias) AND attribute_not_exists(#suppressed)",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#pk"] = T.Key, ["#due"] = T.Due, ["#since"] = T.DueSince, ["#projected"] = T.Projected, ["#blocked"] = T.Blocked, ["#alias"] = T.AliasOf,
                ["#suppressed"] = T.Suppressed,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":shard"] = S(T.DueShardOf(key)), [":since"] = S(Stamp.Format(since)), [":zero"] = N(0) },
        }, ct));

    /// <summary>Every learner the store holds (aliases and other records left out), a page at a time, with a cursor to resume from.</summary>
    public async IAsyncEnumerable<IReadOnlyList<StoredLearner>> ScanAsync(int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await Guard(() => Dynamo.ScanAsync(new ScanRequest
            {
                TableName = TableName,
                Limit = pageSize,
                ConsistentRead = true,
                ExclusiveStartKey = start,
            }, ct));
            var learners = (response.Items ?? []).Select(ToLearner).Where(l => T.IsLearnerKey(l.Key) && l.AliasOf is null && l.Exists).ToList();
            if (learners.Count > 0)
            {
                yield return learners;
            }

            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
    }

    /// <summary>Learners whose projection fell behind before <paramref name="before"/>, oldest first (the due index).</summary>
    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset before, int limit, CancellationToken ct)
    {
        // Every shard (and the legacy value) at once; each answers its oldest first, so the oldest overall are among them.
        var shards = await Task.WhenAll(T.AllDueShards.Select(shard => DueInShardAsync(shard, before, limit, ct)));
        return shards.SelectMany(s => s).OrderBy(d => d.Since, StringComparer.Ordinal).ThenBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => d.Key).Distinct(StringComparer.Ordinal).Take(limit).ToList();
    }

    private async Task<List<(string Key, string Since)>> DueInShardAsync(string shard, DateTimeOffset before, int limit, CancellationToken ct)
    {
        var found = new List<(string Key, string Since)>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await Guard(() => Dynamo.QueryAsync(new QueryRequest
            {
                TableName = TableName,
                IndexName = T.DueIndex,
                KeyConditionExpression = "#due = :shard AND #since < :before",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#due"] = T.Due, ["#since"] = T.DueSince },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":shard"] = S(shard), [":before"] = S(Stamp.Format(before)) },
                Limit = limit - found.Count,
                ExclusiveStartKey = start,
            }, ct));
            found.AddRange((response.Items ?? []).Select(i => (i[T.Key].S, i.TryGetValue(T.DueSince, out var since) ? since.S : string.Empty)));
            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null && found.Count < limit);

        return found;
    }

    

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
        for (var attempt = 1; attempt <= Options.MaxAttempts; attempt++)
        {
            var (key, primary) = await FollowAsync(primaryKey, ct);
            if (primary is null || primary.Corruption is not null)
            {
                return null;
            }

            var others = new List<StoredLearner>();
            foreach (var otherKey in otherKeys.Where(k => k != key).Distinct(StringComparer.Ordinal))
            {
                var response = await Guard(() => Dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = KeyOf(otherKey), ConsistentRead = true }, ct));
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

            var merged = others.Aggregate(primary.Learner, (sum, other) => ProgressMerge.Merge(sum, other.AliasOf is null ? other.Learner : LearnerProgress.New, Catalog));
            var values = StoredProgress.Encode(merged);
            var now = Now();
            var aliases = primary.Aliases.Concat(others.Select(o => o.Key)).Concat(others.SelectMany(o => o.Aliases)).Distinct(StringComparer.Ordinal).ToList();
            var update = new UpdateItemRequest
            {
                TableName = TableName,
                Key = KeyOf(key),
                UpdateExpression = "SET #values = :values, #version = :next, #updated = :now, #contact = :cid, #aliases = :aliases" +
                    (primary.Projectable ? ", #due = :shard, #since = if_not_exists(#since, :now)" : string.Empty) +
                    (primary.Email is null && others.FirstOrDefault(o => o.Email is not null)?.Email is not null ? ", #email = :email" : string.Empty) +
                    " REMOVE #legacy",
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

            if (!await TryAsync(() => Dynamo.UpdateItemAsync(update, ct)))
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
                    await TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
                    {
                        TableName = TableName, Key = KeyOf(alias), UpdateExpression = "SET #alias = :primary",
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

        throw new StoreContendedException($"{Options.MaxAttempts} attempts to combine learner {primaryKey} lost the race in a row");
    }

    /// <summary>Turns <paramref name="other"/> into an alias of <paramref name="primaryKey"/>, if it is still as read.</summary>
    private Task<bool> PointAtAsync(StoredLearner other, string primaryKey, CancellationToken ct) =>
        TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = KeyOf(other.Key),
            UpdateExpression = "SET #alias = :primary, #version = :next REMOVE #values, #legacy, #due, #since, #contact, #import, #aliases, #lease, #until",
            ConditionExpression = "#version = :v",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#alias"] = T.AliasOf, ["#version"] = T.Version, ["#values"] = T.Learner, ["#legacy"] = T.LegacyValues, ["#due"] = T.Due, ["#since"] = T.DueSince, ["#contact"] = T.ContactId,
                ["#import"] = T.ImportPending, ["#aliases"] = T.Aliases, ["#lease"] = T.Lease, ["#until"] = T.LeaseUntil,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":primary"] = S(primaryKey), [":next"] = N(other.Version + 1), [":v"] = N(other.Version) },
        }, ct));
}
