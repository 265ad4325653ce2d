namespace HhLearn.HubSpot;

/// <summary>An error answer from HubSpot (or no answer at all: <see cref="StatusCode"/> 0).</summary>
public class HubSpotApiException : Exception
{
    public HubSpotApiException()
        : this(0, null, null, "HubSpot call failed")
    {
    }

    public HubSpotApiException(string message)
        : this(0, null, null, message)
    {
    }

    public HubSpotApiException(string message, Exception innerException)
        : this(0, null, null, message, innerException)
    {
    }

    public HubSpotApiException(int statusCode, string? category, string? correlationId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Category = category;
        CorrelationId = correlationId;
    }

    public int StatusCode { get; }
    public string? Category { get; }

    /// <summary>HubSpot's id for the failed request; always log it.</summary>
    public string? CorrelationId { get; }

    /// <summary>Whether trying the same call again later can succeed.</summary>
    public virtual bool IsTransient => StatusCode is 0 or 423 or 429 or 477 or >= 500;
}
