namespace HhLearn.Store;

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
