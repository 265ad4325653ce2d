namespace HhLearn.Progress.Events;

/// <summary>Email syntax check and the normal form used as the learner's identity.</summary>
public static class EmailAddress
{
    /// <summary>
    /// Trimmed and lower-cased, ASCII letters only: one learner, one identity, however the site typed it. Characters
    /// outside ASCII are left as they are (and <see cref="IsValid"/> refuses them), so that no Unicode case folding
    /// turns a look-alike into somebody else's address (the Kelvin sign <c>U+212A</c> lower-cases to <c>k</c>).
    /// </summary>
    public static string Normalize(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var trimmed = email.Trim();
        return string.Create(trimmed.Length, trimmed, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsAsciiLetterUpper(source[i]) ? (char)(source[i] | 0x20) : source[i];
            }
        });
    }

    /// <summary>
    /// A practical subset of RFC 5321 addresses: dot-atom local part (<= 64), a domain of at least two
    /// LDH labels (<= 63 each) ending in an alphabetic TLD. Quoted local parts and IP literals are refused.
    /// </summary>
    public static bool IsValid(string normalized)
    {
        if (normalized.Length is 0 or > Limits.MaxEmailLength)
        {
            return false;
        }

        var at = normalized.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != normalized.LastIndexOf('@') || at > 64)
        {
            return false;
        }

        var local = normalized.AsSpan(0, at);
        var domain = normalized.AsSpan(at + 1);
        return IsDotAtom(local) && IsDomain(domain);
    }

    private static bool IsDotAtom(ReadOnlySpan<char> local)
    {
        if (local.IsEmpty || local[0] == '.' || local[^1] == '.')
        {
            return false;
        }

        var previousDot = false;
        foreach (var ch in local)
        {
            if (ch == '.')
            {
                if (previousDot)
                {
                    return false;
                }

                previousDot = true;
                continue;
            }

            previousDot = false;
            if (!(char.IsAsciiLetterOrDigit(ch) || "!#$%&'*+/=?^_`{|}~-".Contains(ch, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDomain(ReadOnlySpan<char> domain)
    {
        if (domain.Length is 0 or > 253)
        {
            return false;
        }

        var labels = 0;
        var lastLabelAlphabetic = false;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            lastLabelAlphabetic = true;
            foreach (var ch in label)
            {
                if (!(char.IsAsciiLetterOrDigit(ch) || ch == '-'))
                {
                    return false;
                }

                if (!char.IsAsciiLetter(ch))
                {
                    lastLabelAlphabetic = false;
                }
            }

            labels++;
        }

        // Punycode TLDs (xn--...) are not alphabetic; allow them explicitly.
        var tld = domain[(domain.LastIndexOf('.') + 1)..];
        return labels >= 2 && tld.Length >= 2 && (lastLabelAlphabetic || tld.StartsWith("xn--", StringComparison.Ordinal));
    }
}
