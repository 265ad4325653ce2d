using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using HhLearn.Function.Config;
using HhLearn.HubSpot;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
            var app = builder.Build();
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
            fake.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
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
        using var provider = new SsmTokenProvider(client, "/hhlearn/test/hubspot-token");
        Assert.Equal("pat-first", await provider.GetTokenAsync(false, default));
        Assert.Equal("pat-first", await provider.GetTokenAsync(false, default));
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
        using var provider = new SsmTokenProvider(client, "/hhlearn/test/hubspot-token");
        await provider.GetTokenAsync(false, default);
        ssm.Value = "pat-rotated";
        Assert.Equal("pat-rotated", await provider.GetTokenAsync(true, default));
        Assert.Equal("pat-rotated", await provider.GetTokenAsync(false, default));
        Assert.Equal(2, ssm.Requests.Count);
    }

    [Fact]
    public async Task SsmFailure_IsTypedAsHubSpotUnavailable()
    {
        await using var ssm = await FakeSsm.StartAsync();
        ssm.Fail = true;
        using var client = ssm.Client();
        using var provider = new SsmTokenProvider(client, "/hhlearn/test/missing");
        var error = await Assert.ThrowsAsync<HubSpotUnavailableException>(async () => await provider.GetTokenAsync(false, default));
        Assert.Contains("/hhlearn/test/missing", error.Message, StringComparison.Ordinal);
    }
}
