namespace HhLearn.CrmSync;

/// <summary>One learner of the batch: its stored state, its messages, what HubSpot said about it, and how far it got.</summary>
internal sealed class LearnerWork(StoredLearner stored)
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
