using System.Collections.Concurrent;

namespace HhLearn.HubSpotEmulator;

/// <summary>
/// What stands before every API request, in HubSpot's order: injected faults, the bearer token, and the rate
/// limits (a rolling 10-second window per token, a per-second search limit, a daily limit).
/// </summary>
public sealed class Gatekeeper(TimeProvider time, Func<EmulatorOptions> options, Func<bool> takeFailNext)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<long>> _windows = new(StringComparer.Ordinal);
    private readonly Queue<long> _searches = new();
    private readonly ConcurrentDictionary<string, long> _daily = new(StringComparer.Ordinal);
    private DateOnly _day;

    public sealed record Verdict(int Status, JsonObject? Body, IReadOnlyDictionary<string, string> Headers);

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    public Verdict? Check(string? authorization, bool search)
    {
        var current = options();
        var faults = current.Faults;
        var now = time.GetUtcNow();
        if (faults.OutageUntil is { } until && now < until)
        {
            return new Verdict(503, EmulatorJson.Error("Service Unavailable (emulated outage)", "SERVICE_UNAVAILABLE"), NoHeaders);
        }

        if (faults.FailNextCount > 0 && takeFailNext())
        {
            return faults.FailNextStatus switch
            {
                429 => new Verdict(429, Limited(faults.FailNextPolicy, $"You have reached your {faults.FailNextPolicy.ToLowerInvariant()} limit."), Headers(current, 0, 0)),
                423 => new Verdict(423, EmulatorJson.Error("The resource is locked (emulated)", "LOCKED"), NoHeaders),
                var status => new Verdict(status, EmulatorJson.Error($"Emulated failure {status}", status >= 500 ? "INTERNAL_ERROR" : "EMULATED"), NoHeaders),
            };
        }

        if (faults.ErrorRate > 0 && Random.Shared.NextDouble() < faults.ErrorRate)
        {
            var status = Random.Shared.Next(3) switch { 0 => 500, 1 => 502, _ => 503 };
            return new Verdict(status, EmulatorJson.Error("Internal error (emulated fault)", "INTERNAL_ERROR"), NoHeaders);
        }

        var token = authorization is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (string.IsNullOrEmpty(token) || (current.Token is not null && !string.Equals(token, current.Token, StringComparison.Ordinal)))
        {
            return new Verdict(401, EmulatorJson.Error(
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                "INVALID_AUTHENTICATION"), NoHeaders);
        }

        var ticks = time.GetTimestamp();
        lock (_lock)
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (today != _day)
            {
                _day = today;
                _daily.Clear();
            }

            var daily = _daily.GetValueOrDefault(token);
            if (daily >= current.DailyLimit)
            {
                return RateLimited("DAILY", "You have reached your daily limit.", current, 0, daily);
            }

            if (search)
            {
                Trim(_searches, ticks, TimeSpan.FromSeconds(1));
                if (_searches.Count >= current.SearchRequestsPerSecond)
                {
                    // Search answers carry no rate-limit headers.
                    return new Verdict(429, Limited("SECONDLY", "You have reached your secondly limit."), NoHeaders);
                }

                _searches.Enqueue(ticks);
                _daily[token] = daily + 1;
                return null;
            }

            var window = _windows.TryGetValue(token, out var q) ? q : _windows[token] = new Queue<long>();
            Trim(window, ticks, TimeSpan.FromSeconds(10));
            if (window.Count >= current.RequestsPerTenSeconds)
            {
                return RateLimited("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.", current, 0, daily);
            }

            window.Enqueue(ticks);
            _daily[token] = daily + 1;
            return new Verdict(0, null, Headers(current, current.RequestsPerTenSeconds - window.Count, daily + 1));
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _windows.Clear();
            _searches.Clear();
            _daily.Clear();
        }
    }

    private void Trim(Queue<long> queue, long now, TimeSpan window)
    {
        while (queue.Count > 0 && time.GetElapsedTime(queue.Peek(), now) >= window)
        {
            queue.Dequeue();
        }
    }

    private static Verdict RateLimited(string policy, string message, EmulatorOptions options, int remaining, long daily) =>
        new(429, Limited(policy, message), Headers(options, remaining, daily));

    private static JsonObject Limited(string policy, string message) => new()
    {
        ["status"] = "error",
        ["message"] = message,
        ["errorType"] = "RATE_LIMIT",
        ["correlationId"] = EmulatorJson.CorrelationId(),
        ["policyName"] = policy,
    };

    private static Dictionary<string, string> Headers(EmulatorOptions options, int remaining, long daily) => new()
    {
        ["X-HubSpot-RateLimit-Max"] = options.RequestsPerTenSeconds.ToString(CultureInfo.InvariantCulture),
        ["X-HubSpot-RateLimit-Remaining"] = Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture),
        ["X-HubSpot-RateLimit-Interval-Milliseconds"] = "10000",
        ["X-HubSpot-RateLimit-Daily"] = options.DailyLimit.ToString(CultureInfo.InvariantCulture),
        ["X-HubSpot-RateLimit-Daily-Remaining"] = Math.Max(0, options.DailyLimit - daily).ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>Request counts per endpoint (route template, never a raw path with an email in it) and per status.</summary>
public sealed class EmulatorStats
{
    private readonly ConcurrentDictionary<string, long> _byEndpoint = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, long> _byStatus = new();
    private readonly ConcurrentDictionary<string, long> _byVersion = new(StringComparer.Ordinal);
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void Record(string endpoint, int status)
    {
        Interlocked.Increment(ref _total);
        _byEndpoint.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
        _byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
    }

    public long Count(int status) => _byStatus.GetValueOrDefault(status);

    /// <summary>Counts a CRM request by the API version its path named (<c>v3</c>, <c>2026-09</c>).</summary>
    public void RecordVersion(string version) => _byVersion.AddOrUpdate(version, 1, (_, n) => n + 1);

    /// <summary>CRM requests that named <paramref name="version"/> in their path.</summary>
    public long CountVersion(string version) => _byVersion.GetValueOrDefault(version);

    public long Count(string endpoint) => _byEndpoint.GetValueOrDefault(endpoint);

    public void Reset()
    {
        _byEndpoint.Clear();
        _byStatus.Clear();
        _byVersion.Clear();
        Interlocked.Exchange(ref _total, 0);
    }

    public JsonObject ToJson() => new()
    {
        ["total"] = Total,
        ["byEndpoint"] = new JsonObject(_byEndpoint.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["byStatus"] = new JsonObject(_byStatus.OrderBy(kv => kv.Key).Select(kv => KeyValuePair.Create(kv.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
        ["byApiVersion"] = new JsonObject(_byVersion.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
    };
}
