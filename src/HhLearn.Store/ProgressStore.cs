
namespace HhLearn.Store;

/// <summary>
/// The progress store over DynamoDB, every port of <see cref="IProgressRepository"/> in one object: consistent reads,
/// and writes that read, apply with the pure engine, and write with a condition on the version read; a writer that
/// lost the race reads again and re-applies, so concurrent writers never lose an update. Any DynamoDB failure becomes
/// <see cref="StoreUnavailableException"/> (nothing was changed), a learner hammered past
/// <see cref="StoreOptions.MaxAttempts"/> a <see cref="StoreContendedException"/>. The work is done by its parts, one
/// per concern, over one table: <see cref="LearnerRecords"/> (the routes), <see cref="ProjectionRecords"/> (the
/// projection's ledger), <see cref="WindowRecords"/> (the window and the shared tallies) and <see cref="PrivacyRecords"/>
/// (suppression, erasure, export, HubSpot's changes flowing back).
/// </summary>
public sealed class ProgressStore : IProgressRepository
{
    /// <summary>DynamoDB's item size limit: attribute names and values, UTF-8, 400 KB.</summary>
    public const int MaxItemBytes = TableAccess.MaxItemBytes;

    private readonly LearnerRecords _learners;
    private readonly ProjectionRecords _projection;
    private readonly WindowRecords _window;
    private readonly PrivacyRecords _privacy;

    public ProgressStore(IAmazonDynamoDB dynamo, string tableName, LearningCatalog catalog, TimeProvider time, StoreOptions? options = null)
    {
        var settings = options ?? new StoreOptions();
        _projection = new ProjectionRecords(dynamo, tableName, catalog, time, settings);
        _window = new WindowRecords(dynamo, tableName, catalog, time, settings);
        _privacy = new PrivacyRecords(dynamo, tableName, catalog, time, settings, _projection);
        _learners = new LearnerRecords(dynamo, tableName, catalog, time, settings, _privacy);
    }

    public string TableName => _learners.TableName;

    /// <summary>The DynamoDB client the function and the CLI use; <c>AWS_ENDPOINT_URL_DYNAMODB</c> points it at a local endpoint.</summary>
    public static AmazonDynamoDBClient CreateClient(string? endpoint = null)
    {
        // DynamoDB answers in milliseconds: a call that takes seconds is an outage, and the caller is better told so (503) than kept waiting.
        var config = new AmazonDynamoDBConfig { Timeout = TimeSpan.FromSeconds(2), MaxErrorRetry = 2 };
        if ((endpoint ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB" /* AWS's own; SettingNames.AwsEndpointDynamoDb above the store */)) is { Length: > 0 } url)
        {
            config.ServiceURL = url;
        }

        return new AmazonDynamoDBClient(config);
    }

    internal static StoredLearner ToLearner(Dictionary<string, AttributeValue> item) => TableAccess.ToLearner(item);

    internal static int EstimatedItemBytes(IReadOnlyDictionary<string, string> values, StoredLearner learner) => TableAccess.EstimatedItemBytes(values, learner);

    // ---- the routes (ILearnerRepository) ----

    public Task<StoredLearner?> ReadAsync(LearnerIdentity who, CancellationToken ct) => _learners.ReadAsync(who, ct);

    /// <summary>The item under <paramref name="key"/> (aliases followed), or null.</summary>
    public Task<StoredLearner?> ReadKeyAsync(string key, CancellationToken ct) => _learners.ReadKeyAsync(key, ct);

    public Task<StoreWrite> ApplyAsync(LearnerIdentity who, Func<LearnerProgress, ApplyResult> apply, CancellationToken ct) => _learners.ApplyAsync(who, apply, ct);

    public Task<StoredLearner> ImportAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct, string? key = null) =>
        _learners.ImportAsync(who, legacy, contactId, ct, key);

    public Task<(StoredLearner Learner, ImportOutcome Outcome)> ImportWithOutcomeAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct, string? knownKey = null) =>
        _learners.ImportWithOutcomeAsync(who, legacy, contactId, ct, knownKey);

    public Task<bool> IsRecentStrangerAsync(LearnerIdentity who, CancellationToken ct) => _learners.IsRecentStrangerAsync(who, ct);

    public Task MarkStrangerAsync(LearnerIdentity who, TimeSpan lifetime, CancellationToken ct) => _learners.MarkStrangerAsync(who, lifetime, ct);

    public Task<bool> TryTakeSharedBudgetAsync(string name, int perTenSeconds, int cost, CancellationToken ct) => _window.TryTakeSharedBudgetAsync(name, perTenSeconds, cost, ct);

    // ---- the projection (IProjectionLedger, IProjectionWindowStore) ----

    public Task<IReadOnlyDictionary<string, StoredLearner>> GetManyAsync(IEnumerable<string> keys, CancellationToken ct) => _projection.GetManyAsync(keys, ct);

    public Task<IReadOnlyList<string>> DueAsync(DateTimeOffset before, int limit, CancellationToken ct) => _projection.DueAsync(before, limit, ct);

