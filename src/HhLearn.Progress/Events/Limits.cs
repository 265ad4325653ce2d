namespace HhLearn.Progress.Events;

/// <summary>The input limits of docs/architecture.md section 3.</summary>
public static class Limits
{
    /// <summary>10 KB, counted in UTF-8 bytes.</summary>
    public const int MaxBodyBytes = 10 * 1024;
    public const int MaxSlugLength = 200;
    public const int MaxEmailLength = 255;
    public const int MaxContactIdLength = 50;
    public const int MaxFreeStringLength = 1000;
    public const int MaxPayloadProperties = 50;
    public const int MaxEventIdLength = 100;

    /// <summary>Nesting allowed inside <c>payload</c> values that we do not interpret.</summary>
    public const int MaxPayloadDepth = 4;

    /// <summary>How far in the future <c>payload.ts</c> may be before the server time is used instead.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The earliest <c>payload.ts</c> taken as the event's time: an earlier one (a default date such as
    /// <c>0001-01-01</c>, an epoch of 0) is implausible for a learning event and is replaced by the server time, as a
    /// time too far in the future is, with an <c>event_time_ignored</c> warning.
    /// </summary>
    public static readonly DateTimeOffset EarliestEventTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far a claimed <c>completed_at</c> may be from the inferred one before it is reported.</summary>
    public static readonly TimeSpan CompletionMismatchTolerance = TimeSpan.FromMinutes(5);

    /// <summary>HubSpot's limit for a string property value.</summary>
    public const int MaxPropertyValueLength = 65_536;
}
