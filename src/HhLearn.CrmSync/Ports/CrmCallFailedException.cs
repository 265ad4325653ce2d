namespace HhLearn.CrmSync;

/// <summary>
/// The CRM failed a call in a way a later attempt may fix (429, 5xx, an outage, a refused token): nothing a learner
/// did is wrong, so the caller retries or answers from the store. <see cref="Describe"/> is what logs carry.
/// </summary>
public class CrmCallFailedException : Exception
{
    public CrmCallFailedException()
    {
    }

    public CrmCallFailedException(string message)
        : base(message)
    {
    }

    public CrmCallFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CrmCallFailedException(int statusCode, string? category, string? correlationId, string kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Category = category;
        CorrelationId = correlationId;
        Kind = kind;
    }

    /// <summary>The HTTP status the CRM answered (0 when it did not answer).</summary>
    public int StatusCode { get; }

    /// <summary>The CRM's error category (<c>RATE_LIMITS</c>, <c>MISSING_SCOPES</c>), when it gave one.</summary>
    public string? Category { get; }

    /// <summary>The CRM's id of the failed request, for its support.</summary>
    public string? CorrelationId { get; }

    /// <summary>What kind of failure the CRM's client saw (its exception's name).</summary>
    public string Kind { get; } = nameof(CrmCallFailedException);

    /// <summary><c>status category</c> (or the kind when there is no category), as logs show it.</summary>
    public string Describe() => $"{StatusCode} {Category ?? Kind}";
}
