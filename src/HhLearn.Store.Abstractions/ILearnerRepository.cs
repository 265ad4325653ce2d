namespace HhLearn.Store;

/// <summary>
/// The learners' progress, as the API's routes use it: read-your-writes reads and writes that apply an event to what
/// is stored. Implemented over DynamoDB (<c>ProgressStore</c>: conditional writes that never lose an update), in memory
/// (the tests' <c>InMemoryProgressStore</c>), and over HubSpot's contacts for the table-less direct mode
/// (<c>HubSpotLearnerRepository</c>).
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
}
