namespace HhLearn.HubSpot;

public sealed class HubSpotNotFoundException(string? category, string? correlationId, string message)
    : HubSpotApiException(404, category, correlationId, message);
