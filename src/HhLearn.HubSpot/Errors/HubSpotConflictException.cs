namespace HhLearn.HubSpot;

/// <summary>409: the contact exists already. <see cref="ExistingId"/> is recovered from either documented form.</summary>
public sealed class HubSpotConflictException(string? category, string? correlationId, string message, string? existingId)
    : HubSpotApiException(409, category, correlationId, message)
{
    public string? ExistingId { get; } = existingId;
}
