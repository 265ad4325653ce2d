namespace HhLearn.HubSpot;

public sealed class HubSpotForbiddenException(string? category, string? correlationId, string message, IReadOnlyList<string> requiredScopes)
    : HubSpotApiException(403, category, correlationId, message)
{
    public IReadOnlyList<string> RequiredScopes { get; } = requiredScopes;
}
