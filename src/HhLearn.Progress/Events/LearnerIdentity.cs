namespace HhLearn.Progress.Events;

/// <summary>Who an event or a read is about: a normalised email, a HubSpot contact id, or both.</summary>
public sealed record LearnerIdentity(string? Email, string? ContactId)
{
    public bool IsEmpty => Email is null && ContactId is null;

    /// <summary>One key per learner, email first: the store's key (hashed), the queue's message group, the batch grouping.</summary>
    public string Key => Email is not null ? $"email:{Email}" : $"id:{ContactId}";

    /// <summary>The learner's names, from a verified token's claims: given to HubSpot when it creates their contact.</summary>
    public LearnerNames? Names { get; init; }
}

/// <summary>A learner's given and family names (OIDC's <c>given_name</c>, <c>family_name</c>), each at most 100 characters.</summary>
public sealed record LearnerNames(string? Given, string? Family)
{
    public const int MaxLength = 100;

    /// <summary>The names from two claim values; a value that is blank, too long or holds control characters is left out. Null when neither is usable.</summary>
    public static LearnerNames? From(string? given, string? family)
    {
        var g = Clean(given);
        var f = Clean(family);
        return g is null && f is null ? null : new LearnerNames(g, f);
    }

    private static string? Clean(string? value) =>
        value?.Trim() is { Length: > 0 and <= MaxLength } text && !text.Any(char.IsControl) ? text : null;
}
