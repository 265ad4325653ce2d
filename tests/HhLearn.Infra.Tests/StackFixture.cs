using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

// jsii (the bridge to the CDK's JavaScript) is not thread-safe: one synthesis at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace HhLearn.Infra.Tests;

/// <summary>
/// Synthesizes the stack once per variant for all tests: defaults (sync off, no authorizer, arm64) and a full
/// production-like configuration (sync on, JWT authorizer, x86_64, alarm email). jsii's temporary files go to a
/// folder this fixture removes.
/// </summary>
public sealed class StackFixture : IDisposable
{
    private readonly string _temp;
    private readonly string _asset;

    public StackFixture()
    {
        _temp = Directory.CreateTempSubdirectory("hhlearn-jsii-").FullName;
        System.Environment.SetEnvironmentVariable("TMPDIR", _temp);
        _asset = Directory.CreateTempSubdirectory("hhlearn-asset-").FullName;
        File.WriteAllText(Path.Combine(_asset, "bootstrap"), "placeholder");

        Defaults = Synth(new Dictionary<string, object> { ["assetDir"] = _asset }, out var defaultStack);
        DefaultStack = defaultStack;
        Full = Synth(new Dictionary<string, object>
        {
            ["assetDir"] = _asset,
            ["stage"] = "prod",
            ["architecture"] = "x86_64",
            ["enableCrmProgress"] = "true",
            ["jwtIssuer"] = "https://auth.example.com/",
            ["jwtAudience"] = "hhlearn",
            ["allowedOrigins"] = "https://learn.example.com,https://www.example.com",
            ["alarmEmail"] = "ops@example.com",
            ["maxReceiveCount"] = "7",
            ["queueMaxConcurrency"] = "3",
            ["hubspotRateLimit"] = "190",
            ["contactCreationSpikeThreshold"] = "250",
            ["tokenParameter"] = "/custom/hubspot-token",
        }, out _);
        DefaultWarnings = Amazon.CDK.Assertions.Annotations.FromStack(DefaultStack).FindWarning("*", Match.StringLikeRegexp("No JWT authorizer.*")).Length;
    }

    public Template Defaults { get; }
    public Template Full { get; }
    public Stack DefaultStack { get; }
    public int DefaultWarnings { get; }

    public static JsonObject Json(Template template) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(template.ToJSON()))!.AsObject();

    public void Dispose()
    {
        Directory.Delete(_asset, recursive: true);
        try
        {
            Directory.Delete(_temp, recursive: true);
        }
        catch (IOException)
        {
            // jsii may still hold a file; the folder is under the system temp anyway.
        }
    }

    private static Template Synth(Dictionary<string, object> context, out Stack stack)
    {
        var app = new App(new AppProps { Context = context });
        var settings = Settings.FromContext(app.Node, "unused");
        stack = new HhLearnStack(app, $"HhLearn-{settings.Stage}", settings);
        return Template.FromStack(stack);
    }
}

[CollectionDefinition("stack")]
public sealed class StackGroup : ICollectionFixture<StackFixture>;
