namespace HhLearn.Store;

/// <summary>Items and attributes: guarded calls, mapping, small helpers.</summary>
public sealed partial class ProgressStore
{
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
    internal static int EstimatedItemBytes(IReadOnlyDictionary<string, string> values, StoredLearner learner) =>
        values.Sum(kv => System.Text.Encoding.UTF8.GetByteCount(kv.Key) + System.Text.Encoding.UTF8.GetByteCount(kv.Value))
        + learner.Aliases.Sum(a => a.Length + 8) + 2048;

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
