using System.Diagnostics;
using HhLearn.HubSpotEmulator;

namespace HhLearn.HubSpot.Tests;

/// <summary>Retries, budgets, token refresh and client-side rate limiting, against the emulator's injected faults.</summary>
public class ResilienceTests
{
    private static Dictionary<string, string> Email(string email) => new() { ["email"] = email };

    [Fact]
    public async Task BurstOf429s_IsRetried_AndTheCallSucceeds()
    {
        await using var f = await ClientFixture.StartAsync();
        f.Emulator.FailNext(429, 3);
        var contact = await f.Client.CreateContactAsync(Email("burst@example.com"));
        Assert.NotNull(contact.Id);
        Assert.Equal(3, f.Emulator.Stats.Count(429));
        Assert.Equal(3, f.Client.Stats.RateLimited);
        Assert.Equal(3, f.Client.Stats.Retries);
        Assert.All(f.Events, e => Assert.Equal("TEN_SECONDLY_ROLLING", e.PolicyName));
    }

    [Fact]
    public async Task Daily429_IsNotRetried()
    {
        await using var f = await ClientFixture.StartAsync();
        f.Emulator.FailNext(429, 5, "DAILY");
        var error = await Assert.ThrowsAsync<HubSpotRateLimitedException>(() => f.Client.CreateContactAsync(Email("daily@example.com")));
        Assert.True(error.IsDaily);
        Assert.False(error.IsTransient);
        Assert.Equal(1, f.Emulator.Stats.Count(429));
    }

    [Fact]
    public async Task Daily429_FromTheEmulatorsDailyLimit_IsTyped()
    {
        await using var f = await ClientFixture.StartAsync();
        f.Emulator.Gate.Reset();
        f.Emulator.Configure(o => o with { DailyLimit = 1 });
        await f.Client.CreateContactAsync(Email("one@example.com"));
        var error = await Assert.ThrowsAsync<HubSpotRateLimitedException>(() => f.Client.CreateContactAsync(Email("two@example.com")));
        Assert.Equal("DAILY", error.PolicyName);
    }

    [Fact]
    public async Task WrongToken_IsTypedUnauthorized_AfterOneTokenReRead()
    {
        var tokens = new RotatingTokenProvider("stale", "still-wrong");
        await using var f = await ClientFixture.StartAsync(tokens: new StaticTokenProvider(ClientFixture.Token));
        await using var client = new HubSpotClient(f.Http, tokens, new HubSpotClientOptions { BaseDelay = TimeSpan.FromMilliseconds(10) });
        var error = await Assert.ThrowsAsync<HubSpotUnauthorizedException>(() => client.CreateContactAsync(Email("x@example.com")));
        Assert.Equal("INVALID_AUTHENTICATION", error.Category);
        Assert.Equal(1, tokens.Refreshes);
        Assert.Equal(2, f.Emulator.Stats.Count(401));
    }

    [Fact]
    public async Task RotatedToken_IsPickedUpAfterA401_AndTheCallSucceeds()
    {
        var tokens = new RotatingTokenProvider("old-token", ClientFixture.Token);
        await using var f = await ClientFixture.StartAsync();
        await using var client = new HubSpotClient(f.Http, tokens, new HubSpotClientOptions());
        var contact = await client.CreateContactAsync(Email("rotated@example.com"));
        Assert.NotNull(contact.Id);
        Assert.Equal(1, tokens.Refreshes);
    }

    [Fact]
    public async Task BurstOf5xx_IsRetriedWithinTheBudget()
    {
        await using var f = await ClientFixture.StartAsync();
        f.Emulator.FailNext(502, 2);
        f.Emulator.Configure(o => o);
        var contact = await f.Client.CreateContactAsync(Email("five@example.com"));
        Assert.NotNull(contact.Id);
        Assert.Equal(2, f.Emulator.Stats.Count(502));
    }

