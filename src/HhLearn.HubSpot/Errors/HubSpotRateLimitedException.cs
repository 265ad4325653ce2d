namespace HhLearn.HubSpot;

public sealed class HubSpotRateLimitedException(string? correlationId, string message, string? policyName, TimeSpan? retryAfter)
    : HubSpotApiException(429, "RATE_LIMIT", correlationId, message)
{
    /// <summary><c>TEN_SECONDLY_ROLLING</c>, <c>SECONDLY</c> or <c>DAILY</c>.</summary>
    public string? PolicyName { get; } = policyName;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>A daily limit does not clear by retrying within minutes.</summary>
    public bool IsDaily => string.Equals(PolicyName, "DAILY", StringComparison.OrdinalIgnoreCase);

    public override bool IsTransient => !IsDaily;
}
