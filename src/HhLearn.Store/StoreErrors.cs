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

/// <summary>Too many writers raced for one learner: every conditional write lost. Nothing was lost either: the caller retries.</summary>
public sealed class StoreContendedException : Exception
{
    public StoreContendedException()
    {
    }

    public StoreContendedException(string message)
        : base(message)
    {
    }

    public StoreContendedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// DynamoDB refused the request itself (a <c>ValidationException</c>: an item over 400 KB, an attribute it cannot take):
/// asking again gives the same answer, so this is never "retry later" (a 503 a client would repeat for ever).
/// </summary>
public sealed class StoreRejectedException : Exception
{
    public StoreRejectedException()
    {
    }

    public StoreRejectedException(string message)
        : base(message)
    {
    }

    public StoreRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
