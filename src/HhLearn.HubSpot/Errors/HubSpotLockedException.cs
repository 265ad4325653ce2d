namespace HhLearn.HubSpot;

public sealed class HubSpotLockedException(int statusCode, string? category, string? correlationId, string message)
    : HubSpotApiException(statusCode, category, correlationId, message);
