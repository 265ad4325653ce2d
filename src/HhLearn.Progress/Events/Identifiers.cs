namespace HhLearn.Progress.Events;

/// <summary>
/// The rules for the two ways a learner is named, email and HubSpot contact id, wherever they come from (an event
/// body, a query string, a token's claims). One place, so that every route accepts and refuses the same values.
/// Each check returns the problem (without the field name, which the caller knows) or null.
/// </summary>
public static class Identifiers
{
    /// <summary>Checks an email; on success <paramref name="normalized"/> is its normal form (trimmed, lower case).</summary>
    public static string? EmailProblem(string raw, out string? normalized)
    {
        ArgumentNullException.ThrowIfNull(raw);
        normalized = null;
        if (raw.Length > Limits.MaxEmailLength)
        {
            return $"must be at most {Limits.MaxEmailLength} characters (got {raw.Length})";
        }

        var candidate = EmailAddress.Normalize(raw);
        if (!EmailAddress.IsValid(candidate))
        {
            return "is not a valid email address";
        }

        normalized = candidate;
        return null;
    }

    /// <summary>
    /// Checks a HubSpot contact id: digits only, not all zeros (a value that would reduce to nothing names no
    /// contact, and an empty id in a HubSpot path is its list endpoint). On success <paramref name="id"/> is the id
    /// without leading zeros.
    /// </summary>
    public static string? ContactIdProblem(string text, out string? id)
    {
        ArgumentNullException.ThrowIfNull(text);
        id = null;
        if (text.Length > Limits.MaxContactIdLength)
        {
            return $"must be at most {Limits.MaxContactIdLength} characters (got {text.Length})";
        }

        if (text.Length == 0 || !text.All(char.IsAsciiDigit) || text.All(ch => ch == '0'))
        {
            return "must be a positive numeric HubSpot contact id";
        }

        id = text.TrimStart('0');
        return null;
    }

    /// <summary>An email if valid, else null: for values that were verified elsewhere (a token's claims).</summary>
    public static string? EmailOrNull(string? raw) => raw is not null && EmailProblem(raw, out var email) is null ? email : null;

    /// <summary>A contact id if valid, else null.</summary>
    public static string? ContactIdOrNull(string? raw) => raw is not null && ContactIdProblem(raw.Trim(), out var id) is null ? id : null;
}
