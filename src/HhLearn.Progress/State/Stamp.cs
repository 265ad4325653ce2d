using System.Globalization;

namespace HhLearn.Progress.State;

/// <summary>
/// A timestamp as stored in <c>hhl_progress_state</c>: the original text is kept so that
/// values we do not change are written back byte for byte; <see cref="Value"/> is null
/// when the stored text is not a parseable instant.
/// </summary>
public readonly record struct Stamp(string Text, DateTimeOffset? Value)
{
    private const string WireFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static Stamp From(DateTimeOffset instant)
    {
        var utc = Truncate(instant);
        return new Stamp(utc.ToString(WireFormat, CultureInfo.InvariantCulture), utc);
    }

    public static Stamp Parse(string text) => new(text, TryParseInstant(text));

    /// <summary>Instants are kept to the millisecond, as the stored format is.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    public static string Format(DateTimeOffset instant) => From(instant).Text;

    /// <summary>ISO-8601 with an offset or Z; a bare date-time is read as UTC; epoch milliseconds too (HubSpot's other form).</summary>
    public static DateTimeOffset? TryParseInstant(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return null;
        }

        if (text.All(char.IsAsciiDigit) && text.Length is >= 10 and <= 15 &&
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epochMs))
        {
            return Truncate(DateTimeOffset.FromUnixTimeMilliseconds(epochMs));
        }

        // A date-time needs at least yyyy-MM-ddTHH:mm; a bare date is not an instant.
        if (text.Length < 16 || (text[10] != 'T' && text[10] != 't' && text[10] != ' '))
        {
            return null;
        }

        return DateTimeOffset.TryParse(
            text,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var parsed)
            ? Truncate(parsed)
            : null;
    }

    /// <summary>
    /// The earlier of two stamps. A parseable stamp beats an unparseable one; ties are broken
    /// by ordinal text so that the result never depends on argument order.
    /// </summary>
    public static Stamp? Earliest(Stamp? a, Stamp? b) => Pick(a, b, preferEarlier: true);

    public static Stamp? Latest(Stamp? a, Stamp? b) => Pick(a, b, preferEarlier: false);

    /// <summary>Orders by instant (unparseable last), then by text.</summary>
    public static int Compare(Stamp a, Stamp b)
    {
        if (a.Value is { } x && b.Value is { } y)
        {
            var byTime = x.CompareTo(y);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Text, b.Text);
        }

        if (a.Value is not null)
        {
            return -1;
        }

        return b.Value is not null ? 1 : string.CompareOrdinal(a.Text, b.Text);
    }

    private static Stamp? Pick(Stamp? a, Stamp? b, bool preferEarlier)
    {
        if (a is not { } x)
        {
            return b;
        }

        if (b is not { } y)
        {
            return a;
        }

        // An unparseable stamp is never chosen over a real one, whichever way we pick.
        if (x.Value is null && y.Value is not null)
        {
            return y;
        }

        if (y.Value is null && x.Value is not null)
        {
            return x;
        }

        var cmp = Compare(x, y);
        return preferEarlier ? (cmp <= 0 ? x : y) : (cmp >= 0 ? x : y);
    }
}
