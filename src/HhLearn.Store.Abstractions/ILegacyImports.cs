namespace HhLearn.Store;

/// <summary>
/// What a store beside the CRM keeps so that a read of a learner it has never seen imports what HubSpot held before the
/// store (the earlier system), once: the import itself, the suppressions that keep a forgotten person out, the
/// strangers HubSpot had nobody for, and the shared budget the imports draw on.
/// </summary>
public interface ILegacyImports
{
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
