namespace HhLearn.CrmSync;

/// <summary>
/// A failure that retrying will not fix: corrupt or oversize stored state, an unknown contact id. The event is
/// kept (logged with enough to replay it, or left to reach the dead-letter queue) and never written over data.
/// </summary>
public class PermanentSyncException : Exception
{
    public PermanentSyncException()
        : this("SYNC_FAILED", "sync failed", null)
    {
    }

    public PermanentSyncException(string message)
        : this("SYNC_FAILED", message, null)
    {
    }

    public PermanentSyncException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "SYNC_FAILED";
    }

    public PermanentSyncException(string code, string message, string? contactId)
        : base(message)
    {
        Code = code;
        ContactId = contactId;
    }

    /// <summary>PROGRESS_STATE_CORRUPT, PROGRESS_STATE_TOO_LARGE or CONTACT_NOT_FOUND.</summary>
    public string Code { get; }

    public string? ContactId { get; }
}
