namespace HhLearn.CrmSync;

/// <summary>
/// The CRM's contacts as the application uses them: found in batches (by id, by email), confirmed before a contact is
/// taken for deleted, created and updated a hundred at a time, one learner's failure never failing the others. Reads
/// that fail throw <see cref="CrmCallFailedException"/> (<see cref="CrmForbiddenException"/> for a refused portal);
/// writes answer each learner's <see cref="ContactWriteResult"/>. Implemented for HubSpot by <see cref="ContactWriter"/>.
/// </summary>
public interface IContactGateway
{
    /// <summary>Requests sent to the CRM so far (retries included): what its quota is charged.</summary>
    long Requests { get; }

    /// <summary>The contact of each target the CRM has (by id, a merged-away id answering with its survivor; else by email), keyed by the target's ref.</summary>
    Task<IReadOnlyDictionary<string, CrmContact>> FindAsync(IReadOnlyCollection<ContactTarget> targets, CancellationToken ct);

    /// <summary>Looks once more for a contact batch reads did not find (by id, then by secondary email); null: gone.</summary>
    Task<CrmContact?> ConfirmAsync(ContactTarget target, CancellationToken ct);

    /// <summary>The contact holding <paramref name="email"/> as a secondary email, or null.</summary>
    Task<CrmContact?> FindBySecondaryEmailAsync(string email, CancellationToken ct);

    /// <summary>Creates contacts for targets the CRM does not know, with their properties; one result per item.</summary>
    Task<IReadOnlyList<ContactWriteResult>> CreateAsync(IReadOnlyList<(ContactTarget Target, IReadOnlyDictionary<string, string> Properties)> items, CancellationToken ct);

    /// <summary>Updates known contacts; one result per item (a contact merged meanwhile answers under its new id).</summary>
    Task<IReadOnlyList<ContactWriteResult>> UpdateAsync(IReadOnlyList<(string Ref, string ContactId, IReadOnlyDictionary<string, string> Properties)> items, CancellationToken ct);
}
