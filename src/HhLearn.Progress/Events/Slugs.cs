namespace HhLearn.Progress.Events;

public static class Slugs
{
    /// <summary>
    /// Null when <paramref name="slug"/> is usable, else the problem. Slugs become JSON keys and
    /// <c>;</c>-joined milestone lists, so they may not contain <c>;</c>, white space or control characters.
    /// </summary>
    public static string? Problem(string slug)
    {
        if (slug.Length == 0)
        {
            return "must not be empty";
        }

        if (slug.Length > Limits.MaxSlugLength)
        {
            return $"must be at most {Limits.MaxSlugLength} characters (got {slug.Length})";
        }

        foreach (var ch in slug)
        {
            if (char.IsWhiteSpace(ch) || char.IsControl(ch) || ch == ';' || char.IsSurrogate(ch) ||
                char.GetUnicodeCategory(ch) == System.Globalization.UnicodeCategory.Format)
            {
                // Invisible format characters (zero-width space, bidi overrides) would make look-alike slugs.
                return "must not contain white space, control or invisible format characters, surrogates or ';'";
            }
        }

        return null;
    }
}
