using HhLearn.Infra;

var app = new App();
var settings = Settings.FromContext(app.Node, "src/HhLearn.Function/bin/Release/net10.0/{rid}/publish");
string? missingAsset = null;
if (!Directory.Exists(settings.AssetDir))
{
    // Synth must work on a fresh checkout (CI, reviews): stand in a bootstrap that fails loudly if ever deployed.
    missingAsset = settings.AssetDir;
    settings = settings with { AssetDir = PlaceholderAsset.Create() };
}

var stack = new HhLearnStack(app, $"HhLearn-{settings.Stage}", settings, new StackProps
{
    Env = new Amazon.CDK.Environment
    {
        Account = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
        Region = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"),
    },
    Description = $"HhLearn progress sync ({settings.Stage})",
});

if (missingAsset is not null)
{
    Annotations.Of(stack).AddWarning(
        $"No published function at '{missingAsset}': the template uses a placeholder bootstrap that fails every invocation. " +
        $"Publish it (./hhlearn publish --arch {settings.Architecture}) or pass -c assetDir=DIR before deploying.");
}

app.Synth();
