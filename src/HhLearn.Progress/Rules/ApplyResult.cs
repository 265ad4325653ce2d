namespace HhLearn.Progress.Rules;

/// <summary>Something worth logging that did not stop the event, such as a completion time mismatch.</summary>
public sealed record ApplyWarning(string Code, string Message);

public static class WarningCodes
{
    public const string CompletedAtMismatch = "completed_at_mismatch";

    /// <summary><c>payload.ts</c> was too far in the future or the past: the server time was used.</summary>
    public const string EventTimeIgnored = "event_time_ignored";
}

/// <summary>What <see cref="ProgressEngine.ApplyAll"/> made of a sequence of events: the learner, and the events refused or warned about, by position.</summary>
public sealed record FoldResult(LearnerProgress Learner, IReadOnlyList<(int Index, ValidationError Error)> Rejected, IReadOnlyList<(int Index, ApplyWarning Warning)> Warnings);

public sealed class ApplyResult
{
    private ApplyResult(LearnerProgress? learner, ValidationError? rejection, IReadOnlyList<ApplyWarning> warnings, DateTimeOffset eventTime)
    {
        Learner = learner;
        Rejection = rejection;
        Warnings = warnings;
        EventTime = eventTime;
    }

    public LearnerProgress? Learner { get; }

    /// <summary>Why the event was refused (<see cref="ErrorCodes.InvalidEventData"/>); the learner is unchanged.</summary>
    public ValidationError? Rejection { get; }

    public IReadOnlyList<ApplyWarning> Warnings { get; }

    /// <summary>The time the event was applied at (see <see cref="TrackEvent.TimeAt"/>).</summary>
    public DateTimeOffset EventTime { get; }

    [MemberNotNullWhen(true, nameof(Learner))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsApplied => Learner is not null;

    public static ApplyResult Applied(LearnerProgress learner, IReadOnlyList<ApplyWarning> warnings, DateTimeOffset at) =>
        new(learner, null, warnings, at);

    public static ApplyResult Rejected(ValidationError rejection, DateTimeOffset at) => new(null, rejection, [], at);
}
