namespace HhLearn.CrmSync;

/// <summary>
/// Where progress is kept cannot serve now (HubSpot in direct mode, the store, or a learner contended past the bound):
/// nothing was changed, and the client should come back after <see cref="RetryAfter"/>.
/// </summary>
public sealed class ProgressUnavailableException(string code, string message, TimeSpan retryAfter, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
