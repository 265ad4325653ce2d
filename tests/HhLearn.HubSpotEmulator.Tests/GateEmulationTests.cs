using System.Net.Http.Headers;

namespace HhLearn.HubSpotEmulator.Tests;

/// <summary>Authentication, rate limits, faults, admin endpoints and persistence.</summary>
public class GateEmulationTests
{
    [Fact]
    public async Task MissingOrWrongToken_Is401WithTheDocumentedBody()
    {
        await using var f = await EmulatorFixture.StartAsync();
        f.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        var (status, body, _) = await f.GetAsync("crm/v3/objects/contacts/1");
        Assert.Equal(401, status);
        Assert.Equal("INVALID_AUTHENTICATION", (string)body!["category"]!);
        f.Http.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(401, (await f.GetAsync("crm/v3/objects/contacts/1")).Status);
    }

    [Fact]
    public async Task TenSecondlyLimit_Answers429WithPolicyName_AndRateLimitHeaders()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { RequestsPerTenSeconds = 5 });
        var first = await f.GetAsync("crm/v3/objects/contacts/1");
        Assert.Equal("5", first.Response.Headers.GetValues("X-HubSpot-RateLimit-Max").Single());
        Assert.Equal("4", first.Response.Headers.GetValues("X-HubSpot-RateLimit-Remaining").Single());
        Assert.Equal("10000", first.Response.Headers.GetValues("X-HubSpot-RateLimit-Interval-Milliseconds").Single());
        Assert.True(first.Response.Headers.Contains("X-HubSpot-RateLimit-Daily-Remaining"));
        for (var i = 0; i < 4; i++)
        {
            await f.GetAsync("crm/v3/objects/contacts/1");
        }

        var (status, body, _) = await f.GetAsync("crm/v3/objects/contacts/1");
        Assert.Equal(429, status);
        Assert.Equal(("RATE_LIMIT", "TEN_SECONDLY_ROLLING"), ((string)body!["errorType"]!, (string)body["policyName"]!));
        Assert.Equal("You have reached your ten_secondly_rolling limit.", (string)body["message"]!);
    }

    [Fact]
    public async Task SearchHasItsOwnPerSecondLimit_AndNoRateLimitHeaders()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { SearchRequestsPerSecond = 2 });
        const string query = """{"filterGroups":[],"properties":[],"limit":1}""";
        var first = await f.PostAsync("crm/v3/objects/contacts/search", query);
        Assert.False(first.Response.Headers.Contains("X-HubSpot-RateLimit-Max"));
        await f.PostAsync("crm/v3/objects/contacts/search", query);
        var (status, body, _) = await f.PostAsync("crm/v3/objects/contacts/search", query);
        Assert.Equal(429, status);
        Assert.Equal("SECONDLY", (string)body!["policyName"]!);
    }

    [Fact]
    public async Task DailyLimit_Answers429Daily()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { DailyLimit = 1 });
        await f.GetAsync("crm/v3/objects/contacts/1");
        Assert.Equal("DAILY", (string)(await f.GetAsync("crm/v3/objects/contacts/1")).Body!["policyName"]!);
    }

    [Fact]
    public async Task Outage_Answers503_UntilItEnds()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var f = await EmulatorFixture.StartAsync(time: clock);
        await f.PostAsync("_emulator/faults", """{"outageSeconds":0.5}""");
        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(503, (await f.GetAsync("crm/v3/objects/contacts/1")).Status);
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(404, (await f.GetAsync("crm/v3/objects/contacts/1")).Status);
    }

    [Fact]
    public async Task ErrorRate_AnswersThatShareWith5xx()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { RequestsPerTenSeconds = 10_000 });
        await f.PostAsync("_emulator/faults", """{"errorRate":0.5}""");
        var statuses = await Task.WhenAll(Enumerable.Range(0, 400).Select(async _ => (await f.GetAsync("crm/v3/objects/contacts/1")).Status));
        var failures = statuses.Count(s => s >= 500);
        Assert.InRange(failures, 140, 260);
        Assert.All(statuses.Where(s => s < 500), s => Assert.Equal(404, s));
    }

    [Fact]
    public async Task Latency_IsAdded()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.PostAsync("_emulator/faults", """{"latencyMs":300}""");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await f.GetAsync("crm/v3/objects/contacts/1");
        Assert.True(clock.ElapsedMilliseconds >= 290, $"{clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Stats_CountPerRouteTemplateAndStatus_NeverRawPaths()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.GetAsync("crm/v3/objects/contacts/secret%40example.com?idProperty=email");
        var (_, stats, _) = await f.GetAsync("_emulator/stats");
        Assert.Equal(1, (int)stats!["byEndpoint"]!["GET /crm/v3/objects/contacts/{id}"]!);
        Assert.Equal(1, (int)stats["byStatus"]!["404"]!);
        Assert.DoesNotContain("secret", stats.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_ClearsContactsStatsAndFaults()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.CreateAsync("x@example.com");
        await f.PostAsync("_emulator/faults", """{"errorRate":1}""");
        await f.PostAsync("_emulator/reset", "{}");
        Assert.Empty(f.Emulator.Store.AllContacts());
        Assert.Equal(0, f.Emulator.Options.Faults.ErrorRate);
        Assert.Equal(0, (int)(await f.GetAsync("_emulator/stats")).Body!["total"]!);
    }

    [Fact]
    public async Task DataFile_KeepsContactsAndPropertiesAcrossRestarts()
    {
        var file = Path.Combine(Path.GetTempPath(), $"emulator-{Guid.NewGuid():N}.json");
        try
        {
            await using (var f = await EmulatorFixture.StartAsync(new EmulatorOptions { DataFile = file }))
            {
                await f.DefinePropertyAsync("hhl_total_progress", "number", "number");
                var id = await f.CreateAsync("keep@example.com");
                await f.SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{id}", """{"properties":{"hhl_total_progress":"4"}}""");
            }

            await using var again = await EmulatorFixture.StartAsync(new EmulatorOptions { DataFile = file });
            var (status, body, _) = await again.GetAsync("crm/v3/objects/contacts/keep%40example.com?idProperty=email&properties=hhl_total_progress");
            Assert.Equal(200, status);
            Assert.Equal("4", (string)body!["properties"]!["hhl_total_progress"]!);
            Assert.Equal(409, (await again.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"keep@example.com"}}""")).Status);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AdminEndpoints_NeedNoToken_AndAreNotRateLimited()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { RequestsPerTenSeconds = 1 });
        f.Http.DefaultRequestHeaders.Authorization = null;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await f.GetAsync("_emulator/stats")).Status);
        }

        Assert.Equal("ok", (string)(await f.GetAsync("_emulator/health")).Body!["status"]!);
    }
}
