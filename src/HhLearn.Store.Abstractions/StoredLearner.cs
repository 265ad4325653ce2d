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
