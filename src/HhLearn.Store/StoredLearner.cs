namespace HhLearn.Store;

/// <summary>One learner's item in the progress store.</summary>
public sealed record StoredLearner
{
    public required string Key { get; init; }
    public string? Email { get; init; }

    /// <summary>The learner's names from a verified token, when its first event carried them: HubSpot's create gets them.</summary>
    public LearnerNames? Names { get; init; }

    /// <summary>The HubSpot contact id, once the projection (or an import) found or created the contact.</summary>
    public string? ContactId { get; init; }

    public LearnerProgress Learner { get; init; } = LearnerProgress.New;

    /// <summary>Incremented by every change; writes are conditional on it.</summary>
    public long Version { get; init; }

    /// <summary>The version HubSpot last received.</summary>
    public long ProjectedVersion { get; init; }

    public string? UpdatedAt { get; init; }

    /// <summary>HubSpot may hold progress from before the store (the earlier system): merge it in before projecting.</summary>
    public bool ImportPending { get; init; }

    /// <summary>When set, this key is another name of the learner stored under this key (one record per person).</summary>
    public string? AliasOf { get; init; }

    /// <summary>When the projection fell behind (the due index), or null when HubSpot holds the latest version.</summary>
    public string? DueSince { get; init; }

    /// <summary>Why the projection cannot write this learner (HubSpot refuses it for good); an operator's to clear.</summary>
    public string? Blocked { get; init; }

    /// <summary>
    /// Why, and since when, this learner is never sent to HubSpot (their contact was deleted there, or they asked to be
    /// forgotten): <c>reason at instant</c>, or null. Their events are still stored and answered.
    /// </summary>
    public string? Suppressed { get; init; }

    /// <summary>The keys of the records combined into this one (they are aliases of it now).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Why the stored document cannot be read, when it cannot; it is then never overwritten.</summary>
    public string? Corruption { get; init; }

    public bool Exists => Version > 0;

    public bool IsBehind => ProjectedVersion < Version;

    /// <summary>Whether the projection may write this learner: not blocked, not suppressed.</summary>
    public bool Projectable => Blocked is null && Suppressed is null;
}

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

/// <summary>The answer of <see cref="ProgressStore.ApplyAsync"/>.</summary>
public sealed record StoreWrite(StoreOutcome Outcome, StoredLearner Learner, ApplyResult? Result, int Attempts, int StateLength = 0);

/// <summary>What an import did to the store.</summary>
public enum ImportOutcome
{
    /// <summary>The store had no such learner: created from what HubSpot holds.</summary>
    Created,

    /// <summary>Joined with what the store had; HubSpot gets the union by the projection.</summary>
    Merged,

    /// <summary>The store already had everything HubSpot holds.</summary>
    Unchanged,

    /// <summary>The stored document cannot be read: left as it is.</summary>
    Corrupt,

    /// <summary>The person was forgotten or kept out of HubSpot (under one of their identifiers): nothing imported.</summary>
    Suppressed,
}
