namespace HhLearn.HubSpot;

/// <summary>No answer: connection refused, reset, or the call's time budget ran out.</summary>
public sealed class HubSpotUnavailableException(string message, Exception? inner)
    : HubSpotApiException(0, null, null, message, inner);
