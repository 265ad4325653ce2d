using System.Text;

namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// The local stack on a developer's machine answers local programs only: no web page can read or change it, whether it
/// finds a port (foreign Origin), renames 127.0.0.1 to its own host name (DNS rebinding: foreign Host), or posts a form
/// or a text/plain body across sites (no preflight).
/// </summary>
public class LocalStackGuardTests
{
    private static async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(Uri url, HttpMethod method, string? host = null, string? origin = null,
        string? body = null, string contentType = "application/json")
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(method, url);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Fact]
    public async Task EveryListener_RefusesAForeignHost_AndAnswersItsLoopbackNames()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 1);
        var listeners = new Dictionary<string, Uri>
        {
            ["api"] = new(f.Service.ApiUrl, "_local/stats"),
            ["emulator"] = new(f.Emulator.BaseUrl, "_emulator/stats"),
            ["runtime api"] = new($"http://{f.Service.Runtime.Address}/2018-06-01/runtime/invocation/next"),
            ["sqs"] = f.Service.Sqs!.Endpoint,
            ["dynalite"] = f.Service.Dynalite!.Endpoint,
        };
        foreach (var (name, url) in listeners)
        {
            var (status, body, _) = await SendAsync(url, HttpMethod.Get, host: $"rebound.evil.example:{url.Port}");
            Assert.True(status == 403, $"{name}: {status} {body}");
            var (other, _, _) = await SendAsync(url, HttpMethod.Get, host: $"127.0.0.1:{url.Port + 1}");
            Assert.True(other == 403, $"{name} with another port in Host: {other}");
        }

        Assert.Equal(200, (await SendAsync(new Uri(f.Service.ApiUrl, "_local/stats"), HttpMethod.Get, host: $"localhost:{f.Service.ApiUrl.Port}")).Status);
        Assert.Equal(200, (await SendAsync(new Uri(f.Emulator.BaseUrl, "_emulator/stats"), HttpMethod.Get)).Status);
    }

    [Fact]
    public async Task Dynalite_RefusesAnyWebPage_AndAnswersNoCors()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 1);
        var endpoint = f.Service.Dynalite!.Endpoint;
        const string listTables = "{}";
        using var http = new HttpClient();
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Options })
        {
            using var request = new HttpRequestMessage(method, endpoint) { Content = new StringContent(listTables, Encoding.UTF8) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
            request.Headers.Add("Origin", "https://evil.example");
            request.Headers.Add("X-Amz-Target", "DynamoDB_20120810.ListTables");
            request.Headers.Add("Access-Control-Request-Method", "POST");
            using var response = await http.SendAsync(request);
            Assert.Equal(403, (int)response.StatusCode);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), $"{method}: {response.Headers}");
        }

        // The store itself still works for the function and the tools (no Origin).
        Assert.NotEmpty((await f.Service.Dynalite.Client().ListTablesAsync()).TableNames);
    }

    [Fact]
    public async Task AdminEndpoints_RefuseCrossSitePosts_AndChangeNothing()
    {
        await using var f = await LocalFixture.StartAsync(concurrency: 1);
        await f.TrackAsync("""{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"course_slug":"git-essentials","module_slug":"commits"}}""");
        await f.ConvergeAsync();
        var contacts = f.Emulator.Store.AllContacts().Count;
        Assert.True(contacts > 0);

        var faults = new Uri(f.Service.ApiUrl, "_local/faults");
        var reset = new Uri(f.Emulator.BaseUrl, "_emulator/reset");
        var seed = new Uri(f.Emulator.BaseUrl, "_emulator/contacts");
        var cases = new (string Name, Uri Url, string Body, string ContentType, string? Origin)[]
        {
            ("faults, text/plain from another site", faults, """{"storeUnavailable":true}""", "text/plain", "https://evil.example"),
            ("faults, text/plain without an origin", faults, """{"storeUnavailable":true}""", "text/plain", null),
            ("faults, a form", faults, "storeUnavailable=true", "application/x-www-form-urlencoded", "https://evil.example"),
            ("faults, JSON from another site", faults, """{"storeUnavailable":true}""", "application/json", "https://evil.example"),
            ("faults, JSON from a page on another local port", faults, """{"storeUnavailable":true}""", "application/json", $"http://127.0.0.1:{f.Emulator.BaseUrl.Port}"),
            ("emulator reset, text/plain from another site", reset, "{}", "text/plain", "https://evil.example"),
            ("emulator reset, JSON from another site", reset, "{}", "application/json", "https://evil.example"),
            ("emulator contacts, text/plain", seed, """{"properties":{"email":"evil@example.com"}}""", "text/plain", null),
        };
        foreach (var (name, url, body, contentType, origin) in cases)
        {
            var (status, text, _) = await SendAsync(url, HttpMethod.Post, origin: origin, body: body, contentType: contentType);
            Assert.True(status == 403, $"{name}: {status} {text}");
        }

        Assert.False(f.Service.Faults.StoreUnavailable);
        Assert.Equal(contacts, f.Emulator.Store.AllContacts().Count);

        // The console's own page (same origin) and local programs (no origin) still switch faults with JSON.
        var own = $"http://127.0.0.1:{f.Service.ApiUrl.Port}";
        Assert.Equal(200, (await SendAsync(faults, HttpMethod.Post, origin: own, body: """{"queueUnavailable":true}""")).Status);
        Assert.True(f.Service.Faults.QueueUnavailable);
        Assert.Equal(200, (await SendAsync(faults, HttpMethod.Post, body: """{"queueUnavailable":false}""")).Status);
        Assert.False(f.Service.Faults.QueueUnavailable);
    }
}
