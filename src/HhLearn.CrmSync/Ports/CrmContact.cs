namespace HhLearn.CrmSync;

/// <summary>
/// A contact as the CRM holds it, in the application's terms: its id and its property values (strings, or null). What
/// tells which learner it answers (the ids merged into it, its emails) is read here, in one place.
/// </summary>
public sealed record CrmContact(string Id, IReadOnlyDictionary<string, string?> Properties)
{
    public string? Property(string name) => Properties.TryGetValue(name, out var value) ? value : null;

    /// <summary>The ids merged into this contact (<c>hs_merged_object_ids</c>).</summary>
    public IReadOnlyList<string> MergedIds => Split(Property(ContactPropertyNames.MergedObjectIds));

    /// <summary>Whether the record answers a read of <paramref name="id"/>: its own id, or one merged into it.</summary>
    public bool Answers(string id) => Id == id || MergedIds.Contains(id, StringComparer.Ordinal);

    /// <summary>Whether the record holds <paramref name="email"/>, as its email or as an additional one.</summary>
    public bool HasEmail(string email) =>
        string.Equals(EmailAddress.Normalize(Property(ContactPropertyNames.Email) ?? string.Empty), email, StringComparison.Ordinal) ||
        Split(Property(ContactPropertyNames.AdditionalEmails)).Any(e => string.Equals(EmailAddress.Normalize(e), email, StringComparison.Ordinal));

    private static string[] Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
