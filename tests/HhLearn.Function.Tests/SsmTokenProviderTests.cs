using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Moq;
using HhLearn.HubSpot;
using HhLearn.HubSpotEmulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HhLearn.Function.Tests;

/// <summary>The token comes from SSM through AWSSDK.SimpleSystemsManagement, pointed at a fake SSM endpoint on 127.0.0.1.</summary>
public class SsmTokenProviderTests
{
    private sealed class FakeSsm : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeSsm(WebApplication app) => _app = app;

        public List<JsonNode> Requests { get; } = [];
        public string Value { get; set; } = "pat-first";
        public bool Fail { get; set; }
        public string Url { get; private set; } = string.Empty;

        public static async Task<FakeSsm> StartAsync()
        {
            var app = LoopbackWebApp.Create(port: 0);
            var fake = new FakeSsm(app);
            app.MapPost("/", async (HttpContext context) =>
            {
                var body = await JsonNode.ParseAsync(context.Request.Body);
                lock (fake.Requests)
                {
                    fake.Requests.Add(new JsonObject { ["target"] = context.Request.Headers["X-Amz-Target"].ToString(), ["body"] = body });
                }

                context.Response.ContentType = "application/x-amz-json-1.1";
                if (fake.Fail)
                {
                    context.Response.StatusCode = 400;
                    await context.Response.WriteAsync("""{"__type":"ParameterNotFound","message":"not found"}""");
                    return;
                }

                await context.Response.WriteAsync(new JsonObject
                {
                    ["Parameter"] = new JsonObject { ["Name"] = body!["Name"]!.ToString(), ["Type"] = "SecureString", [nameof(Value)] = fake.Value, ["Version"] = 1 },
                }.ToJsonString());
            });
            await app.StartAsync();
            fake.Url = LoopbackWebApp.Address(app).ToString();
            return fake;
        }