    [Fact]
    public async Task ShortOutage_IsRiddenOut()
    {
        await using var f = await ClientFixture.StartAsync(clientOptions: new HubSpotClientOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(1), MaxAttempts = 10, TotalBudget = TimeSpan.FromSeconds(10),
        });
        f.Emulator.SetFaults(new FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddSeconds(1.5) });
        var contact = await f.Client.CreateContactAsync(Email("outage@example.com"));
        Assert.NotNull(contact.Id);
        Assert.True(f.Emulator.Stats.Count(503) >= 1);
    }

    [Fact]
    public async Task OutageLongerThanTheBudget_FailsTyped_WithinTheBudget()
    {
        await using var f = await ClientFixture.StartAsync(clientOptions: new HubSpotClientOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(400), MaxAttempts = 50, TotalBudget = TimeSpan.FromSeconds(2),
        });
        f.Emulator.SetFaults(new FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(5) });
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<HubSpotApiException>(() => f.Client.CreateContactAsync(Email("long@example.com")));
        clock.Stop();
        Assert.True(error.IsTransient);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Locked423_IsRetriedAfterAtLeastTheLockedDelay()
    {
        await using var f = await ClientFixture.StartAsync(clientOptions: new HubSpotClientOptions { LockedDelay = TimeSpan.FromMilliseconds(300), BaseDelay = TimeSpan.FromMilliseconds(10) });
        f.Emulator.FailNext(423, 1);
        var clock = Stopwatch.StartNew();
        await f.Client.CreateContactAsync(Email("locked@example.com"));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"retried after {clock.Elapsed}");
    }

    [Fact]
    public void LockedDelay_DefaultsToTwoSeconds() => Assert.Equal(TimeSpan.FromSeconds(2), new HubSpotClientOptions().LockedDelay);

    [Fact]
    public async Task Other4xx_AreNotRetried()
    {
        await using var f = await ClientFixture.StartAsync();
        await Assert.ThrowsAsync<HubSpotValidationException>(() => f.Client.CreateContactAsync(new Dictionary<string, string> { ["bogus"] = "1" }));
        await Assert.ThrowsAsync<HubSpotNotFoundException>(() => f.Client.GetContactAsync("123456", ["email"]));
        Assert.Equal(2, f.Emulator.Stats.Total);
        Assert.Equal(0, f.Client.Stats.Retries);
    }

    [Fact]
    public async Task NothingListening_IsTypedUnavailable()
    {
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") };
        await using var client = new HubSpotClient(http, new StaticTokenProvider("t"), new HubSpotClientOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(10) });
        var error = await Assert.ThrowsAsync<HubSpotUnavailableException>(() => client.CreateContactAsync(Email("x@example.com")));
        Assert.Equal(0, error.StatusCode);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task ABurstBeyondTheLimit_ThroughTheRateLimiter_GetsNo429s()
    {
        // 150 calls at 100 per 10 s: the burst, then one call every ~113 ms (about 16 s on the real clock, against the
        // emulator's real rolling window). The limiter's arithmetic is checked on a fake clock below.
        await using var f = await ClientFixture.StartAsync(
            new EmulatorOptions { RequestsPerTenSeconds = 100 },
            new HubSpotClientOptions { RequestsPerTenSeconds = 100, TotalBudget = TimeSpan.FromSeconds(90) });
        f.Emulator.Gate.Reset();
        var created = await f.Client.CreateContactAsync(Email("limit@example.com"));
        await Task.WhenAll(Enumerable.Range(0, 149).Select(_ => f.Client.GetContactAsync(created.Id, ["email"])));
        Assert.True(150 == f.Emulator.Stats.Total, f.Emulator.Stats.ToJson().ToJsonString());
        Assert.Equal(0, f.Emulator.Stats.Count(429));
        Assert.Equal(0, f.Client.Stats.RateLimited);
    }

    [Theory]
    [InlineData(100, 300)]
    [InlineData(190, 500)]
    public async Task TheLimiter_OnAFakeClock_NeverLetsAnyRolling10SecondsSeeMoreThanTheLimit_AndKeepsOrder(int limit, int callers)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var limiter = new HubSpotRateLimiter(limit, 5, clock);
        var granted = new System.Collections.Concurrent.ConcurrentQueue<(int Caller, DateTimeOffset At)>();
        var calls = new List<Task>();
        for (var i = 0; i < callers; i++)
        {
            var caller = i;
            calls.Add(Task.Run(async () =>
            {
                await limiter.AcquireAsync(search: false, CancellationToken.None);
                granted.Enqueue((caller, clock.GetUtcNow()));
            }));
            await Task.Yield();
        }

        var all = Task.WhenAll(calls);
        for (var step = 0; step < 100_000 && !all.IsCompleted; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(25));
            await Task.Delay(1);
        }

        await all.WaitAsync(TimeSpan.FromSeconds(10));
        var times = granted.Select(g => g.At).Order().ToList();
        Assert.Equal(callers, times.Count);
        Assert.All(times, at => Assert.True(times.Count(t => t >= at && t < at + TimeSpan.FromSeconds(10)) <= limit));

        // Smooth, not stalled: after the burst (a tenth of the limit) one grant per refill period, (limit - burst - 1) per 10 s.
        var burst = limit / 10;
        var expected = (callers - burst) * 10.0 / (limit - burst - 1);
        Assert.InRange((times[^1] - times[0]).TotalSeconds, expected * 0.95, (expected * 1.05) + 1);
    }

    [Theory]
    [InlineData("100", 100)]
    [InlineData("190", 190)]
    [InlineData("250/10s", 250)]
    public void RateLimitSetting_Parses(string text, int expected) => Assert.Equal(expected, HubSpotClientOptions.ParseRateLimit(text));

    [Fact]
    public void RateLimitSetting_Nonsense_IsAFormatError() => Assert.Throws<FormatException>(() => HubSpotClientOptions.ParseRateLimit("fast"));
}
