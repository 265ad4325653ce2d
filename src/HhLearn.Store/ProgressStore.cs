using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using HhLearn.Progress.Catalog;
using HhLearn.Progress.Contact;
using HhLearn.Progress.Events;
using HhLearn.Progress.Rules;
using HhLearn.Progress.State;
using T = HhLearn.Store.ProgressTable;

namespace HhLearn.Store;

/// <summary>What a projector's write did to the learner's item.</summary>
public enum ProjectionMark
{
    /// <summary>HubSpot holds the latest version: the learner left the due index.</summary>
    Cleared,

    /// <summary>The learner changed meanwhile: HubSpot holds an older version than the store; a newer nudge follows.</summary>
    MovedOn,

    /// <summary>Another projector wrote a newer version first; ours may have landed after it, so project again.</summary>
    Overtaken,
}

public sealed record StoreOptions
{
    /// <summary>
    /// Conditional writes that lose the race are retried this often (with a growing, jittered pause) before the caller
    /// is told to come back: enough for sixteen clients writing one learner at once.
    /// </summary>
    public int MaxAttempts { get; init; } = 40;
}

/// <summary>
/// The progress store over DynamoDB: consistent reads, and writes that read, apply with the pure engine, and write
/// with a condition on the version read; a writer that lost the race reads again and re-applies, so concurrent
/// writers never lose an update. Any DynamoDB failure becomes <see cref="StoreUnavailableException"/> (nothing was
/// changed), a learner hammered past <see cref="StoreOptions.MaxAttempts"/> a <see cref="StoreContendedException"/>.
/// </summary>
public sealed class ProgressStore(IAmazonDynamoDB dynamo, string tableName, LearningCatalog catalog, TimeProvider time, StoreOptions? options = null)
{
    private const int MaxAliasHops = 3;
    private readonly StoreOptions _options = options ?? new StoreOptions();

    public string TableName => tableName;

    /// <summary>The DynamoDB client the function and the CLI use; <c>AWS_ENDPOINT_URL_DYNAMODB</c> points it at a local endpoint.</summary>
    public static AmazonDynamoDBClient CreateClient(string? endpoint = null)
    {
        // DynamoDB answers in milliseconds: a call that takes seconds is an outage, and the caller is better told so (503) than kept waiting.
        var config = new AmazonDynamoDBConfig { Timeout = TimeSpan.FromSeconds(2), MaxErrorRetry = 2 };
        if ((endpoint ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB")) is { Length: > 0 } url)
        {
            config.ServiceURL = url;
        }

        return new AmazonDynamoDBClient(config);
    }

    /// <summary>The learner's item (consistent read, aliases followed), or null when the store has none.</summary>
    public async Task<StoredLearner?> ReadAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var (_, item) = await LocateAsync(who, ct);
        return item;
    }

    /// <summary>The item under <paramref name="key"/> (aliases followed), or null.</summary>
    public async Task<StoredLearner?> ReadKeyAsync(string key, CancellationToken ct) => (await FollowAsync(key, ct)).Item;

    /// <summary>
    /// Applies <paramref name="apply"/> to the learner's stored progress and writes the result, conditionally on the
    /// version read; on a lost race it reads and applies again. A learner not yet stored is created (marked as
    /// possibly holding older progress in HubSpot, which the projection imports and merges).
    /// </summary>
    public async Task<StoreWrite> ApplyAsync(LearnerIdentity who, Func<LearnerProgress, ApplyResult> apply, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(apply);
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var (key, stored) = await LocateAsync(who, ct);
            var current = stored ?? new StoredLearner { Key = key, Email = who.Email, ContactId = who.Email is null ? who.ContactId : null };
            if (current.Corruption is not null)
            {
                return new StoreWrite(StoreOutcome.Corrupt, current, null, attempt);
            }

            var result = apply(current.Learner);
            if (!result.IsApplied)
            {
                return new StoreWrite(StoreOutcome.Rejected, current, result, attempt);
            }

            var values = ContactProgress.Snapshot(result.Learner);
            if (current.Exists && Same(values, ContactProgress.Snapshot(current.Learner)))
            {
                return new StoreWrite(StoreOutcome.Unchanged, current, result, attempt);
            }

            var length = values[ContactPropertyNames.ProgressState].Length;
            if (length > Limits.MaxPropertyValueLength)
            {
                return new StoreWrite(StoreOutcome.TooLarge, current, result, attempt, length);
            }

            if (await TryWriteAsync(current, values, ct) is { } written)
            {
                return new StoreWrite(StoreOutcome.Written, written with { Learner = result.Learner }, result, attempt, length);
            }

            // Lost the race: somebody wrote this learner since we read it. Read again, apply again, after a pause that
            // grows with the attempts so that many writers of one learner spread out instead of colliding again.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 1 + Math.Min(100, 4 << Math.Min(attempt, 5)))), time, ct);
        }

        throw new StoreContendedException($"{_options.MaxAttempts} conditional writes of one learner lost the race in a row");
    }

