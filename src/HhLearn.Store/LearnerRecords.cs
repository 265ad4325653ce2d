namespace HhLearn.Store;

/// <summary>
/// The learners' records as the routes use them: consistent reads, writes that read, apply with the pure engine and
/// write with a condition on the version read (a writer that lost the race reads again and re-applies, so concurrent
/// writers never lose an update), imports of what HubSpot held, and the stranger markers that spare HubSpot reads.
/// </summary>
internal sealed class LearnerRecords(IAmazonDynamoDB dynamo, string tableName, LearningCatalog catalog, TimeProvider time, StoreOptions options, PrivacyRecords privacy)
    : TableAccess(dynamo, tableName, catalog, time, options)
{
    /// <summary>The learner's item (consistent read, aliases followed), or null when the store has none.</summary>
    public async Task<StoredLearner?> ReadAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var (_, item) = await LocateAsync(who, ct);
        return item;
    }

    /// <summary>
    /// Applies <paramref name="apply"/> to the learner's stored progress and writes the result, conditionally on the
    /// version read; on a lost race it reads and applies again. A learner not yet stored is created (marked as
    /// possibly holding older progress in HubSpot, which the projection imports and merges).
    /// </summary>
    public async Task<StoreWrite> ApplyAsync(LearnerIdentity who, Func<LearnerProgress, ApplyResult> apply, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(apply);
        for (var attempt = 1; attempt <= Options.MaxAttempts; attempt++)
        {
            var (key, stored) = await LocateAsync(who, ct);
            var current = stored ?? new StoredLearner
            {
                Key = key, Email = who.Email, ContactId = who.Email is null ? who.ContactId : null, Names = who.Names,

                // A learner forgotten, or whose contact was deleted in HubSpot, stays out of HubSpot when they come back,
                // under any identifier they had (the email, the contact id a token names).
                Suppressed = await privacy.SuppressionForAsync(who, null, ct),
            };
            if (current.Corruption is not null)
            {
                return new StoreWrite(StoreOutcome.Corrupt, current, null, attempt);
            }

            var result = apply(current.Learner);
            if (!result.IsApplied)
            {
                return new StoreWrite(StoreOutcome.Rejected, current, result, attempt);
            }

            var values = StoredProgress.Encode(result.Learner);
            if (current.Exists && LearnerFields.SameValues(values, StoredProgress.Encode(current.Learner)))
            {
                return new StoreWrite(StoreOutcome.Unchanged, current, result, attempt);
            }

            var length = values[StoredProgress.State].Length;
            if (length > Limits.MaxPropertyValueLength || EstimatedItemBytes(values, current) > MaxItemBytes)
            {
                return new StoreWrite(StoreOutcome.TooLarge, current, result, attempt, length);
            }

            if (await TryWriteAsync(current, values, ct) is { } written)
            {
                return new StoreWrite(StoreOutcome.Written, written with { Learner = result.Learner }, result, attempt, length);
            }

            // Lost the race: somebody wrote this learner since we read it. Read again, apply again, after a pause that
            // grows with the attempts so that many writers of one learner spread out instead of colliding again.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 1 + Math.Min(100, 4 << Math.Min(attempt, 5)))), Time, ct);
        }

        throw new StoreContendedException($"{Options.MaxAttempts} conditional writes of one learner lost the race in a row");
    }

    /// <summary>
    /// Merges progress that HubSpot holds for the learner (written by the earlier system) into the store, and records
    /// the contact id: creates the item when the store has none (HubSpot then already holds exactly it), otherwise
    /// joins the two documents (<see cref="ProgressMerge"/>) and, when that changed anything, marks the projection
    /// behind so that HubSpot gets the union. Idempotent.
    /// </summary>
    /// <remarks>
    /// <paramref name="key"/> names the record to import into when the caller holds it already (the projector): without
    /// it the learner is located as a track would locate it (by email, else through the contact-id index).
    /// </remarks>
    public async Task<StoredLearner> ImportAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct, string? key = null) =>
        (await ImportWithOutcomeAsync(who, legacy, contactId, ct, key)).Learner;

    /// <summary><see cref="ImportAsync"/>, saying what it did: created the learner, merged into it, or found nothing new.</summary>
    public async Task<(StoredLearner Learner, ImportOutcome Outcome)> ImportWithOutcomeAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct, string? knownKey = null)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(legacy);
        for (var attempt = 1; attempt <= Options.MaxAttempts; attempt++)
        {
            var (key, stored) = knownKey is null ? await LocateAsync(who, ct) : await FollowAsync(knownKey, ct);
            var now = Now();
            if (stored is null && await privacy.SuppressionForAsync(who, contactId, ct) is { } suppressed)
            {
                // A person forgotten or kept out of HubSpot is not brought back from HubSpot's copy: nothing is created.
                return (new StoredLearner { Key = key, Email = who.Email, ContactId = contactId, Suppressed = suppressed }, ImportOutcome.Suppressed);
            }

            if (stored is null)
            {
                // Kept as the engine would derive it (completion from the Catalog); when that differs from what HubSpot
                // holds, HubSpot is behind from the start and the projection writes the derived values.
                var normalized = ProgressMerge.Merge(LearnerProgress.New, legacy, Catalog);
                var values = StoredProgress.Encode(normalized);
                var asHeld = LearnerFields.SameValues(values, StoredProgress.Encode(legacy));
                var created = new StoredLearner
                {
                    Key = key, Email = who.Email, ContactId = contactId, Learner = normalized, Version = 1, ProjectedVersion = asHeld ? 1 : 0, UpdatedAt = now,
                    DueSince = asHeld ? null : now,
                };
                var item = new Dictionary<string, AttributeValue>
                {
                    [T.Key] = S(key), [T.Learner] = Map(values), [T.Version] = N(1), [T.Projected] = N(created.ProjectedVersion), [T.UpdatedAt] = S(now), [T.ContactId] = S(contactId),
                };
                if (!asHeld)
                {
                    item[T.Due] = S(T.DueShardOf(key));
                    item[T.DueSince] = S(now);
                }

                if (who.Email is not null)
                {
                    item[T.Email] = S(who.Email);
                }

                if (await TryAsync(() => Dynamo.PutItemAsync(new PutItemRequest
                    {
                        TableName = TableName, Item = item, ConditionExpression = "attribute_not_exists(#pk)",
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

            var merged = ProgressMerge.Merge(stored.Learner, legacy, Catalog);
            var mergedValues = StoredProgress.Encode(merged);
            var changed = !LearnerFields.SameValues(mergedValues, StoredProgress.Encode(stored.Learner));
            var update = new UpdateItemRequest
            {
                TableName = TableName,
                Key = KeyOf(stored.Key),
                ConditionExpression = "#version = :v",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#version"] = T.Version, ["#contact"] = T.ContactId, ["#import"] = T.ImportPending },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":v"] = N(stored.Version), [":cid"] = S(contactId) },
            };
            if (changed)
            {
                update.UpdateExpression = "SET #values = :values, #version = :next, #updated = :now, #due = :shard, #since = if_not_exists(#since, :now), #contact = :cid REMOVE #import, #legacy";
                AddWriteValues(update, mergedValues, stored.Version + 1, now);
            }
            else
            {
                update.UpdateExpression = "SET #contact = :cid REMOVE #import";
            }

            if (await TryAsync(() => Dynamo.UpdateItemAsync(update, ct)))
            {
                return (stored with
                {
                    Learner = changed ? merged : stored.Learner, Version = changed ? stored.Version + 1 : stored.Version, ContactId = contactId, ImportPending = false,
                    DueSince = changed ? stored.DueSince ?? now : stored.DueSince,
                }, changed ? ImportOutcome.Merged : ImportOutcome.Unchanged);
            }
        }

        throw new StoreContendedException($"{Options.MaxAttempts} conditional imports of one learner lost the race in a row");
    }

    // ---- writing ----

    private async Task<StoredLearner?> TryWriteAsync(StoredLearner current, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var now = Now();
        var next = current.Version + 1;
        var request = new UpdateItemRequest
        {
            TableName = TableName,
            Key = KeyOf(current.Key),
            ExpressionAttributeNames = new Dictionary<string, string> { ["#version"] = T.Version },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>(),
        };
        AddWriteValues(request, values, next, now);

        // A learner whose projection is blocked (an operator lifts it) or suppressed (deleted in HubSpot, or forgotten)
        // stays out of the due index: nothing nudges it towards HubSpot.
        var set = new List<string> { "#values = :values", "#version = :next", "#updated = :now" };
        if (current.Projectable)
        {
            set.Add("#due = :shard");
            set.Add(current.Exists ? "#since = if_not_exists(#since, :now)" : "#since = :now");
        }
        else
        {
            request.ExpressionAttributeNames.Remove("#due");
            request.ExpressionAttributeNames.Remove("#since");
            request.ExpressionAttributeValues.Remove(":shard");
        }

        if (current.Exists)
        {
            request.ConditionExpression = "#version = :v";
            request.ExpressionAttributeValues[":v"] = N(current.Version);
        }
        else
        {
            // New to the store: HubSpot may hold this learner's progress from the earlier system; the projection imports it.
            request.ConditionExpression = "attribute_not_exists(#pk)";
            request.ExpressionAttributeNames["#pk"] = T.Key;
            request.ExpressionAttributeNames["#import"] = T.ImportPending;
            request.ExpressionAttributeNames["#projected"] = T.Projected;
            request.ExpressionAttributeValues[":true"] = new AttributeValue { BOOL = true };
            request.ExpressionAttributeValues[":zero"] = N(0);
            set.Add("#import = :true");
            set.Add("#projected = :zero");
            void Add(string name, string attribute, string? value)
            {
                if (value is not null)
                {
                    set.Add($"#{name} = :{name}");
                    request.ExpressionAttributeNames[$"#{name}"] = attribute;
                    request.ExpressionAttributeValues[$":{name}"] = S(value);
                }
            }

            Add("email", T.Email, current.Email);
            Add("given", T.GivenName, current.Names?.Given);
            Add("family", T.FamilyName, current.Names?.Family);
            Add("cid", T.ContactId, current.ContactId);
            Add("suppressed", T.Suppressed, current.Suppressed is null ? null : now);
            Add("reason", T.SuppressedReason, current.Suppressed?.Split(" at ", 2)[0]);
        }

        request.UpdateExpression = "SET " + string.Join(", ", set) + " REMOVE #legacy";
        if (!await TryAsync(() => Dynamo.UpdateItemAsync(request, ct)))
        {
            return null;
        }

        return current with
        {
            Version = next, UpdatedAt = now, DueSince = current.Projectable ? current.DueSince ?? now : null, ImportPending = current.ImportPending || !current.Exists,
        };
    }

    /// <summary>True when HubSpot was asked about <paramref name="who"/> recently and had nobody (the marker has not expired).</summary>
    public async Task<bool> IsRecentStrangerAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var response = await Guard(() => Dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = KeyOf(StrangerKeyOf(T.KeyOf(who))), ConsistentRead = false }, ct));

        // DynamoDB removes expired items lazily, within days: the expiry is checked here.
        return response.Item is { Count: > 0 } item && Number(item, T.ExpiresAt) > Time.GetUtcNow().ToUnixTimeSeconds();
    }

    /// <summary>Remembers for <paramref name="lifetime"/> that HubSpot has no contact for <paramref name="who"/>.</summary>
    public Task MarkStrangerAsync(LearnerIdentity who, TimeSpan lifetime, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        return Guard(() => Dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = TableName,
            Item = new Dictionary<string, AttributeValue>
            {
                [T.Key] = S(StrangerKeyOf(T.KeyOf(who))), [T.ExpiresAt] = N((Time.GetUtcNow() + lifetime).ToUnixTimeSeconds()),
            },
        }, ct));
    }
}
