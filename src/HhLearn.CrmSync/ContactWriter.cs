namespace HhLearn.CrmSync;

/// <summary>A learner as HubSpot should know it: an email, a contact id, or both. <see cref="Ref"/> names it to the caller.</summary>
public sealed record ContactTarget(string Ref, string? Email, string? ContactId);

/// <summary>How a write of one learner ended.</summary>
public enum ContactWriteStatus
{
    Written,

    /// <summary>HubSpot has no such contact (by id; and by email, for a create that named one): deleted, or never there.</summary>
    NotFound,

    /// <summary>The contact exists already (a 409 on create): <see cref="ContactWriteResult.ContactId"/> names it; nothing was written.</summary>
    Exists,

    /// <summary>HubSpot failed in a way a retry may fix (429, 5xx, outage, token).</summary>
    Retry,

    /// <summary>HubSpot refused this learner's values for good (a 400 on its own input).</summary>
    Refused,

    /// <summary>
    /// HubSpot refused because of the portal or the token, not the learner: a missing scope (403 <c>MISSING_SCOPES</c>), or
    /// a property the portal requires on create. Nobody is blocked; calls pause until an operator fixes the portal.
    /// </summary>
    Misconfigured,
}

/// <summary>
/// How one learner's write ended. <see cref="ContactId"/> is the record HubSpot wrote, which differs from the id asked
/// when the contact was merged meanwhile (the merged record has a new id); <see cref="MergedIds"/> then lists the ids
/// merged into it.
/// </summary>
public sealed record ContactWriteResult(string Ref, ContactWriteStatus Status, string? ContactId, bool Created = false, string? Error = null, string? CorrelationId = null)
{
    public IReadOnlyList<string> MergedIds { get; init; } = [];
}

/// <summary>
/// HubSpot's side of every write, in one place, for the projector and for direct mode: finding contacts (batch read
/// by id and by email, never search), creating the ones HubSpot does not know (as leads, with their properties) and
/// updating the others, a hundred per call. Results are matched to what was asked, never to a record's primary email
/// or id (a contact is found by a secondary email, a merged-away id answers with its survivor's). One learner's bad
/// value or conflict never fails the others: a batch HubSpot refuses as a whole is tried again one learner at a time.
/// </summary>
public sealed partial class ContactWriter(HubSpotClient hubSpot, ContactWriterOptions? options = null) : IContactGateway
{
    private readonly ContactWriterOptions _options = options ?? new ContactWriterOptions();

    public const int BatchLimit = 100;

    /// <summary>HubSpot requests sent so far (retries included): what the quota is charged.</summary>
    public long Requests => hubSpot.Stats.Requests;

    /// <summary>What a read asks for: the progress properties, and what tells which input a record answers.</summary>
    public static readonly IReadOnlyList<string> ReadProperties =
        [.. ContactPropertyNames.ReadSet, ContactPropertyNames.AdditionalEmails, ContactPropertyNames.MergedObjectIds];

    /// <summary>
    /// The contact of each target that HubSpot has: by id for targets with one (a merged-away id answers with the
    /// survivor), by email for the others and for id targets whose id HubSpot no longer knows. Absent when none.
    /// </summary>
    public Task<IReadOnlyDictionary<string, CrmContact>> FindAsync(IReadOnlyCollection<ContactTarget> targets, CancellationToken ct) => Translated(async () =>
    {
        ArgumentNullException.ThrowIfNull(targets);
        var found = new Dictionary<string, CrmContact>(StringComparer.Ordinal);
        var byId = targets.Where(t => t.ContactId is not null).ToList();
        foreach (var chunk in byId.Select(t => t.ContactId!).Distinct(StringComparer.Ordinal).Chunk(BatchLimit))
        {
            // Each record converted once, not once per target it is compared with.
            var read = (await hubSpot.BatchReadContactsAsync(chunk, ReadProperties, byEmail: false, ct)).Results.Select(c => ToCrm(c)).ToList();
            foreach (var target in byId)
            {
                if (read.FirstOrDefault(c => c.Answers(target.ContactId!)) is { } contact)
                {
                    found[target.Ref] = contact;
                }
            }
        }

        var byEmail = targets.Where(t => t.Email is not null && !found.ContainsKey(t.Ref)).ToList();
        foreach (var chunk in byEmail.Select(t => t.Email!).Distinct(StringComparer.Ordinal).Chunk(BatchLimit))
        {
            var read = (await hubSpot.BatchReadContactsAsync(chunk, ReadProperties, byEmail: true, ct)).Results.Select(c => ToCrm(c)).ToList();
            foreach (var target in byEmail)
            {
                if (read.FirstOrDefault(c => c.HasEmail(target.Email!)) is { } contact)
                {
                    found[target.Ref] = contact;
                }
            }
        }

        return (IReadOnlyDictionary<string, CrmContact>)found;
    });

