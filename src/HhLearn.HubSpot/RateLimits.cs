namespace HhLearn.HubSpot;

/// <summary>
/// Client-side limits that keep the service under HubSpot's instead of bouncing off them. HubSpot counts a
/// rolling window, so a bucket that refills in one go every 10 seconds could let 2x the limit through
/// across a refill. This bucket holds a tenth of the limit as burst and refills the rest smoothly, so
/// that no 10-second window ever sees more than the limit. It runs on a <see cref="TimeProvider"/>, so tests
/// drive it with a fake clock.
/// </summary>
public sealed class HubSpotRateLimiter : IAsyncDisposable
{
    private readonly TokenBucket _requests;
    private readonly TokenBucket _search;

    public HubSpotRateLimiter(int requestsPerTenSeconds, int searchesPerSecond, TimeProvider? time = null)
    {
        _requests = TokenBucket.Smooth(requestsPerTenSeconds, TimeSpan.FromSeconds(10), time ?? TimeProvider.System);
        _search = TokenBucket.Smooth(searchesPerSecond, TimeSpan.FromSeconds(1), time ?? TimeProvider.System);
    }

    /// <summary>Waits for a request slot (and a search slot for search calls), oldest caller first.</summary>
    public async ValueTask AcquireAsync(bool search, CancellationToken cancellationToken)
    {
        if (search)
        {
            await _search.TakeAsync(cancellationToken);
        }

        await _requests.TakeAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _requests.Dispose();
        _search.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A token bucket on a <see cref="TimeProvider"/>: <c>burst</c> tokens at most, one more every <c>period</c>.
/// Callers take tokens one at a time in the order they came (a semaphore queues them).
/// </summary>
internal sealed class TokenBucket(int burst, TimeSpan period, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private double _tokens = burst;
    private long _refilledAt = time.GetTimestamp();

    /// <summary>Burst b = max(1, limit/10); refill (limit - b - 1) tokens per window, one at a time: b + refill &lt; limit.</summary>
    public static TokenBucket Smooth(int limit, TimeSpan window, TimeProvider time)
    {
        var burst = Math.Max(1, limit / 10);
        var refillPerWindow = Math.Max(1, limit - burst - 1);
        return new TokenBucket(burst, window / refillPerWindow, time);
    }

    public async ValueTask TakeAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        try
        {
            while (true)
            {
                var now = time.GetTimestamp();
                _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_refilledAt, now) / period));
                _refilledAt = now;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return;
                }

                // At least a millisecond: a wait that rounds to nothing would spin without letting the clock move.
                var wait = period * (1 - _tokens);
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, ct);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();
}
