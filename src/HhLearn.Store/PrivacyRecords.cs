namespace HhLearn.Store;

/// <summary>
/// Personal data: suppression (the learner is never sent to HubSpot again until lifted), erasure and export. A
/// suppression record (<c>S#</c> and a keyed hash of a learner key, no email) outlives the learner's item, so that a
/// learner who was forgotten, or whose contact marketing deleted, is not re-created in HubSpot when they come back.
/// The one rule (<see cref="SuppressionForAsync"/>): a person is suppressed when any of their identifiers is (the
/// email, the contact id, a record combined into theirs); it is checked wherever a record can be created (a first
/// write, an import on a read, <c>hhlearn import</c>) and by the projector when it learns a learner's contact id.
/// </summary>
/// <remarks>
/// HubSpot's own changes to a contact, applied to the records of that contact (HubSpot's webhooks): a GDPR delete erases
/// the person, a deletion suppresses them (a restore lifts that), a merge combines their records, an email change makes
/// the record answer to the new email too. Each is idempotent: deliveries repeat.
/// </remarks>
internal sealed class PrivacyRecords(IAmazonDynamoDB dynamo, string tableName, LearningCatalog catalog, TimeProvider time, StoreOptions options, ProjectionRecords projection)
    : TableAccess(dynamo, tableName, catalog, time, options)
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
            await TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
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
                var response = await Guard(() => Dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = KeyOf(record), ReturnValues = "ALL_OLD" }, ct));
                lifted |= response.Attributes is { Count: > 0 };
            }
        }

        if (learner?.Suppressed is not null)
        {
            lifted = true;
            await Guard(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = KeyOf(key),
                UpdateExpression = "REMOVE #suppressed, #reason",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#suppressed"] = T.Suppressed, ["#reason"] = T.SuppressedReason },
            }, ct));
            await projection.MarkBehindAsync(key, Time.GetUtcNow(), ct);
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
            await Guard(() => Dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = KeyOf(StrangerKeyOf(k)) }, ct));
            var response = await Guard(() => Dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = KeyOf(k), ReturnValues = "ALL_OLD" }, ct));
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
            var response = await Guard(() => Dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = KeyOf(k), ConsistentRead = true }, ct));
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
    public Task CheckHashKeyAsync(CancellationToken ct) => Options.HashKey is null ? Task.CompletedTask : _hashKeyChecked ??= CheckHashKeyOnceAsync(Options.HashKey, ct);

    private async Task CheckHashKeyOnceAsync(HashKey key, CancellationToken ct)
    {
        var recorded = await TryAsync(() => Dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = TableName,
            Item = new Dictionary<string, AttributeValue> { [T.Key] = S(T.HashKeyRecord), [T.Fingerprint] = S(key.Fingerprint) },
            ConditionExpression = "attribute_not_exists(#pk) OR #fp = :fp",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = T.Key, ["#fp"] = T.Fingerprint },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":fp"] = S(key.Fingerprint) },
        }, ct));
        if (!recorded)
        {
            _hashKeyChecked = null;
            throw new HashKeyMismatchException($"the hash key given is not the one table {TableName} was written with; use the deployment's (the stack's HashKeySecretName output)");
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
        if (Options.HashKey is { } key)
        {
            yield return T.SuppressionKeyOf(learnerKey, key);
        }

        yield return T.LegacySuppressionKeyOf(learnerKey);
    }

    private async Task<string?> SuppressionOfKeysAsync(IReadOnlyCollection<string> learnerKeys, CancellationToken ct)
    {
        var records = learnerKeys.SelectMany(SuppressionRecordsOf).Distinct(StringComparer.Ordinal).ToList();
        var response = await Guard(() => Dynamo.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new Dictionary<string, KeysAndAttributes> { [TableName] = new() { ConsistentRead = true, Keys = records.Select(KeyOf).ToList() } },
        }, ct));
        if (response.UnprocessedKeys is { Count: > 0 })
        {
            // Throttled: a suppression must never be missed, so the caller retries rather than guess.
            throw new StoreUnavailableException("the progress store did not read every suppression record (throttled)");
        }

        var item = (response.Responses?.GetValueOrDefault(TableName) ?? []).OrderBy(i => i[T.Key].S, StringComparer.Ordinal).FirstOrDefault();
        return item is null ? null : $"{Text(item, T.SuppressedReason) ?? "suppressed"} at {Text(item, T.Suppressed)}";
    }

    private async Task PutSuppressionAsync(string learnerKey, string reason, string at, CancellationToken ct)
    {
        await CheckHashKeyAsync(ct);
        var record = SuppressionRecordsOf(learnerKey).First();
        await Guard(() => Dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = TableName,
            Item = new Dictionary<string, AttributeValue> { [T.Key] = S(record), [T.Suppressed] = S(at), [T.SuppressedReason] = S(reason) },
        }, ct));
    }

    /// <summary>The records (primary keys) that hold <paramref name="contactId"/>, aliases followed.</summary>
    public async Task<IReadOnlyList<string>> RecordsOfContactAsync(string contactId, CancellationToken ct)
    {
        var keys = new List<string>();
        foreach (var key in (await KeysWithContactIdAsync(contactId, ct)).Append(T.KeyOfContactId(contactId)))
        {
            if ((await FollowAsync(key, ct)) is ({ } primary, { }) && !keys.Contains(primary, StringComparer.Ordinal))
            {
                keys.Add(primary);
            }
        }

        return keys;
    }

    /// <summary>
    /// A GDPR delete in HubSpot: erases every record of the contact (as <c>hhlearn forget</c>) and keeps the suppression
    /// records (keyed hashes), so the person is never created again in HubSpot. Answers the keys erased.
    /// </summary>
    public async Task<IReadOnlyList<string>> ForgetContactAsync(string contactId, CancellationToken ct)
    {
        var erased = new List<string>();
        foreach (var key in await RecordsOfContactAsync(contactId, ct))
        {
            var learner = await ReadKeyAsync(key, ct);
            var who = new LearnerIdentity(learner?.Email, learner?.Email is null ? contactId : null);
            erased.AddRange((await ForgetAsync(who, ct)).ErasedKeys);
        }

        // Nobody stored yet: the contact id alone is kept out, for the day the person shows up by it.
        await PutSuppressionAsync(T.KeyOfContactId(contactId), SuppressionReasons.Forgotten, Now(), ct);
        return erased;
    }

    /// <summary>A contact deleted (not GDPR) in HubSpot: its records are suppressed, as when the projection finds it gone.</summary>
    public async Task SuppressContactAsync(string contactId, CancellationToken ct)
    {
        var records = await RecordsOfContactAsync(contactId, ct);
        foreach (var key in records.DefaultIfEmpty(T.KeyOfContactId(contactId)))
        {
            await SuppressAsync(key, SuppressionReasons.DeletedUpstream, ct);
        }
    }

    /// <summary>
    /// A contact restored in HubSpot: lifts the suppression a deletion caused, and only that (a person forgotten or kept
    /// out by an operator stays out). False when there was no such suppression.
    /// </summary>
    public async Task<bool> LiftDeletedContactAsync(string contactId, CancellationToken ct)
    {
        var lifted = false;
        foreach (var key in (await RecordsOfContactAsync(contactId, ct)).DefaultIfEmpty(T.KeyOfContactId(contactId)))
        {
            var learner = await ReadKeyAsync(key, ct);
            var reason = learner?.Suppressed ?? await SuppressionOfAsync(key, ct);
            if (reason?.StartsWith(SuppressionReasons.DeletedUpstream, StringComparison.Ordinal) == true)
            {
                lifted |= await LiftSuppressionAsync(new LearnerIdentity(learner?.Email, learner?.Email is null ? contactId : null), ct);
            }
        }

        return lifted;
    }

    /// <summary>
    /// The contact's email changed in HubSpot: its record answers to <paramref name="email"/> too (an alias, or, when a
    /// record of that email exists already, the two are combined).
    /// </summary>
    public async Task<bool> AddEmailAsync(string contactId, string email, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(email);
        var records = await RecordsOfContactAsync(contactId, ct);
        if (records.Count == 0)
        {
            return false;
        }

        var primary = records[0];
        var emailKey = T.KeyOfEmail(email);
        var (existing, record) = await FollowAsync(emailKey, ct);
        if (existing == primary)
        {
            return false;
        }

        if (record is not null)
        {
            return await projection.CombineAsync(primary, [existing], contactId, ct) is not null;
        }

        var created = await TryAsync(() => Dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = TableName,
            Item = new Dictionary<string, AttributeValue> { [T.Key] = S(emailKey), [T.AliasOf] = S(primary), [T.Version] = N(1), [T.Email] = S(EmailAddress.Normalize(email)) },
            ConditionExpression = "attribute_not_exists(#pk)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = T.Key },
        }, ct));
        if (created)
        {
            await Guard(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = KeyOf(primary),
                UpdateExpression = "ADD #aliases :alias",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#aliases"] = T.Aliases },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":alias"] = new AttributeValue { SS = [emailKey] } },
            }, ct));
        }

        return created;
    }

    private const string ContactEventsPrefix = "U#";
    private const string LatestDeletionOrRestore = "latest_occurred_at";

    /// <summary>
    /// Records that a deletion or restore of <paramref name="contactId"/> happened at <paramref name="occurredAt"/> (ms),
    /// unless a later one was recorded already: false then, and the caller ignores this older event (deliveries arrive
    /// out of order; the last one that happened decides).
    /// </summary>
    public Task<bool> TryRecordDeletionOrRestoreAsync(string contactId, long occurredAt, CancellationToken ct) =>
        TryAsync(() => Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = KeyOf(ContactEventsPrefix + contactId),
            UpdateExpression = "SET #at = :at, #expires = :expires",
            ConditionExpression = "attribute_not_exists(#at) OR #at <= :at",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#at"] = LatestDeletionOrRestore, ["#expires"] = T.ExpiresAt },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":at"] = N(occurredAt), [":expires"] = N((Time.GetUtcNow() + TimeSpan.FromDays(30)).ToUnixTimeSeconds()),
            },
        }, ct));
}
