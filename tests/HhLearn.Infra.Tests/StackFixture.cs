using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

// jsii (the bridge to the CDK's JavaScript) is not thread-safe: one synthesis at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace HhLearn.Infra.Tests;

/// <summary>
/// Synthesizes the stack once per variant for all tests: defaults (sync off, no authorizer, arm64), a full
/// production-like configuration (sync on, JWT authorizer, x86_64, alarm email), and named variants that are
/// synthesized the first time a test asks for them. jsii's temporary files go to a folder this fixture removes.
/// </summary>
public sealed class StackFixture : IDisposable
{
    private readonly string _temp;
    private readonly string _asset;
    private readonly Dictionary<string, (Template Template, Stack Stack)> _variants = new(StringComparer.Ordinal);

    public StackFixture()
    {
        _temp = Directory.CreateTempSubdirectory("hhlearn-jsii-").FullName;
        System.Environment.SetEnvironmentVariable("TMPDIR", _temp);
        _asset = Directory.CreateTempSubdirectory("hhlearn-asset-").FullName;
        File.WriteAllText(Path.Combine(_asset, "bootstrap"), "placeholder");

        (Defaults, DefaultStack) = Variant("defaults", []);
        (Full, _) = Variant("full", FullContext);
        DefaultWarnings = Amazon.CDK.Assertions.Annotations.FromStack(DefaultStack).FindWarning("*", Match.StringLikeRegexp("No JWT authorizer.*")).Length;
    }

    /// <summary>The production-like context the <see cref="Full"/> template was synthesized with.</summary>
    public static Dictionary<string, object> FullContext => new()
    {
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
        ["tokenKmsKeyArn"] = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ["jwtContactIdClaim"] = "custom:hubspot_id",
    };

    public Template Defaults { get; }
    public Template Full { get; }
    public Stack DefaultStack { get; }
    public int DefaultWarnings { get; }

    public static JsonObject Json(Template template) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(template.ToJSON()))!.AsObject();

    /// <summary>The stack synthesized with <paramref name="context"/> (beside the placeholder asset), once per name.</summary>
    public (Template Template, Stack Stack) Variant(string name, Dictionary<string, object> context)
    {
        if (!_variants.TryGetValue(name, out var variant))
        {
            var app = new App(new AppProps { Context = new Dictionary<string, object>(context) { ["assetDir"] = _asset } });
            var settings = Settings.FromContext(app.Node, "unused");
            var stack = new HhLearnStack(app, $"HhLearn-{settings.Stage}", settings);
            variant = (Template.FromStack(stack), stack);
            _variants[name] = variant;
        }

        return variant;
    }

    public static string[] Errors(Stack stack) =>
        Amazon.CDK.Assertions.Annotations.FromStack(stack).FindError("*", Match.AnyValue()).Select(e => System.Text.Json.JsonSerializer.Serialize(e.Entry.Data)).ToArray();

    public static string[] Warnings(Stack stack) =>
        Amazon.CDK.Assertions.Annotations.FromStack(stack).FindWarning("*", Match.AnyValue()).Select(e => System.Text.Json.JsonSerializer.Serialize(e.Entry.Data)).ToArray();

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
}

[CollectionDefinition("stack")]
public sealed class StackGroup : ICollectionFixture<StackFixture>;
