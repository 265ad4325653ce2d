namespace HhLearn.Store;

/// <summary>
/// What the projection records about each learner: the due index (who HubSpot is behind on), claims (no two
/// projectors write one learner at once), the version HubSpot holds, blocks, suppressions, and the records of one
/// person combined when HubSpot shows them to be one contact.
/// </summary>
public interface IProjectionLedger : IRecordCombiner
{
    /// <summary>Several records by key (consistent); missing keys are absent from the answer.</summary>
    Task<IReadOnlyDictionary<string, StoredLearner>> GetManyAsync(IEnumerable<string> keys, CancellationToken ct);

    /// <summary>Learners whose projection fell behind before <paramref name="before"/>, oldest first.</summary>
    Task<IReadOnlyList<string>> DueAsync(DateTimeOffset before, int limit, CancellationToken ct);

    /// <summary>Claims learners for <paramref name="owner"/> for <paramref name="lease"/> (unless another owner holds them); answers the keys held.</summary>
    Task<IReadOnlySet<string>> ClaimAsync(IEnumerable<string> keys, string owner, TimeSpan lease, CancellationToken ct);

    /// <summary>Gives claimed learners back without projecting them.</summary>
    Task ReleaseAsync(IEnumerable<string> keys, string owner, CancellationToken ct);

    /// <summary>Records that HubSpot holds <paramref name="projected"/>'s version (never backwards) and releases its claim.</summary>
    Task<ProjectionMark> MarkProjectedAsync(StoredLearner projected, string contactId, CancellationToken ct);

    /// <summary>Stops projecting a learner HubSpot refuses for good, until an operator clears it.</summary>
    Task BlockAsync(string key, string reason, CancellationToken ct);

    /// <summary>Puts the learner back in the due index as of <paramref name="since"/> (clearing a block); false when absent or suppressed.</summary>
    Task<bool> MarkBehindAsync(string key, DateTimeOffset since, CancellationToken ct);

    /// <summary>The records that name <paramref name="contactId"/> as their contact.</summary>
    Task<IReadOnlyList<string>> KeysWithContactIdAsync(string contactId, CancellationToken ct);

    /// <summary>Keeps the learner (every alias and its contact id) out of HubSpot for good, until an operator lifts it.</summary>
    Task SuppressAsync(string key, string reason, CancellationToken ct);

    /// <summary>The suppression recorded for any of <paramref name="contactIds"/>, or null.</summary>
    Task<string?> SuppressionOfContactsAsync(IEnumerable<string> contactIds, CancellationToken ct);

    /// <summary>Joins progress HubSpot held into the record <paramref name="key"/> (see <see cref="ILearnerRepository.ImportWithOutcomeAsync"/>).</summary>
    Task<StoredLearner> ImportAsync(LearnerIdentity who, LearnerProgress legacy, string contactId, CancellationToken ct, string? key = null);
}
