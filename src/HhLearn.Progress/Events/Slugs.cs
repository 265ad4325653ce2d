namespace HhLearn.Progress.Events;

public static class Slugs
{
    /// <summary>The characters a slug may hold, as the problem line says them.</summary>
    public const string Alphabet = "lower-case letters a-z, digits, '-' and '_', starting with a letter or a digit";

    /// <summary>
    /// Null when <paramref name="slug"/> is usable, else the problem. The one slug rule, for events, queries and the
    /// catalog. Slugs become JSON keys, <c>;</c>-joined milestone lists in HubSpot and cells of marketing's CSV exports,
    /// so only a safe alphabet is taken: lower-case ASCII letters, digits, <c>-</c> and <c>_</c>, first a letter or a
    /// digit. That keeps out separators, white space, look-alike and invisible characters, and the characters a
    /// spreadsheet reads as the start of a formula (<c>= + - @</c>) or that build one (<c>" ( &amp;</c>).
    /// </summary>
    public static string? Problem(string slug)
    {
        ArgumentNullException.ThrowIfNull(slug);
        if (slug.Length == 0)
        {
            return "must not be empty";
        }

        if (slug.Length > Limits.MaxSlugLength)
        {
            return $"must be at most {Limits.MaxSlugLength} characters (got {slug.Length})";
        }

        if (!IsLetterOrDigit(slug[0]))
        {
            return $"must start with a lower-case letter or a digit ({Alphabet})";
        }

        foreach (var ch in slug)
        {
            if (!IsLetterOrDigit(ch) && ch is not '-' and not '_')
            {
                return $"may hold only {Alphabet}";
            }
        }

        return null;
    }

    private static bool IsLetterOrDigit(char ch) => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
