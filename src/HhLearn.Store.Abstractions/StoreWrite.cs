namespace HhLearn.Store;

/// <summary>What became of a write.</summary>
public enum StoreOutcome
{
    /// <summary>Stored as a new version.</summary>
    Written,

    /// <summary>Applying changed nothing (the same event again): nothing written.</summary>
    Unchanged,

    /// <summary>The rules refused the event; nothing written.</summary>
    Rejected,

    /// <summary>The stored document cannot be read: never overwritten.</summary>
    Corrupt,

    /// <summary>The result would be over HubSpot's 65,536-character limit: nothing written.</summary>
    TooLarge,
}

/// <summary>The answer of <see cref="ILearnerRepository.ApplyAsync"/>.</summary>
public sealed record StoreWrite(StoreOutcome Outcome, StoredLearner Learner, ApplyResult? Result, int Attempts, int StateLength = 0);