    /// <summary>
    /// Merges progress that HubSpot holds for the learner (written by the earlier system) into the store, and records
    /// the contact id: creates the item when the store has none (HubSpot then already holds exactly it), otherwise
    /// joins the two documents (<see cref="ProgressMerge"/>) and, when that changed anything, marks the projection
    /// behind so that HubSpot gets the union. Idempotent.
    /// </summary>
    public async Task<StoredLearner> ImportAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct) =>
        (await ImportWithOutcomeAsync(who, legacy, contactId, ct)).Learner;

    /// <summary><see cref="ImportAsync"/>, saying what it did: created the learner, merged into it, or found nothing new.</summary>
    public async Task<(StoredLearner Learner, ImportOutcome Outcome)> ImportWithOutcomeAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(legacy);
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var (key, stored) = await LocateAsync(who, ct);
            var now = Now();
            if (stored is null)
            {
                // Kept as the engine would derive it (completion from the catalog); when that differs from what HubSpot
                // holds, HubSpot is behind from the start and the projection writes the derived values.
                var normalized = ProgressMerge.Merge(LearnerProgress.New, legacy, catalog);
                var values = ContactProgress.Snapshot(normalized);
                var asHeld = Same(values, ContactProgress.Snapshot(legacy));
                var created = new StoredLearner
                {
                    Key = key, Email = who.Email, ContactId = contactId, Learner = normalized, Version = 1, ProjectedVersion = asHeld ? 1 : 0, UpdatedAt = now,
                    DueSince = asHeld ? null : now,
                };
                var item = new Dictionary<string, AttributeValue>
                {
                    [T.Key] = S(key), [T.Values] = Map(values), [T.Version] = N(1), [T.Projected] = N(created.ProjectedVersion), [T.UpdatedAt] = S(now), [T.ContactId] = S(contactId),
                };
                if (!asHeld)
                {
                    item[T.Due] = S(T.DueShard);
                    item[T.DueSince] = S(now);
                }

                if (who.Email is not null)
                {
                    item[T.Email] = S(who.Email);
                }

                if (await TryAsync(() => dynamo.PutItemAsync(new PutItemRequest
                    {
                        TableName = tableName, Item = item, ConditionExpression = "attribute_not_exists(#pk)",
                        ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = T.Key },
                    }, ct)))
                {
                    return (created, ImportOutcome.Created);
                }

                continue;
            }

            if (stored.Corruption is not null)
            {
                return (stored, ImportOutcome.Corrupt);
            }

            var merged = ProgressMerge.Merge(stored.Learner, legacy, catalog);
            var mergedValues = ContactProgress.Snapshot(merged);
            var changed = !Same(mergedValues, ContactProgress.Snapshot(stored.Learner));
            var update = new UpdateItemRequest
            {
                TableName = tableName,
                Key = KeyOf(stored.Key),
                ConditionExpression = "#version = :v",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#version"] = T.Version, ["#contact"] = T.ContactId, ["#import"] = T.ImportPending },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":v"] = N(stored.Version), [":cid"] = S(contactId) },
            };
            if (changed)
            {
                update.UpdateExpression = "SET #values = :values, #version = :next, #updated = :now, #due = :shard, #since = if_not_exists(#since, :now), #contact = :cid REMOVE #import";
                AddWriteValues(update, mergedValues, stored.Version + 1, now);
            }
            else
            {
                update.UpdateExpression = "SET #contact = :cid REMOVE #import";
            }

            if (await TryAsync(() => dynamo.UpdateItemAsync(update, ct)))
            {
                return (stored with
                {
                    Learner = changed ? merged : stored.Learner, Version = changed ? stored.Version + 1 : stored.Version, ContactId = contactId, ImportPending = false,
                    DueSince = changed ? stored.DueSince ?? now : stored.DueSince,
                }, changed ? ImportOutcome.Merged : ImportOutcome.Unchanged);
            }
        }

        throw new StoreContendedException($"{_options.MaxAttempts} conditional imports of one learner lost the race in a row");
    }

    /// <summary>Several items by key (consistent), at most 100 a call; missing keys are absent from the answer.</summary>
    public async Task<IReadOnlyDictionary<string, StoredLearner>> GetManyAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new Dictionary<string, StoredLearner>(StringComparer.Ordinal);
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(100))
        {
            var pending = new Dictionary<string, KeysAndAttributes>
            {
                [tableName] = new KeysAndAttributes { ConsistentRead = true, Keys = chunk.Select(KeyOf).ToList() },
            };
            for (var round = 0; pending.Count > 0 && pending.TryGetValue(tableName, out var request) && request.Keys is { Count: > 0 }; round++)
            {
                var response = await Guard(() => dynamo.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = pending }, ct));
                foreach (var item in response.Responses?.GetValueOrDefault(tableName) ?? [])
                {
                    var learner = ToLearner(item);
                    found[learner.Key] = learner;
                }

                pending = response.UnprocessedKeys ?? [];
                if (pending.Count > 0)
                {
                    // Throttled: DynamoDB hands back what it did not read; come back after a short wait.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 25 << Math.Min(round, 5))), time, ct);
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
        var now = time.GetUtcNow();
        var claims = keys.Distinct(StringComparer.Ordinal).Select(async key => (Key: key, Claimed: await TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
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
        await Task.WhenAll(keys.Distinct(StringComparer.Ordinal).Select(key => TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
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
        if (await TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName, Key = KeyOf(projected.Key),
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
        return await TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName, Key = KeyOf(projected.Key),
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
        await TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
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
    /// <paramref name="since"/>. False when the store has no such learner.
    /// </summary>
    public Task<bool> MarkBehindAsync(string key, DateTimeOffset since, CancellationToken ct) =>
        TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
            Key = KeyOf(key),
            UpdateExpression = "SET #due = :shard, #since = :since, #projected = :zero REMOVE #blocked",
            ConditionExpression = "attribute_exists(#pk) AND attribute_not_exists(#alias)",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#pk"] = T.Key, ["#due"] = T.Due, ["#since"] = T.DueSince, ["#projected"] = T.Projected, ["#blocked"] = T.Blocked, ["#alias"] = T.AliasOf,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":shard"] = S(T.DueShard), [":since"] = S(Stamp.Format(since)), [":zero"] = N(0) },
        }, ct));

    /// <summary>Every learner the store holds (aliases and other records left out), a page at a time, with a cursor to resume from.</summary>
    public async IAsyncEnumerable<IReadOnlyList<StoredLearner>> ScanAsync(int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await Guard(() => dynamo.ScanAsync(new ScanRequest
            {
                TableName = tableName,
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
        var keys = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await Guard(() => dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                IndexName = T.DueIndex,
                KeyConditionExpression = "#due = :shard AND #since < :before",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#due"] = T.Due, ["#since"] = T.DueSince },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":shard"] = S(T.DueShard), [":before"] = S(Stamp.Format(before)) },
                Limit = limit - keys.Count,
                ExclusiveStartKey = start,
            }, ct));
            keys.AddRange((response.Items ?? []).Select(i => i[T.Key].S));
            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null && keys.Count < limit);

        return keys;
    }

    // ---- locating a learner ----

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

    // ---- writing ----

    private async Task<StoredLearner?> TryWriteAsync(StoredLearner current, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var now = Now();
        var next = current.Version + 1;
        var request = new UpdateItemRequest
        {
            TableName = tableName,
            Key = KeyOf(current.Key),
            ExpressionAttributeNames = new Dictionary<string, string> { ["#version"] = T.Version },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>(),
        };
        AddWriteValues(request, values, next, now);
        if (current.Exists)
        {
            // A learner whose projection is blocked stays out of the due index: an operator lifts the block.
            request.UpdateExpression = current.Blocked is null
                ? "SET #values = :values, #version = :next, #updated = :now, #due = :shard, #since = if_not_exists(#since, :now)"
                : "SET #values = :values, #version = :next, #updated = :now";
            if (current.Blocked is not null)
            {
                request.ExpressionAttributeNames.Remove("#due");
                request.ExpressionAttributeNames.Remove("#since");
                request.ExpressionAttributeValues.Remove(":shard");
            }

            request.ConditionExpression = "#version = :v";
            request.ExpressionAttributeValues[":v"] = N(current.Version);
        }
        else
        {
            // New to the store: HubSpot may hold this learner's progress from the earlier system; the projection imports it.
            request.UpdateExpression = "SET #values = :values, #version = :next, #updated = :now, #due = :shard, #since = :now, #import = :true, #projected = :zero";
            request.ConditionExpression = "attribute_not_exists(#pk)";
            request.ExpressionAttributeNames["#pk"] = T.Key;
            request.ExpressionAttributeNames["#import"] = T.ImportPending;
            request.ExpressionAttributeNames["#projected"] = T.Projected;
            request.ExpressionAttributeValues[":true"] = new AttributeValue { BOOL = true };
            request.ExpressionAttributeValues[":zero"] = N(0);
            if (current.Email is not null)
            {
                request.UpdateExpression += ", #email = :email";
                request.ExpressionAttributeNames["#email"] = T.Email;
                request.ExpressionAttributeValues[":email"] = S(current.Email);
            }

            if (current.ContactId is not null)
            {
                request.UpdateExpression += ", #contact = :cid";
                request.ExpressionAttributeNames["#contact"] = T.ContactId;
                request.ExpressionAttributeValues[":cid"] = S(current.ContactId);
            }
        }

        if (!await TryAsync(() => dynamo.UpdateItemAsync(request, ct)))
        {
            return null;
        }

        return current with
        {
            Version = next, UpdatedAt = now, DueSince = current.Blocked is null ? current.DueSince ?? now : null, ImportPending = current.ImportPending || !current.Exists,
        };
    }

    private static void AddWriteValues(UpdateItemRequest request, IReadOnlyDictionary<string, string> values, long next, string now)
    {
        request.ExpressionAttributeNames["#values"] = T.Values;
        request.ExpressionAttributeNames["#version"] = T.Version;
        request.ExpressionAttributeNames["#updated"] = T.UpdatedAt;
        request.ExpressionAttributeNames["#due"] = T.Due;
        request.ExpressionAttributeNames["#since"] = T.DueSince;
        request.ExpressionAttributeValues[":values"] = Map(values);
        request.ExpressionAttributeValues[":next"] = N(next);
        request.ExpressionAttributeValues[":now"] = S(now);
        request.ExpressionAttributeValues[":shard"] = S(T.DueShard);
    }

    /// <summary>Runs a conditional write: true when it was made, false when its condition did not hold.</summary>
    private static async Task<bool> TryAsync<TResponse>(Func<Task<TResponse>> write)
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
    private static async Task<TResponse> Guard<TResponse>(Func<Task<TResponse>> call)
    {
        try
        {
            return await call();
        }
        catch (ConditionalCheckFailedException)
        {
            throw;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or TimeoutException or TaskCanceledException)
        {
            throw new StoreUnavailableException($"the progress store did not answer: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    // ---- mapping ----

    internal static StoredLearner ToLearner(Dictionary<string, AttributeValue> item)
    {
        var values = item.TryGetValue(T.Values, out var map) && map.M is { } m
            ? m.ToDictionary(kv => kv.Key, kv => (string?)kv.Value.S, StringComparer.Ordinal)
            : new Dictionary<string, string?>(StringComparer.Ordinal);
        var read = ContactProgress.Read(values);
        return new StoredLearner
        {
            Key = item[T.Key].S,
            Email = Text(item, T.Email),
            ContactId = Text(item, T.ContactId),
            Learner = read.Learner ?? LearnerProgress.New,
            Corruption = read.IsOk ? null : read.Corruption,
            Version = Number(item, T.Version),
            ProjectedVersion = Number(item, T.Projected),
            UpdatedAt = Text(item, T.UpdatedAt),
            ImportPending = item.TryGetValue(T.ImportPending, out var flag) && flag.BOOL == true,
            AliasOf = Text(item, T.AliasOf),
            DueSince = Text(item, T.DueSince),
            Blocked = Text(item, T.Blocked),
        };
    }

    private static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && string.Equals(kv.Value, other, StringComparison.Ordinal));

    private string Now() => Stamp.Format(time.GetUtcNow());

    private static Dictionary<string, AttributeValue> KeyOf(string key) => new() { [T.Key] = S(key) };

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Map(IReadOnlyDictionary<string, string> values) => new() { M = values.ToDictionary(kv => kv.Key, kv => S(kv.Value)) };

    private static string? Text(Dictionary<string, AttributeValue> item, string name) => item.TryGetValue(name, out var value) ? value.S : null;

    private static long Number(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && long.TryParse(value.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
