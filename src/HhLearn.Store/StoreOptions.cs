namespace HhLearn.Store;

/// <summary>How the DynamoDB store writes.</summary>
public sealed record StoreOptions
{
    /// <summary>
    /// Conditional writes that lose the race are retried this often (with a growing, jittered pause) before the caller
    /// is told to come back: enough for sixteen clients writing one learner at once.
    /// </summary>
    public int MaxAttempts { get; init; } = 40;

    /// <summary>
    /// The deployment's hash key: suppression records are written keyed with it (and checked in both forms). Without
    /// one they are written in the legacy unkeyed form (tests and tools that never erase anybody).
    /// </summary>
    public HashKey? HashKey { get; init; }
}