        public AmazonSimpleSystemsManagementClient Client() =>
            new(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), new AmazonSimpleSystemsManagementConfig { ServiceURL = Url, MaxErrorRetry = 0 });

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Token_IsReadWithDecryption_OncePerColdStart()
    {
        await using var ssm = await FakeSsm.StartAsync();
        using var client = ssm.Client();
        var provider = new SsmTokenProvider(client, "/hhlearn/test/hubspot-token");
        Assert.Equal("pat-first", await provider.GetTokenAsync(null, default));
        Assert.Equal("pat-first", await provider.GetTokenAsync(null, default));
        var request = Assert.Single(ssm.Requests);
        Assert.Equal("AmazonSSM.GetParameter", (string?)request["target"]);
        Assert.Equal("/hhlearn/test/hubspot-token", (string?)request["body"]!["Name"]);
        Assert.True((bool)request["body"]!["WithDecryption"]!);
    }

    [Fact]
    public async Task Refresh_ReadsTheRotatedToken()
    {
        await using var ssm = await FakeSsm.StartAsync();
        using var client = ssm.Client();
        var provider = new SsmTokenProvider(client, "/hhlearn/test/hubspot-token");
        await provider.GetTokenAsync(null, default);
        ssm.Value = "pat-rotated";
        Assert.Equal("pat-rotated", await provider.GetTokenAsync("pat-first", default));
        Assert.Equal("pat-rotated", await provider.GetTokenAsync(null, default));
        Assert.Equal("pat-rotated", await provider.GetTokenAsync("pat-first", default));
        Assert.Equal(2, ssm.Requests.Count);
    }

    [Fact]
    public async Task SsmFailure_IsTypedAsHubSpotUnavailable()
    {
        await using var ssm = await FakeSsm.StartAsync();
        ssm.Fail = true;
        using var client = ssm.Client();
        var provider = new SsmTokenProvider(client, "/hhlearn/test/missing");
        var error = await Assert.ThrowsAsync<TokenUnavailableException>(async () => await provider.GetTokenAsync(null, default));
        Assert.Contains("/hhlearn/test/missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SsmFailure_IsLoggedAsTokenUnavailable_WithTheCause_NeverTheValue()
    {
        await using var ssm = await FakeSsm.StartAsync();
        ssm.Fail = true;
        using var client = ssm.Client();
        var text = new StringWriter();
        var provider = new LoggedTokenProvider(new SsmTokenProvider(client, "/hhlearn/test/missing"), new JsonLineLog(text, TimeProvider.System));
        await Assert.ThrowsAsync<TokenUnavailableException>(async () => await provider.GetTokenAsync(null, default));
        var line = Assert.Single(TestSupport.LogLines.Parse(text.ToString()));
        Assert.Equal(LogEvents.TokenUnavailable, (string?)line["event"]);
        Assert.Contains("ParameterNotFound", (string?)line["error"], StringComparison.Ordinal);
        Assert.Contains("/hhlearn/test/missing", (string?)line["message"], StringComparison.Ordinal);

        ssm.Fail = false;
        Assert.Equal("pat-first", await provider.GetTokenAsync(null, default));
        Assert.DoesNotContain("pat-first", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHashKey_IsReadWithDecryption_ThroughSsmsSecretsManagerReference()
    {
        await using var ssm = await FakeSsm.StartAsync();
        ssm.Value = new string('k', 64);
        using var client = ssm.Client();
        var key = await HashKeyParameter.ReadAsync(client, "/aws/reference/secretsmanager/hhlearn/dev/hash-key", default);
        Assert.Equal(HhLearn.Progress.Events.HashKey.TryParse(new string('k', 64))!.Fingerprint, key.Fingerprint);
        Assert.True((bool)Assert.Single(ssm.Requests)["body"]!["WithDecryption"]!);

        ssm.Value = "too-short";
        await Assert.ThrowsAsync<InvalidOperationException>(() => HashKeyParameter.ReadAsync(client, "/aws/reference/secretsmanager/hhlearn/dev/hash-key", default));
    }

    private static Mock<IAmazonSimpleSystemsManagement> Ssm(Func<string> value, TimeSpan delay)
    {
        var ssm = new Mock<IAmazonSimpleSystemsManagement>();
        ssm.Setup(s => s.GetParameterAsync(It.IsAny<GetParameterRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (GetParameterRequest request, CancellationToken ct) =>
            {
                await Task.Delay(delay, ct);
                return new GetParameterResponse { Parameter = new Parameter { Name = request.Name, Value = value() } };
            });
        return ssm;
    }

    [Fact]
    public async Task TenConcurrent401s_ShareOneSsmRead()
    {
        var current = "pat-first";
        var ssm = Ssm(() => current, TimeSpan.FromMilliseconds(50));
        var provider = new SsmTokenProvider(ssm.Object, "/hhlearn/test/hubspot-token");
        Assert.Equal("pat-first", await provider.GetTokenAsync(null, default));

        current = "pat-rotated";
        var refreshed = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => provider.GetTokenAsync("pat-first", default).AsTask()));
        var late = await provider.GetTokenAsync("pat-first", default);

        Assert.All(refreshed, t => Assert.Equal("pat-rotated", t));
        Assert.Equal("pat-rotated", late);
        ssm.Verify(s => s.GetParameterAsync(It.Is<GetParameterRequest>(r => r.WithDecryption == true), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task TenConcurrent401s_ThroughTheHubSpotClient_CostOneSsmRead()
    {
        await using var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new HubSpotEmulator.EmulatorOptions { Token = "pat-first", RequestsPerTenSeconds = 10_000 });
        var current = "pat-first";
        var ssm = Ssm(() => current, TimeSpan.FromMilliseconds(20));
        using var http = new HttpClient { BaseAddress = emulator.BaseUrl };
        await using var client = new HubSpotClient(http, CrmConnection.ForHubSpot(new SsmTokenProvider(ssm.Object, "/hhlearn/test/hubspot-token")), new HubSpotClientOptions { RequestsPerTenSeconds = 1000 });
        await client.GetPropertyAsync("email");

        // The token is rotated in HubSpot and in SSM: every request in flight with the old one gets a 401.
        emulator.SetToken("pat-rotated");
        current = "pat-rotated";
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetPropertyAsync("email")));

        ssm.Verify(s => s.GetParameterAsync(It.IsAny<GetParameterRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task CancelledTokenRead_IsHubSpotUnavailable_NotACrash()
    {
        var ssm = Ssm(() => "pat-first", TimeSpan.FromSeconds(2));
        var provider = new SsmTokenProvider(ssm.Object, "/hhlearn/test/hubspot-token");
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAsync<TokenUnavailableException>(async () => await provider.GetTokenAsync(null, deadline.Token));

        // The read itself was not bound to that caller: the next caller gets the token.
        Assert.Equal("pat-first", await provider.GetTokenAsync(null, default));
    }

    [Fact]
    public async Task TrackWhoseTokenReadIsCancelled_AnswersFallback_Not500()
    {
        var ssm = Ssm(() => "function-token", TimeSpan.FromSeconds(10));
        await using var f = await FunctionFixture.StartAsync(tokens: new SsmTokenProvider(ssm.Object, "/hhlearn/test/hubspot-token"));
        var bytes = await f.App.HandleAsync(System.Text.Encoding.UTF8.GetBytes(FunctionFixture.Request("POST", "/events/track",
            """{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"email":"ada@example.com"}}""")),
            new HhLearn.Function.Runtime.LambdaContext("req-deadline", DateTimeOffset.UtcNow.AddSeconds(1.2), null, null));
        var response = JsonNode.Parse(bytes.Span)!;
        Assert.Equal(200, (int)response["statusCode"]!);
        Assert.Equal("CRM_UNAVAILABLE", (string?)JsonNode.Parse((string)response["body"]!)!["error"]);
    }
}
