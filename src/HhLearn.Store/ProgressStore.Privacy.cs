namespace HhLearn.Store;

/// <summary>
/// Personal data: suppression (the learner is never sent to HubSpot again until lifted), erasure and export. A
/// suppression record (<c>S#</c> and a keyed hash of a learner key, no email) outlives the learner's item, so that a
/// learner who was forgotten, or whose contact marketing deleted, is not re-created in HubSpot when they come back.
/// The one rule (<see cref="SuppressionForAsync"/>): a person is suppressed when any of their identifiers is (the
/// email, the contact id, a record combined into theirs); it is checked wherever a record can be created (a first
/// write, an import on a read, <c>hhlearn import</c>) and by the projector when it learns a learner's contact id.
/// </summary>
public sealed partial class ProgressStore
{
    private Task? _hashKeyChecked;

    /// <summary>The suppression recorded for <paramref name="learnerKey"/>, as <c>reason at instant</c>, or null.</summary>
    public Task<string?> SuppressionOfAsync(string learnerKey, CancellationToken ct) => SuppressionOfKeysAsync([learnerKey], ct);

    /// <summary>
    /// The one suppression rule: the suppression recorded for any identifier of the person (their email, the contact id
    /// they are named by, <paramref name="contactId"/> when HubSpot's contact is known), or null.
    /// </summary>
    public Task<string?> SuppressionForAsync(LearnerIdentity who, string? contactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var keys = new List<string> { T.KeyOf(who) };
        foreach (var id in new[] { who.ContactId, contactId })
        {
            if (id is not null)
            {
                keys.Add(T.KeyOfContactId(id));
            }
        }

        return SuppressionOfKeysAsync(keys, ct);
    }

    /// <summary>The suppression recorded for any of <paramref name="contactIds"/> (one read), or null.</summary>
    public Task<string?> SuppressionOfContactsAsync(IEnumerable<string> contactIds, CancellationToken ct) =>
        SuppressionOfKeysAsync(contactIds.Select(T.KeyOfContactId).Distinct(StringComparer.Ordinal).ToList(), ct);

