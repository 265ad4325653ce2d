namespace HhLearn.HubSpot;

public sealed class HubSpotValidationException(string? category, string? correlationId, string message, IReadOnlyList<HubSpotValidationProblem> problems)
    : HubSpotApiException(400, category, correlationId, message)
{
    public IReadOnlyList<HubSpotValidationProblem> Problems { get; } = problems;
}
