using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using HhLearn.Cli.Local;

namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// <c>hhlearn local</c> in-process on free ports: the API Gateway emulation, the local Runtime API, real
/// <c>bootstrap</c> processes (AOT when published, else JIT) and the HubSpot emulator. Tests speak HTTP to it.
/// </summary>
public sealed class LocalFixture : IAsyncDisposable
{
    private LocalFixture(LocalService service, ConcurrentQueue<string> logs)
    {
        Service = service;
        Logs = logs;
        Http = new HttpClient { BaseAddress = service.ApiUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public LocalService Service { get; }
    public HttpClient Http { get; }
    public ConcurrentQueue<string> Logs { get; }
    public HubSpotEmulator.HubSpotEmulator Emulator => Service.Emulator!;

    public IEnumerable<JsonNode> LogLines => TestSupport.LogLines.Parse(Logs);

    /// <summary>The whole local stack; store mode (dynalite and the projection) unless <paramref name="direct"/>.</summary>
    public static async Task<LocalFixture> StartAsync(int concurrency = 2, Dictionary<string, string>? environment = null, bool direct = false,
        HubSpotEmulator.EmulatorOptions? emulator = null, QueueSettings? queue = null, int rateLimit = 2000, TimeSpan? functionTimeout = null, string? webhookSecret = null,
        TimeSpan? projectionWindow = null)
    {
        var logs = new ConcurrentQueue<string>();
        var service = await LocalService.StartAsync(new LocalOptions
        {
            Port = 0,
            EmulatorPort = 0,
            Concurrency = concurrency,
            RateLimit = rateLimit,
            Emulator = emulator ?? new HubSpotEmulator.EmulatorOptions { Token = LocalService.EmulatorToken, RequestsPerTenSeconds = 10_000, SearchLag = TimeSpan.Zero },
            Environment = environment ?? [],
            Direct = direct,
            FunctionTimeout = functionTimeout ?? TimeSpan.FromSeconds(30),
            Queue = queue ?? new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(2), MaxReceiveCount = 5 },
            SweepEvery = TimeSpan.FromSeconds(5),
            SweepAfter = TimeSpan.FromSeconds(10),
            Log = logs.Enqueue,
            WebhookSecret = webhookSecret,

            // A short window: the projection's path is the deployed one (collect, then write), at test speed.
            ProjectionWindow = projectionWindow ?? TimeSpan.FromSeconds(1),
        });
        return new LocalFixture(service, logs);
    }

    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? json = null, string contentType = "application/json", string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return ((int)response.StatusCode, body, response);
    }

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> TrackAsync(string json, string? bearer = null) =>
        SendAsync(HttpMethod.Post, "events/track", json, bearer: bearer);

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(string pathAndQuery, string? bearer = null) =>
        SendAsync(HttpMethod.Get, pathAndQuery, bearer: bearer);

    /// <summary>Waits until HubSpot holds every stored learner's latest version (store mode); fails the test if it never does.</summary>
    public async Task ConvergeAsync(TimeSpan? timeout = null)
    {
        Assert.True(await Service.ConvergeAsync(timeout ?? TimeSpan.FromSeconds(60)), "the projection did not catch up with the store");
    }

    /// <summary>The learner's progress as the store holds it (store mode), as HubSpot property values.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> StoredAsync(string email) =>
        await Service.Store!.ReadAsync(new Progress.Events.LearnerIdentity(Progress.Events.EmailAddress.Normalize(email), null), default) is { } learner
            ? CrmSync.Contacts.ContactProgress.Build(learner.Learner, LoadGenerator.Catalog, DateTimeOffset.UtcNow).Properties
            : null;

    public IReadOnlyDictionary<string, string>? Contact(string email) =>
        Emulator.Store.AllContacts().FirstOrDefault(c => c.Properties.GetValueOrDefault("email") == email).Properties;

    /// <summary>An unsigned JWT: the local front end passes its claims like API Gateway's JWT authorizer.</summary>
    public static string Jwt(JsonObject claims)
    {
        static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Encode("""{"alg":"none","typ":"JWT"}""")}.{Encode(claims.ToJsonString())}.sig";
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Service.DisposeAsync();
    }
}
