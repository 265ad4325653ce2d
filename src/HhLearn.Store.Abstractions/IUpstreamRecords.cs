namespace HhLearn.Store;

/// <summary>HubSpot's changes flowing back (webhooks): deletions, GDPR deletions, restores and email changes of contacts.</summary>
public interface IUpstreamRecords : IRecordCombiner
{
    /// <summary>The records (primary keys) that hold <paramref name="contactId"/>, aliases followed.</summary>
    Task<IReadOnlyList<string>> RecordsOfContactAsync(string contactId, CancellationToken ct);

    /// <summary>A GDPR delete: erases every record of the contact, keeping the suppression records; answers the keys erased.</summary>
    Task<IReadOnlyList<string>> ForgetContactAsync(string contactId, CancellationToken ct);

    /// <summary>A contact deleted (not GDPR) in HubSpot: its records are suppressed.</summary>
    Task SuppressContactAsync(string contactId, CancellationToken ct);

    /// <summary>A contact restored: lifts the suppression a deletion caused, and only that; false when there was none.</summary>
    Task<bool> LiftDeletedContactAsync(string contactId, CancellationToken ct);

    /// <summary>The contact's email changed: its record answers to <paramref name="email"/> too (an alias, or combined).</summary>
    Task<bool> AddEmailAsync(string contactId, string email, CancellationToken ct);

    /// <summary>Records a deletion or restore at <paramref name="occurredAt"/> (ms) unless a later one was recorded; false then.</summary>
    Task<bool> TryRecordDeletionOrRestoreAsync(string contactId, long occurredAt, CancellationToken ct);
}
