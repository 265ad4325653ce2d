namespace HhLearn.Progress.Events;

/// <summary>A validated track event. Slugs are resolved from the top level or the payload.</summary>
public sealed record TrackEvent
{
    public required EventKind Kind { get; init; }
    public string Name => Kind.ToWire();

    /// <summary>The client's id for the event, when it sent one.</summary>
    public string? EventId { get; init; }

    /// <summary>Normalised (trimmed, lower-cased) email from <c>contactIdentifier</c>.</summary>
    public string? Email { get; init; }

    public string? ContactId { get; init; }
    public string? PathwaySlug { get; init; }
    public string? CourseSlug { get; init; }
    public string? ModuleSlug { get; init; }
    public string? EnrollmentSource { get; init; }

    /// <summary><c>payload.ts</c> as parsed; null when missing or unparseable.</summary>
    public DateTimeOffset? ClaimedTime { get; init; }

    /// <summary><c>payload.completed_at</c> of an explicit completion.</summary>
    public DateTimeOffset? ClaimedCompletedAt { get; init; }

    public string? ContentType { get; init; }

    /// <summary><c>payload.slug</c> of a page view.</summary>
    public string? PageSlug { get; init; }

    public bool HasIdentity => Email is not null || ContactId is not null;

    /// <summary>
    /// The event's time: <c>payload.ts</c>, unless it is missing, unparseable, more than
    /// <see cref="Limits.MaxClockSkew"/> ahead of <paramref name="serverNow"/> (exactly 5 minutes passes) or before
    /// <see cref="Limits.EarliestEventTime"/>, in which case the server time. Kept to the millisecond, as stored.
    /// </summary>
    public DateTimeOffset TimeAt(DateTimeOffset serverNow) =>
        ClaimedTime is { } claimed && IsPlausible(claimed, serverNow)
            ? State.Stamp.Truncate(claimed)
            : State.Stamp.Truncate(serverNow);

    /// <summary>True when <c>payload.ts</c> was given but not used (too far in the future or the past).</summary>
    public bool ClaimedTimeIgnored(DateTimeOffset serverNow) => ClaimedTime is { } claimed && !IsPlausible(claimed, serverNow);

    private static bool IsPlausible(DateTimeOffset claimed, DateTimeOffset serverNow) =>
        claimed <= serverNow + Limits.MaxClockSkew && claimed >= Limits.EarliestEventTime;
}
