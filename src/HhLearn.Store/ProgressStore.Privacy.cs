namespace HhLearn.Store;

/// <summary>Why a learner is kept out of HubSpot.</summary>
public static class SuppressionReasons
{
    /// <summary>The contact HhLearn had written was deleted in HubSpot (by id and by email, not merged away).</summary>
    public const string DeletedUpstream = "deleted_in_hubspot";

    /// <summary>An operator erased the learner (<c>hhlearn forget</c>).</summary>
    public const string Forgotten = "forgotten";

    /// <summary>An operator kept the learner out of HubSpot (<c>hhlearn suppress</c>).</summary>
    public const string Operator = "operator";
}

/// <summary>What <see cref="ProgressStore.ForgetAsync"/> erased.</summary>
public sealed record ForgetOutcome(IReadOnlyList<string> ErasedKeys, string? ContactId, IReadOnlyList<string> Emails);

/// <summary>
/// Personal data: suppression (the learner is never sent to HubSpot again until lifted), erasure and export. A
/// suppression record (<c>S#</c> and the hash of the learner key, no email) outlives the learner's item, so that a
/// learner who was forgotten, or whose contact marketing deleted, is not re-created in HubSpot when they come back.
/// </summary>
public sealed partial class ProgressStore
{
    /// <summary>The suppression recorded for <paramref name="learnerKey"/>, as <c>reason at instant</c>, or null.</summary>
    public async Task<string?> SuppressionOfAsync(string learnerKey, CancellationToken ct)
    {
        var response = await Guard(() => dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(T.SuppressionKeyOf(learnerKey)), ConsistentRead = true }, ct));
        return response.Item is { Count: > 0 } item ? $"{Text(item, T.SuppressedReason) ?? "suppressed"} at {Text(item, T.Suppressed)}" : null;
    }

    /// <summary>
    /// Stops projecting the learner for good: records the suppression for its key and every alias, flags the item and
    /// takes it out of the due index. Its events are still stored; only an operator lifts this.
    /// </summary>
    public async Task SuppressAsync(string key, string reason, CancellationToken ct)
    {
        var (primaryKey, learner) = await FollowAsync(key, ct);
        var now = Now();
        foreach (var suppressed in new[] { key, primaryKey }.Concat(learner?.Aliases ?? []).Distinct(StringComparer.Ordinal))
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
    /// Lifts the suppression of a learner who wants to be back in HubSpot: removes the records for its keys, clears the
    /// flag and marks it behind (the projection then finds or creates the contact). False when nothing was suppressed.
    /// </summary>
    public async Task<bool> LiftSuppressionAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var own = T.KeyOf(who);
        var (key, learner) = await LocateAsync(who, ct);
        var keys = new[] { own, key }.Concat(learner?.Aliases ?? []).Distinct(StringComparer.Ordinal).ToList();
        var lifted = false;
        foreach (var k in keys)
        {
            var response = await Guard(() => dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = KeyOf(T.SuppressionKeyOf(k)), ReturnValues = "ALL_OLD" }, ct));
            lifted |= response.Attributes is { Count: > 0 };
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
    /// key (a hash, no email), so that the learner is not sent to HubSpot again if they come back. Answers what was
    /// erased, with the contact id and emails the caller needs to ask HubSpot for its own deletion.
    /// </summary>
    public async Task<ForgetOutcome> ForgetAsync(LearnerIdentity who, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var own = T.KeyOf(who);
        var (key, learner) = await LocateAsync(who, ct);
        var keys = new[] { own, key }.Concat(learner?.Aliases ?? []).Distinct(StringComparer.Ordinal).ToList();
        var emails = new List<string>();
        var erased = new List<string>();
        var now = Now();
        foreach (var k in keys)
        {
            var response = await Guard(() => dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = KeyOf(k), ReturnValues = "ALL_OLD" }, ct));
            if (response.Attributes is { Count: > 0 } old)
            {
                erased.Add(k);
                if (Text(old, T.Email) is { } email)
                {
                    emails.Add(email);
                }
            }

            await PutSuppressionAsync(k, SuppressionReasons.Forgotten, now, ct);
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
        var own = T.KeyOf(who);
        var (key, learner) = await LocateAsync(who, ct);
        var keys = new[] { key, own }.Concat(learner?.Aliases ?? []).Distinct(StringComparer.Ordinal).ToList();
        var items = new List<Dictionary<string, AttributeValue>>();
        foreach (var k in keys.Concat(keys.Select(T.SuppressionKeyOf)))
        {
            var response = await Guard(() => dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(k), ConsistentRead = true }, ct));
            if (response.Item is { Count: > 0 } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    private Task<PutItemResponse> PutSuppressionAsync(string learnerKey, string reason, string at, CancellationToken ct) =>
        Guard(() => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue>
            {
                [T.Key] = S(T.SuppressionKeyOf(learnerKey)), [T.Suppressed] = S(at), [T.SuppressedReason] = S(reason),
            },
        }, ct));
}
