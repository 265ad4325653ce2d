using Amazon.CDK;
using HhLearn.Infra;

var app = new App();
var settings = Settings.FromContext(app.Node, "src/HhLearn.Function/bin/Release/net10.0/{rid}/publish");
if (!Directory.Exists(settings.AssetDir))
{
    Console.Error.WriteLine($"The function asset folder '{settings.AssetDir}' does not exist: publish the bootstrap first, or pass -c assetDir=DIR.");
    return 1;
}

new HhLearnStack(app, $"HhLearn-{settings.Stage}", settings, new StackProps
{
    Env = new Amazon.CDK.Environment
    {
        Account = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
        Region = System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"),
    },
    Description = $"HhLearn progress sync ({settings.Stage})",
});
app.Synth();
return 0;
