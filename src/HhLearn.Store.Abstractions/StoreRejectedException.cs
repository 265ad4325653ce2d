namespace HhLearn.Store;

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
