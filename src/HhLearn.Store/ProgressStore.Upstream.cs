namespace HhLearn.Store;

/// <summary>
/// HubSpot's own changes to a contact, applied to the records of that contact (HubSpot's webhooks): a GDPR delete erases
/// the person, a deletion suppresses them (a restore lifts that), a merge combines their records, an email change makes
/// the record answer to the new email too. Each is idempotent: deliveries repeat.
/// </summary>
public sealed partial class ProgressStore
{
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
            return await CombineAsync(primary, [existing], contactId, ct) is not null;
        }

        var created = await TryAsync(() => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue> { [T.Key] = S(emailKey), [T.AliasOf] = S(primary), [T.Version] = N(1), [T.Email] = S(EmailAddress.Normalize(email)) },
            ConditionExpression = "attribute_not_exists(#pk)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = T.Key },
        }, ct));
        if (created)
        {
            await Guard(() => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
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
        TryAsync(() => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tableName,
            Key = KeyOf(ContactEventsPrefix + contactId),
            UpdateExpression = "SET #at = :at, #expires = :expires",
            ConditionExpression = "attribute_not_exists(#at) OR #at <= :at",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#at"] = LatestDeletionOrRestore, ["#expires"] = T.ExpiresAt },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":at"] = N(occurredAt), [":expires"] = N((time.GetUtcNow() + TimeSpan.FromDays(30)).ToUnixTimeSeconds()),
            },
        }, ct));
}
