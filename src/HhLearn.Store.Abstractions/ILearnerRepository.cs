namespace HhLearn.Store;

/// <summary>
/// The learners' progress, as the API's routes use it: read-your-writes reads, conditional writes that never lose an
/// update, imports of what HubSpot held before the store, and the small records that keep a read from asking HubSpot
/// twice. Implemented over DynamoDB (<c>ProgressStore</c>) and in memory (the tests' <c>InMemoryProgressStore</c>).
/// </summary>
public interface ILearnerRepository
{
    /// <summary>The learner's record (consistent, aliases followed), or null when the store has none.</summary>
    Task<StoredLearner?> ReadAsync(LearnerIdentity who, CancellationToken ct);

    /// <summary>
    /// Applies <paramref name="apply"/> to the learner's stored progress and writes the result, conditionally on the
    /// version read; on a lost race it reads and applies again. A learner not yet stored is created (marked as possibly
    /// holding older progress in HubSpot, which the projection imports and merges).
    /// </summary>
    /// <exception cref="StoreUnavailableException">The store failed; nothing was changed.</exception>
    /// <exception cref="StoreContendedException">Every conditional write lost the race; nothing was changed.</exception>
    Task<StoreWrite> ApplyAsync(LearnerIdentity who, Func<LearnerProgress, ApplyResult> apply, CancellationToken ct);

    /// <summary>
    /// Joins progress HubSpot held (<paramref name="legacy"/>, under <paramref name="contactId"/>) into the learner's
    /// record with the state-level merge, creating it when the store has none; idempotent. <paramref name="knownKey"/>
    /// names the record when the caller holds it (the projector); without it the learner is located as a track would.
    /// </summary>
    Task<(StoredLearner Learner, ImportOutcome Outcome)> ImportWithOutcomeAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct, string? knownKey = null);

    /// <summary>The suppression recorded for any identifier of the person (email, contact id, <paramref name="contactId"/>), or null.</summary>
    Task<string?> SuppressionForAsync(LearnerIdentity who, string? contactId, CancellationToken ct);

    /// <summary>True when HubSpot was asked about <paramref name="who"/> recently and had nobody.</summary>
    Task<bool> IsRecentStrangerAsync(LearnerIdentity who, CancellationToken ct);

    /// <summary>Remembers for <paramref name="lifetime"/> that HubSpot has no contact for <paramref name="who"/>.</summary>
    Task MarkStrangerAsync(LearnerIdentity who, TimeSpan lifetime, CancellationToken ct);

    /// <summary>
    /// Takes <paramref name="cost"/> calls from the shared <paramref name="name"/> budget of <paramref name="perTenSeconds"/>
    /// calls per rolling 10 s (every instance together). False when it is spent for now.
    /// </summary>
    Task<bool> TryTakeSharedBudgetAsync(string name, int perTenSeconds, int cost, CancellationToken ct);
}