    /// <summary>
    /// Stops projecting the learner for good: records the suppression for its key, every alias and its contact id,
    /// flags the item and takes it out of the due index. Its events are still stored; only an operator lifts this.
    /// </summary>
    public async Task SuppressAsync(string key, string reason, CancellationToken ct)
    {
        var (primaryKey, learner) = await FollowAsync(key, ct);
        var now = Now();
        foreach (var suppressed in IdentifierKeys([key, primaryKey], learner, null))
        {
            await PutSuppressionAsync(suppressed, reason, now, ct);
        }

        if (learner is not null)
        {
            await TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = KeyOf(primaryKey),
                UpdateExpression = "SET #suppressed = :now, #reason = :reason REMOVE #due, #since",
                ConditionExpression = "attribute_exists(#pk)",
                ExpressionAttributeNames = new Dictionary<string, string>
                {
                    ["#pk"] = T.Key, ["#suppressed"] = T.Suppressed, ["#reason"] = T.SuppressedReason, ["#due"] = T.Due, ["#since"] = T.DueSince,
                },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":now"] = S(now), [":reason"] = S(reason) },
            }, ct));
        }
    }

    /// <summary>
    /// Lifts the suppression of a learner who wants to be back in HubSpot: removes the records for its keys and contact
    /// id (keyed and legacy), clears the flag and marks it behind (the projection then finds or creates the contact).
    /// False when nothing was suppressed.
    /// </summary>
    public async Task<bool> LiftSuppressionAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var (key, learner) = await LocateAsync(who, ct);
        var lifted = false;
        foreach (var k in IdentifierKeys([T.KeyOf(who), key], learner, who.ContactId))
        {
            foreach (var record in SuppressionRecordsOf(k))
            {
                var response = await Guard(() => dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = KeyOf(record), ReturnValues = "ALL_OLD" }, ct));
                lifted |= response.Attributes is { Count: > 0 };
            }
        }

        if (learner?.Suppressed is not null)
        {
            lifted = true;
            await Guard(() => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = KeyOf(key),
                UpdateExpression = "REMOVE #suppressed, #reason",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#suppressed"] = T.Suppressed, ["#reason"] = T.SuppressedReason },
            }, ct));
            await MarkBehindAsync(key, time.GetUtcNow(), ct);
        }

        return lifted;
    }

    /// <summary>
    /// Erases the learner: its item, the items of every key combined into it, and leaves a suppression record for each
    /// key and for its contact id (a keyed hash, no email), so that the person is not sent to HubSpot again if they come
    /// back, by email or by contact id. Answers what was erased, with the contact id and emails the caller needs to ask
    /// HubSpot for its own deletion.
    /// </summary>
    public async Task<ForgetOutcome> ForgetAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var (key, learner) = await LocateAsync(who, ct);
        var keys = IdentifierKeys([T.KeyOf(who), key], learner, who.ContactId);
        var emails = new List<string>();
        var erased = new List<string>();
        var now = Now();

        // The suppression records first: a track racing the erasure then finds the person suppressed.
        foreach (var k in keys)
        {
            await PutSuppressionAsync(k, SuppressionReasons.Forgotten, now, ct);
        }

        foreach (var k in keys)
        {
            await Guard(() => dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = KeyOf(StrangerKeyOf(k)) }, ct));
            var response = await Guard(() => dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = KeyOf(k), ReturnValues = "ALL_OLD" }, ct));
            if (response.Attributes is { Count: > 0 } old)
            {
                erased.Add(k);
                if (Text(old, T.Email) is { } email)
                {
                    emails.Add(email);
                }
            }
        }

        if (who.Email is not null && !emails.Contains(who.Email, StringComparer.Ordinal))
        {
            emails.Insert(0, who.Email);
        }

        return new ForgetOutcome(erased, learner?.ContactId ?? who.ContactId, emails);
    }

    /// <summary>Everything the store holds about the learner (its item, the items combined into it, suppression records), as stored.</summary>
    public async Task<IReadOnlyList<Dictionary<string, AttributeValue>>> ExportAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var (key, learner) = await LocateAsync(who, ct);
        var keys = IdentifierKeys([key, T.KeyOf(who)], learner, who.ContactId);
        var items = new List<Dictionary<string, AttributeValue>>();
        foreach (var k in keys.Concat(keys.SelectMany(SuppressionRecordsOf)))
        {
            var response = await Guard(() => dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(k), ConsistentRead = true }, ct));
            if (response.Item is { Count: > 0 } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    /// <summary>
    /// Checks that this store's hash key is the one the table's suppression records are written with (recording it on
    /// first use): a tool run with another key would write records the function never finds.
    /// </summary>
    public Task CheckHashKeyAsync(CancellationToken ct) => _options.HashKey is null ? Task.CompletedTask : _hashKeyChecked ??= CheckHashKeyOnceAsync(_options.HashKey, ct);

    private async Task CheckHashKeyOnceAsync(HashKey key, CancellationToken ct)
    {
        var recorded = await TryAsync(() => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue> { [T.Key] = S(T.HashKeyRecord), [T.Fingerprint] = S(key.Fingerprint) },
            ConditionExpression = "attribute_not_exists(#pk) OR #fp = :fp",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = T.Key, ["#fp"] = T.Fingerprint },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":fp"] = S(key.Fingerprint) },
        }, ct));
        if (!recorded)
        {
            _hashKeyChecked = null;
            throw new HashKeyMismatchException($"the hash key given is not the one table {tableName} was written with; use the deployment's (the stack's HashKeySecretName output)");
        }
    }

    /// <summary>Every learner key of the person: those given, the records combined into theirs, and their contact id's.</summary>
    private static List<string> IdentifierKeys(IEnumerable<string> keys, StoredLearner? learner, string? contactId)
    {
        var all = keys.Concat(learner?.Aliases ?? []).ToList();
        foreach (var id in new[] { learner?.ContactId, contactId })
        {
            if (id is not null)
            {
                all.Add(T.KeyOfContactId(id));
            }
        }

        return all.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The suppression records a learner key may have: keyed (with this store's key), then the legacy form.</summary>
    private IEnumerable<string> SuppressionRecordsOf(string learnerKey)
    {
        if (_options.HashKey is { } key)
        {
            yield return T.SuppressionKeyOf(learnerKey, key);
        }

        yield return T.LegacySuppressionKeyOf(learnerKey);
    }

    private async Task<string?> SuppressionOfKeysAsync(IReadOnlyCollection<string> learnerKeys, CancellationToken ct)
    {
        var records = learnerKeys.SelectMany(SuppressionRecordsOf).Distinct(StringComparer.Ordinal).ToList();
        var response = await Guard(() => dynamo.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new Dictionary<string, KeysAndAttributes> { [tableName] = new() { ConsistentRead = true, Keys = records.Select(KeyOf).ToList() } },
        }, ct));
        if (response.UnprocessedKeys is { Count: > 0 })
        {
            // Throttled: a suppression must never be missed, so the caller retries rather than guess.
            throw new StoreUnavailableException("the progress store did not read every suppression record (throttled)");
        }

        var item = (response.Responses?.GetValueOrDefault(tableName) ?? []).OrderBy(i => i[T.Key].S, StringComparer.Ordinal).FirstOrDefault();
        return item is null ? null : $"{Text(item, T.SuppressedReason) ?? "suppressed"} at {Text(item, T.Suppressed)}";
    }

    private async Task PutSuppressionAsync(string learnerKey, string reason, string at, CancellationToken ct)
    {
        await CheckHashKeyAsync(ct);
        var record = SuppressionRecordsOf(learnerKey).First();
        await Guard(() => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue> { [T.Key] = S(record), [T.Suppressed] = S(at), [T.SuppressedReason] = S(reason) },
        }, ct));
    }
}
