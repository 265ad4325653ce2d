namespace HhLearn.Progress;

/// <summary>
/// A value, or the reason there is none: what parsing an event (<c>Result&lt;TrackEvent, ValidationError&gt;</c>) and
/// reading stored progress (<c>Result&lt;ProgressState, string&gt;</c>, <c>Result&lt;LearnerProgress, string&gt;</c>) answer.
/// </summary>
public sealed class Result<TValue, TError>
    where TValue : class
    where TError : class
{
    private Result(TValue? value, TError? error)
    {
        Value = value;
        Error = error;
    }

    public TValue? Value { get; }

    /// <summary>Why there is no value; null when <see cref="Value"/> is set.</summary>
    public TError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Value is not null;

    [SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Result<T, E>.Ok(v) reads better than a second, non-generic factory type")]
    public static Result<TValue, TError> Ok(TValue value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    [SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "as Ok")]
    public static Result<TValue, TError> Fail(TError error) => new(null, error ?? throw new ArgumentNullException(nameof(error)));
}
