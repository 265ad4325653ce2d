namespace HhLearn.CrmSync;

/// <summary>The CRM refused the token or the portal (403: a missing scope): the portal's problem, never a learner's.</summary>
public sealed class CrmForbiddenException : CrmCallFailedException
{
    public CrmForbiddenException()
    {
    }

    public CrmForbiddenException(string message)
        : base(message)
    {
    }

    public CrmForbiddenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CrmForbiddenException(string? category, string? correlationId, string kind, string message, IReadOnlyList<string> requiredScopes, Exception? innerException = null)
        : base(403, category, correlationId, kind, message, innerException) => RequiredScopes = requiredScopes;

    /// <summary>The scopes the CRM said the token lacks.</summary>
    public IReadOnlyList<string> RequiredScopes { get; } = [];
}