    /// <summary>
    /// Looks once more for a contact batch reads did not find, before anyone concludes it was deleted: a single read by
    /// id (which follows merges in every variant), then a search for the email as a secondary email. Null: gone.
    /// </summary>
    public Task<CrmContact?> ConfirmAsync(ContactTarget target, CancellationToken ct) => Translated(async () =>
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.ContactId is { } id)
        {
            try
            {
                return ToCrm(await hubSpot.GetContactAsync(id, ReadProperties, ct));
            }
            catch (HubSpotNotFoundException)
            {
                // Not by id: maybe by email.
            }
        }

        return target.Email is { } email ? await FindBySecondaryEmailAsync(email, ct) : null;
    });

    /// <summary>
    /// The contact holding <paramref name="email"/> as a secondary email, found by search (batch reads by email may not
    /// see secondary emails: undocumented). Searched only before deciding that a contact was deleted.
    /// </summary>
    public Task<CrmContact?> FindBySecondaryEmailAsync(string email, CancellationToken ct) => Translated(async () =>
    {
        var found = ToCrm(await hubSpot.SearchContactByAdditionalEmailAsync(email, ReadProperties, ct));
        return found is not null && found.HasEmail(email) ? found : null;
    });

    /// <summary>The application's view of a contact HubSpot returned.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(contact))]
    private static CrmContact? ToCrm(HubSpotContact? contact) => contact is null ? null : new CrmContact(contact.Id, contact.Properties);

    // The write paths compare HubSpot's answers with what they asked through the same rules as the reads.

    private static IReadOnlyList<string> MergedIdsOf(HubSpotContact? contact) => ToCrm(contact)?.MergedIds ?? [];

    private static bool Answers(HubSpotContact contact, string id) => ToCrm(contact).Answers(id);

    private static bool HasEmail(HubSpotContact contact, string email) => ToCrm(contact).HasEmail(email);

    /// <summary>HubSpot's failures of a read, in the application's terms: the portal refused (403), or the call failed for now.</summary>
    private static async Task<T> Translated<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (HubSpotForbiddenException ex)
        {
            throw new CrmForbiddenException(ex.Category, ex.CorrelationId, ex.GetType().Name, ex.Message, ex.RequiredScopes, ex);
        }
        catch (HubSpotApiException ex)
        {
            throw new CrmCallFailedException(ex.StatusCode, ex.Category, ex.CorrelationId, ex.GetType().Name, ex.Message, ex);
        }
    }
}

/// <summary>How contacts are written.</summary>
public sealed record ContactWriterOptions
{
    /// <summary>
    /// Values every created contact gets unless the learner's own values set them (HUBSPOT_CREATE_DEFAULTS, e.g.
    /// <c>lifecyclestage=lead</c>): for properties a portal requires on create (2026-09 enforces them on API writes).
    /// </summary>
    public IReadOnlyDictionary<string, string> CreateDefaults { get; init; } = new Dictionary<string, string> { [ContactPropertyNames.LifecycleStage] = "lead" };

    /// <summary>Parses <c>name=value,name=value</c>; null with the problem when it is not that.</summary>
    public static (IReadOnlyDictionary<string, string>? Defaults, string? Problem) ParseDefaults(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (pair.Split('=', 2) is not [var name, var value] || name.Trim().Length == 0)
            {
                return (null, $"'{pair}' is not name=value");
            }

            defaults[name.Trim()] = value.Trim();
        }

        return (defaults, null);
    }
}
