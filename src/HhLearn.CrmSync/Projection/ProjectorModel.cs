namespace HhLearn.CrmSync;

/// <summary>What became of one queue message.</summary>
public enum MessageOutcome
{
    /// <summary>Its learner is projected (or needs nothing): delete it.</summary>
    Done,

    /// <summary>HubSpot or the store failed for now: let it come back.</summary>
    Retry,

    /// <summary>Can never succeed (unreadable; HubSpot refuses the learner for good): left to reach the DLQ.</summary>
    Poison,
}

/// <summary>One message of a projection batch: the nudge it carries (null when unreadable), when SQS took it, and its outcome.</summary>
public sealed record ProjectionMessage(string MessageId, string? GroupId, Nudge? Nudge, DateTimeOffset? SentAt = null)
{
    public MessageOutcome Outcome { get; set; } = MessageOutcome.Done;
}

public sealed record ProjectorOptions
{
    /// <summary>How long a projector holds the learners it writes (longer than one invocation can take).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The first pause of calls to HubSpot after it refused the portal (a missing scope, a required property); doubled each time.</summary>
    public TimeSpan FirstPause { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest such pause.</summary>
    public TimeSpan LongestPause { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How old the batch's oldest nudge must be before the store is read: a batch that arrives at once waits the
    /// rest, so that the events of the next moment ride in the same HubSpot calls (SQS FIFO mappings have no batching
    /// window of their own). Zero reads at once.
    /// </summary>
    public TimeSpan Coalesce { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many learners are marked projected in the store at once.</summary>
    public int MarkParallelism { get; init; } = 16;

    /// <summary>
    /// Besides the nudged learners, project up to this many others that are behind (the due index) in the same
    /// HubSpot calls: one batch update then carries up to 100 learners. 0 projects the nudged learners only.
    /// </summary>
    public int FillUpTo { get; init; } = 100;

    /// <summary>
    /// Collect learners for a window and write them together (see <see cref="ProjectionWindow"/>); null writes each
    /// batch of nudges as it comes (after <see cref="Coalesce"/>), and a zero length does too but still counts usage.
    /// </summary>
    public ProjectionWindowOptions? Window { get; init; }

    /// <summary>The most learners the owner of a window writes when it closes (oldest first); more are left for the next window, nudged at once.</summary>
    public int WindowFillUpTo { get; init; } = 500;
}
