namespace HhLearn.Store;

/// <summary>The store could not be reached or refused to serve (throttled after retries, 5xx, a timeout): nothing was changed.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
