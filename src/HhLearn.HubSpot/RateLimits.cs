using System.Threading.RateLimiting;

namespace HhLearn.HubSpot;

/// <summary>
/// Client-side limits that keep the service under HubSpot's instead of bouncing off them. HubSpot counts a
/// rolling window, so a bucket that refills in one go every 10 seconds could let 2x the limit through
/// across a refill. This bucket holds a tenth of the limit as burst and refills the rest smoothly, so
/// that no 10-second window ever sees more than the limit.
/// </summary>
public sealed class HubSpotRateLimiter : IAsyncDisposable
{
    private readonly TokenBucketRateLimiter _requests;
    private readonly TokenBucketRateLimiter _search;

    public HubSpotRateLimiter(int requestsPerTenSeconds, int searchesPerSecond)
    {
        _requests = Smooth(requestsPerTenSeconds, TimeSpan.FromSeconds(10));
        _search = Smooth(searchesPerSecond, TimeSpan.FromSeconds(1));
    }

    /// <summary>Waits for a request slot (and a search slot for search calls).</summary>
    public async ValueTask<RateLimitLease> AcquireAsync(bool search, CancellationToken cancellationToken)
    {
        if (search)
        {
            using var searchLease = await _search.AcquireAsync(1, cancellationToken);
            EnsureAcquired(searchLease);
        }

        var lease = await _requests.AcquireAsync(1, cancellationToken);
        EnsureAcquired(lease);
        return lease;
    }

    public async ValueTask DisposeAsync()
    {
        await _requests.DisposeAsync();
        await _search.DisposeAsync();
    }

    private static void EnsureAcquired(RateLimitLease lease)
    {
        if (!lease.IsAcquired)
        {
            throw new HubSpotUnavailableException("client-side rate limiter queue is full", null);
        }
    }

    /// <summary>Burst b = max(1, limit/10); refill (limit - b - 1) tokens per window, one at a time: b + refill &lt; limit.</summary>
    private static TokenBucketRateLimiter Smooth(int limit, TimeSpan window)
    {
        var burst = Math.Max(1, limit / 10);
        var refillPerWindow = Math.Max(1, limit - burst - 1);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = window / refillPerWindow,
            QueueLimit = 100_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
