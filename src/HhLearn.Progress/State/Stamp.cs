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

    /// <summary>The largest epoch-milliseconds value an instant can have (9999-12-31T23:59:59.999Z).</summary>
    public const long MaxEpochMilliseconds = 253_402_300_799_999;

    /// <summary>
    /// ISO-8601 with an offset or Z; a bare date-time is read as UTC; epoch milliseconds too (HubSpot's other form).
    /// Null for anything else, including epoch values past year 9999: never an exception, whatever the text.
    /// </summary>
    public static DateTimeOffset? TryParseInstant(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return null;
        }

        if (text.All(char.IsAsciiDigit) && text.Length is >= 10 and <= 15 &&
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epochMs))
        {
            return epochMs <= MaxEpochMilliseconds ? Truncate(DateTimeOffset.FromUnixTimeMilliseconds(epochMs)) : null;
        }

        if (TryParseCanonical(text) is { } canonical)
        {
            return canonical;
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
    /// The format this service writes (<c>2026-01-10T09:00:00.000Z</c>), parsed without the general parser:
    /// a stored state holds hundreds of these and is read on every event.
    /// </summary>
    private static DateTimeOffset? TryParseCanonical(string text)
    {
        if (text.Length != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
            text[16] != ':' || text[19] != '.' || text[23] != 'Z')
        {
            return null;
        }

        var span = text.AsSpan();
        if (!TryDigits(span[..4], out var year) || !TryDigits(span[5..7], out var month) || !TryDigits(span[8..10], out var day) ||
            !TryDigits(span[11..13], out var hour) || !TryDigits(span[14..16], out var minute) ||
            !TryDigits(span[17..19], out var second) || !TryDigits(span[20..23], out var millisecond))
        {
            return null;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 23 || minute > 59 || second > 59)
        {
            return null;
        }

        return new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero);
    }

    private static bool TryDigits(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (var ch in digits)
        {
            if (!char.IsAsciiDigit(ch))
            {
                return false;
            }

            value = (value * 10) + (ch - '0');
        }

        return true;
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
