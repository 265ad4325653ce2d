namespace HhLearn.HubSpot;

public sealed class HubSpotUnauthorizedException(string? category, string? correlationId, string message)
    : HubSpotApiException(401, category, correlationId, message);
