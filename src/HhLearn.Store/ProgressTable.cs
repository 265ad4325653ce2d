using System.Security.Cryptography;
using System.Text;

namespace HhLearn.Store;

/// <summary>
/// The progress table's shape. One item per learner, its partition key a SHA-256 of the learner's key (normalised
/// email, else contact id), so that queue messages, logs and suppression records can name a learner without an
/// email; the email itself is an attribute. Two sparse indexes: learners by HubSpot contact id, and learners whose
/// HubSpot projection is behind (by when it fell behind), which the sweeper reads.
/// </summary>
public static class ProgressTable
{
    public const string Key = "pk";
    public const string ContactIndex = "by-contact-id";
    public const string DueIndex = "projection-due";

    /// <summary>
    /// The due index's partition key is spread over this many values (<see cref="DueShardOf"/>): were every learner
    /// behind under one value, all of the service's writes would land on one index partition (about 1,000 writes/s),
    /// and a throttled index throttles the table.
    /// </summary>
    public const int DueShards = 16;

    /// <summary>The due index's partition key value written before it was spread: still read, never written.</summary>
    public const string LegacyDueShard = "behind";

    /// <summary>The due index's partition key of a learner: <c>behind-</c> and the first hex digit of its key's hash.</summary>
    public static string DueShardOf(string learnerKey)
    {
        ArgumentNullException.ThrowIfNull(learnerKey);
        var digit = learnerKey.Length > LearnerPrefix.Length ? learnerKey[LearnerPrefix.Length] : '0';
        return $"behind-{(Uri.IsHexDigit(digit) ? char.ToLowerInvariant(digit) : '0')}";
    }

    /// <summary>Every value the due index's partition key can have (the shards, then the legacy value).</summary>
    public static IReadOnlyList<string> AllDueShards { get; } = [.. "0123456789abcdef".Select(d => $"behind-{d}"), LegacyDueShard];

    // Attributes. The learner's own values are a map under the store's names (StoredProgress), in Learner.
    public const string Email = "email";

    /// <summary>The learner's names from a verified token (for HubSpot's create), kept on the item and erased with it.</summary>
    public const string GivenName = "given_name";
    public const string FamilyName = "family_name";
    public const string ContactId = "contact_id";
    /// <summary>The learner's progress, a map under the store's own names (<see cref="StoredProgress"/>).</summary>
    public const string Learner = "learner";

    /// <summary>The legacy layout of the same values, under HubSpot's property names: read, and removed by every write.</summary>
    public const string LegacyValues = "progress";
    public const string Version = "version";
    public const string Projected = "projected_version";
    public const string UpdatedAt = "updated_at";
    public const string ImportPending = "import_pending";
    public const string AliasOf = "alias_of";
    public const string Due = "due";
    public const string DueSince = "due_since";
    public const string Blocked = "projection_blocked";
    public const string Suppressed = "suppressed_at";
    public const string SuppressedReason = "suppressed_reason";

    /// <summary>When a short-lived item (a shared budget's counter) may be removed: DynamoDB's time to live, epoch seconds.</summary>
    public const string ExpiresAt = "expires_at";

    /// <summary>On a record that combined others: their keys (string set), so that forgetting the person finds them all.</summary>
    public const string Aliases = "aliases";

    /// <summary>Which projector holds the learner now, and until when (so that two never write one learner to HubSpot at once).</summary>
    public const string Lease = "projector";
    public const string LeaseUntil = "projector_until";

    private const string LearnerPrefix = "L#";
    private const string SuppressionPrefix = "S#";

    /// <summary>The partition key of a learner: <c>L#</c> and the SHA-256 (hex) of the learner's key.</summary>
    public static string KeyOf(LearnerIdentity who)
    {
        ArgumentNullException.ThrowIfNull(who);
        return LearnerPrefix + Hash(who.Key);
    }

    public static string KeyOfEmail(string email) => KeyOf(new LearnerIdentity(EmailAddress.Normalize(email), null));

    /// <summary>The key a learner known only by <paramref name="contactId"/> has (and its suppression records are made from).</summary>
    public static string KeyOfContactId(string contactId) => KeyOf(new LearnerIdentity(null, contactId));

    /// <summary>
    /// The suppression record of a learner key, keyed: <c>S#</c> and an HMAC of the learner key under the deployment's
    /// hash key. Kept after a learner is forgotten: no email in it, and no way back to one without the key.
    /// </summary>
    public static string SuppressionKeyOf(string learnerKey, HashKey key)
    {
        ArgumentNullException.ThrowIfNull(learnerKey);
        ArgumentNullException.ThrowIfNull(key);
        return SuppressionPrefix + key.Hex(learnerKey);
    }

    /// <summary>
    /// The suppression record of a learner key as written before hash keys (<c>S#</c> and the unkeyed SHA-256): still
    /// honoured and lifted, never written by a store that has a key.
    /// </summary>
    public static string LegacySuppressionKeyOf(string learnerKey)
    {
        ArgumentNullException.ThrowIfNull(learnerKey);
        return SuppressionPrefix + learnerKey[LearnerPrefix.Length..];
    }

    /// <summary>The item that records which hash key the table's suppression records are written with (its fingerprint).</summary>
    public const string HashKeyRecord = "K#hash-key";
    public const string Fingerprint = "fingerprint";

    public static bool IsLearnerKey(string key) => key.StartsWith(LearnerPrefix, StringComparison.Ordinal) && key.Length == LearnerPrefix.Length + 64;

    /// <summary>The table as CreateTable makes it (locally; the CDK stack declares the same shape).</summary>
    public static CreateTableRequest Definition(string tableName) => new()
    {
        TableName = tableName,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions =
        [
            new AttributeDefinition(Key, ScalarAttributeType.S),
            new AttributeDefinition(ContactId, ScalarAttributeType.S),
            new AttributeDefinition(Due, ScalarAttributeType.S),
            new AttributeDefinition(DueSince, ScalarAttributeType.S),
        ],
        KeySchema = [new KeySchemaElement(Key, KeyType.HASH)],
        GlobalSecondaryIndexes =
        [
            new GlobalSecondaryIndex
            {
                IndexName = ContactIndex,
                KeySchema = [new KeySchemaElement(ContactId, KeyType.HASH)],
                Projection = new Projection { ProjectionType = ProjectionType.KEYS_ONLY },
            },
            new GlobalSecondaryIndex
            {
                IndexName = DueIndex,
                KeySchema = [new KeySchemaElement(Due, KeyType.HASH), new KeySchemaElement(DueSince, KeyType.RANGE)],
                Projection = new Projection { ProjectionType = ProjectionType.KEYS_ONLY },
            },
        ],
    };

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
