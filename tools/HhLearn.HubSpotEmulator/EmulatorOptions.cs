namespace HhLearn.HubSpotEmulator;

/// <summary>How a 409 on a duplicate email is worded: HubSpot has two documented forms.</summary>
public enum ConflictStyle
{
    /// <summary><c>category: CONFLICT</c>, message <c>Contact already exists. Existing ID: N</c>.</summary>
    Classic,

    /// <summary><c>category: OBJECT_ALREADY_EXISTS</c>, the id in <c>identityProfile.vid</c> and <c>context</c>.</summary>
    ObjectAlreadyExists,
}

/// <summary>What id a merged contact gets: HubSpot changed it (see docs/hubspot.md, "Merges").</summary>
public enum MergeStyle
{
    /// <summary>The merged record gets a new id; both previous ids point to it (HubSpot today).</summary>
    NewId,

    /// <summary>The merged record keeps the primary's id; the other id points to it (HubSpot before the change).</summary>
    KeepPrimary,
}

public sealed record EmulatorOptions
{
    /// <summary>The accepted private app token; null accepts any non-empty bearer token.</summary>
    public string? Token { get; init; }

    /// <summary>Requests per rolling 10 seconds per token (HubSpot Free/Starter: 100).</summary>
    public int RequestsPerTenSeconds { get; init; } = 100;

    /// <summary>Search requests per second per account.</summary>
    public int SearchRequestsPerSecond { get; init; } = 5;

    public int DailyLimit { get; init; } = 250_000;

    /// <summary>How long a created or updated contact takes to show in search results.</summary>
    public TimeSpan SearchLag { get; init; } = TimeSpan.FromSeconds(2);

    public ConflictStyle ConflictStyle { get; init; } = ConflictStyle.Classic;

    public MergeStyle MergeStyle { get; init; } = MergeStyle.NewId;

    /// <summary>Optional JSON file the data is loaded from at start and saved to after changes.</summary>
    public string? DataFile { get; init; }

    public FaultSettings Faults { get; init; } = new();

    /// <summary>The portal's switchable behaviours (undocumented variants and portal settings).</summary>
    public PortalBehaviour Behaviour { get; init; } = new();

    /// <summary>Parses <c>100/10s</c> or <c>100</c>.</summary>
    public static int ParseRateLimit(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        if (value.EndsWith("/10s", StringComparison.OrdinalIgnoreCase))
        {
            value = value[..^4];
        }

        return int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit > 0
            ? limit
            : throw new FormatException($"rate limit '{text}' is not like 100/10s");
    }

    /// <summary>Parses <c>2s</c>, <c>500ms</c> or <c>0</c>.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        if (value.EndsWith("ms", StringComparison.OrdinalIgnoreCase) && double.TryParse(value[..^2], culture, out var ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (value.EndsWith('s') && double.TryParse(value[..^1], culture, out var s))
        {
            return TimeSpan.FromSeconds(s);
        }

        return double.TryParse(value, culture, out var plain) ? TimeSpan.FromSeconds(plain) : throw new FormatException($"duration '{text}' is not like 2s or 500ms");
    }
}

/// <summary>Injected faults, settable at start and at run time through <c>POST /_emulator/faults</c>.</summary>
public sealed record FaultSettings
{
    /// <summary>Share (0..1) of API requests answered with a 5xx.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Added to every API request.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Until when every API request answers 503.</summary>
    public DateTimeOffset? OutageUntil { get; init; }

    /// <summary>Answer the next <see cref="FailNextCount"/> API requests with this status (429, 423, 477, 5xx).</summary>
    public int FailNextStatus { get; init; }

    public int FailNextCount { get; init; }

    /// <summary>The 429 policy for <see cref="FailNextStatus"/> 429: TEN_SECONDLY_ROLLING, SECONDLY or DAILY.</summary>
    public string FailNextPolicy { get; init; } = "TEN_SECONDLY_ROLLING";
}
