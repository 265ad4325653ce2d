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

public sealed partial class Projector
{
    /// <summary>One learner of the batch: its stored state, its messages, what HubSpot said about it, and how far it got.</summary>
    private sealed class Work(StoredLearner stored)
    {
        public StoredLearner Stored { get; set; } = stored;
        public List<ProjectionMessage> Messages { get; } = [];
        public string Ref => Stored.Key;
        public ContactTarget Target => new(Ref, Stored.Email, ContactId ?? Stored.ContactId);
        public string? ContactId { get; set; } = stored.ContactId;

        /// <summary>The contact this batch found for the learner (by id or email), when it looked.</summary>
        public CrmContact? Found { get; set; }

        /// <summary>The contact id was learned or changed in this batch: other records of the person may exist.</summary>
        public bool NewContact { get; set; }

        /// <summary>The ids merged into the learner's contact, as HubSpot last told.</summary>
        public IReadOnlyList<string> MergedIds { get; set; } = [];
        public bool Create { get; set; }
        public bool Created { get; set; }
        public IReadOnlyDictionary<string, string>? Properties { get; set; }
        public string? BlockReason { get; set; }

        /// <summary>Marked projected (which gives its lease back).</summary>
        public bool Marked { get; set; }

        /// <summary>Combined into another record of the same person in this batch.</summary>
        public bool Combined { get; set; }

        /// <summary>Looked for other records of the person in this batch.</summary>
        public bool CombineChecked { get; set; }

        /// <summary>What was written to HubSpot (the state the mark records; a combination may have moved the learner on since).</summary>
        public StoredLearner? Written { get; set; }
        public MessageOutcome Outcome { get; private set; } = MessageOutcome.Done;
        public bool Pending { get; private set; } = true;

        public void Finish(MessageOutcome outcome)
        {
            Pending = false;
            Outcome = outcome;
        }
    }
}
