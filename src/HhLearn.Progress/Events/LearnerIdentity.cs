namespace HhLearn.Progress.Events;

/// <summary>Who an event or a read is about: a normalised email, a HubSpot contact id, or both.</summary>
public sealed record LearnerIdentity(string? Email, string? ContactId)
{
    public bool IsEmpty => Email is null && ContactId is null;

    /// <summary>One key per learner, email first: the store's key (hashed), the queue's message group, the batch grouping.</summary>
    public string Key => Email is not null ? $"email:{Email}" : $"id:{ContactId}";
}
