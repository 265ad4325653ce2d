namespace HhLearn.HubSpot;

public sealed class HubSpotServerException(int statusCode, string? category, string? correlationId, string message)
    : HubSpotApiException(statusCode, category, correlationId, message);