    public Task<IReadOnlySet<string>> ClaimAsync(IEnumerable<string> keys, string owner, TimeSpan lease, CancellationToken ct) => _projection.ClaimAsync(keys, owner, lease, ct);

    public Task ReleaseAsync(IEnumerable<string> keys, string owner, CancellationToken ct) => _projection.ReleaseAsync(keys, owner, ct);

    public Task<ProjectionMark> MarkProjectedAsync(StoredLearner projected, string contactId, CancellationToken ct) => _projection.MarkProjectedAsync(projected, contactId, ct);

    public Task BlockAsync(string key, string reason, CancellationToken ct) => _projection.BlockAsync(key, reason, ct);

    public Task<bool> MarkBehindAsync(string key, DateTimeOffset since, CancellationToken ct) => _projection.MarkBehindAsync(key, since, ct);

    public Task<StoredLearner?> CombineAsync(string primaryKey, IReadOnlyCollection<string> otherKeys, string contactId, CancellationToken ct) =>
        _projection.CombineAsync(primaryKey, otherKeys, contactId, ct);

    public Task<IReadOnlyList<string>> KeysWithContactIdAsync(string contactId, CancellationToken ct) => _projection.KeysWithContactIdAsync(contactId, ct);

    /// <summary>Every learner the store holds (aliases and other records left out), a page at a time.</summary>
    public IAsyncEnumerable<IReadOnlyList<StoredLearner>> ScanAsync(int pageSize, CancellationToken ct) => _projection.ScanAsync(pageSize, ct);

    public Task<WindowTurn?> OpenOrJoinWindowAsync(string owner, IReadOnlyCollection<string> learners, DateTimeOffset flushAt, DateTimeOffset joinBy, int full, CancellationToken ct,
        Func<Task<bool>>? worthOpening = null) => _window.OpenOrJoinWindowAsync(owner, learners, flushAt, joinBy, full, ct, worthOpening);

    public Task<ProjectionWindowState?> WindowAsync(CancellationToken ct) => _window.WindowAsync(ct);

    public Task<bool> MoveWindowAsync(string owner, DateTimeOffset flushAt, CancellationToken ct) => _window.MoveWindowAsync(owner, flushAt, ct);

    public Task<double> CountCallsAsync(string name, long calls, CancellationToken ct) => _window.CountCallsAsync(name, calls, ct);

    // ---- personal data ----

    public Task<string?> SuppressionForAsync(LearnerIdentity who, string? contactId, CancellationToken ct) => _privacy.SuppressionForAsync(who, contactId, ct);

    /// <summary>The suppression recorded for <paramref name="learnerKey"/>, as <c>reason at instant</c>, or null.</summary>
    public Task<string?> SuppressionOfAsync(string learnerKey, CancellationToken ct) => _privacy.SuppressionOfAsync(learnerKey, ct);

    public Task<string?> SuppressionOfContactsAsync(IEnumerable<string> contactIds, CancellationToken ct) => _privacy.SuppressionOfContactsAsync(contactIds, ct);

    public Task SuppressAsync(string key, string reason, CancellationToken ct) => _privacy.SuppressAsync(key, reason, ct);

    /// <summary>Lifts a suppression (the learner wants to be back in HubSpot); false when nothing was suppressed.</summary>
    public Task<bool> LiftSuppressionAsync(LearnerIdentity who, CancellationToken ct) => _privacy.LiftSuppressionAsync(who, ct);

    /// <summary>Erases the learner and every record combined into theirs, keeping a suppression record for each key.</summary>
    public Task<ForgetOutcome> ForgetAsync(LearnerIdentity who, CancellationToken ct) => _privacy.ForgetAsync(who, ct);

    /// <summary>Everything the store holds about the learner, as stored.</summary>
    public Task<IReadOnlyList<Dictionary<string, AttributeValue>>> ExportAsync(LearnerIdentity who, CancellationToken ct) => _privacy.ExportAsync(who, ct);

    /// <summary>Checks that this store's hash key is the one the table's suppression records are written with.</summary>
    public Task CheckHashKeyAsync(CancellationToken ct) => _privacy.CheckHashKeyAsync(ct);

    // ---- HubSpot's changes flowing back (IUpstreamRecords) ----

    public Task<IReadOnlyList<string>> RecordsOfContactAsync(string contactId, CancellationToken ct) => _privacy.RecordsOfContactAsync(contactId, ct);

    public Task<IReadOnlyList<string>> ForgetContactAsync(string contactId, CancellationToken ct) => _privacy.ForgetContactAsync(contactId, ct);

    public Task SuppressContactAsync(string contactId, CancellationToken ct) => _privacy.SuppressContactAsync(contactId, ct);

    public Task<bool> LiftDeletedContactAsync(string contactId, CancellationToken ct) => _privacy.LiftDeletedContactAsync(contactId, ct);

    public Task<bool> AddEmailAsync(string contactId, string email, CancellationToken ct) => _privacy.AddEmailAsync(contactId, email, ct);

    public Task<bool> TryRecordDeletionOrRestoreAsync(string contactId, long occurredAt, CancellationToken ct) => _privacy.TryRecordDeletionOrRestoreAsync(contactId, occurredAt, ct);
}
