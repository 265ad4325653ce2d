namespace HhLearn.Store;

/// <summary>Combining the records of one person: the projector does it when HubSpot shows two to be one contact, a merge webhook when HubSpot merged them.</summary>
public interface IRecordCombiner
{
    /// <summary>
    /// Combines the records of one person into <paramref name="primaryKey"/> (their progress merged, the others made its
    /// aliases, the primary marked behind with <paramref name="contactId"/>); null when a record is corrupt.
    /// </summary>
    Task<StoredLearner?> CombineAsync(string primaryKey, IReadOnlyCollection<string> otherKeys, string contactId, CancellationToken ct);
}
