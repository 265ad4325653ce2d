using HhLearn.Cli.Doctor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HhLearn.Cli.Tests;

/// <summary>The AWS checks of doctor and verify, with a stand-in for the AWS CLI (a script that answers as it would).</summary>
public sealed class AwsDoctorTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("hhlearn-aws-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string FakeAws(string json, int exit = 0)
    {
        var path = Path.Combine(_dir.FullName, $"aws-{Guid.NewGuid():N}");
        // As the AWS CLI: the answer on stdout, an error on stderr.
        File.WriteAllText(path, $"#!/bin/sh\ncat <<'JSON' {(exit == 0 ? string.Empty : ">&2")}\n{json}\nJSON\nexit {exit}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    [Theory]
    [InlineData(1000, 1000, 3, CheckResult.Pass)]
    [InlineData(10, 10, 3, CheckResult.Fail)]
    [InlineData(1000, 102, 3, CheckResult.Fail)]
    public async Task TheLambdaQuota_MustHoldTheReservation_AndTheHundredLambdaKeeps(int total, int unreserved, int reserved, CheckResult expected)
    {
        var report = new CheckReport();
        await AwsDoctor.LambdaQuotaAsync(reserved, report, CancellationToken.None,
            FakeAws($$$"""{"AccountLimit":{"ConcurrentExecutions":{{{total}}},"UnreservedConcurrentExecutions":{{{unreserved}}}}}"""));
        var check = Assert.Single(report.Checks);
        Assert.Equal(expected, check.Result);
        if (expected == CheckResult.Fail)
        {
            Assert.Contains("reserveConcurrency=false", check.Todo, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithoutTheAwsCli_TheChecksAreSkipped_NeverFailed()
    {
        var report = new CheckReport();
        await AwsDoctor.LambdaQuotaAsync(3, report, CancellationToken.None, Path.Combine(_dir.FullName, "no-such-aws"));
        await AwsDoctor.LogLinesAsync("/aws/lambda/hhlearn-prod", DateTimeOffset.UtcNow, report, CancellationToken.None, Path.Combine(_dir.FullName, "no-such-aws"));
        Assert.All(report.Checks, c => Assert.Equal(CheckResult.Skip, c.Result));
        Assert.True(report.Passed);
    }

    [Fact]
    public async Task TheRunsLogLines_AreFoundInCloudWatch_OrTheCheckSaysWhereToLook()
    {
        var found = new CheckReport();
        await AwsDoctor.LogLinesAsync("/aws/lambda/hhlearn-prod", DateTimeOffset.UtcNow, found, CancellationToken.None,
            FakeAws("""{"events":[{"message":"{\"event\":\"event_stored\"}"},{"message":"{\"event\":\"event_stored\"}"}]}"""));
        Assert.Equal(CheckResult.Pass, found.Checks.Single().Result);
        Assert.StartsWith("2 event_stored", found.Checks.Single().Detail, StringComparison.Ordinal);

        var none = new CheckReport();
        await AwsDoctor.LogLinesAsync("/aws/lambda/hhlearn-prod", DateTimeOffset.UtcNow, none, CancellationToken.None, FakeAws("""{"events":[]}"""));
        Assert.Equal(CheckResult.Fail, none.Checks.Single().Result);

        var denied = new CheckReport();
        await AwsDoctor.LogLinesAsync("/aws/lambda/hhlearn-prod", DateTimeOffset.UtcNow, denied, CancellationToken.None, FakeAws("An error occurred (AccessDeniedException)", exit: 254));
        Assert.Contains("AccessDeniedException", denied.Checks.Single().Detail, StringComparison.Ordinal);
    }
}

/// <summary>The token's SSM parameter, read through AWSSDK.SimpleSystemsManagement from a stand-in SSM on 127.0.0.1.</summary>
public class TokenParameterTests
{
    private static async Task<(Microsoft.AspNetCore.Builder.WebApplication App, Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementClient Client)> SsmAsync(string? type)
    {
        var app = LoopbackWebApp.Create(port: 0);
        app.MapPost("/", async (Microsoft.AspNetCore.Http.HttpContext context) =>
        {
            var body = await System.Text.Json.Nodes.JsonNode.ParseAsync(context.Request.Body);
            context.Response.ContentType = "application/x-amz-json-1.1";
            if (type is null)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("""{"__type":"ParameterNotFound","message":"not found"}""");
                return;
            }

            await context.Response.WriteAsync(new System.Text.Json.Nodes.JsonObject
            {
                ["Parameter"] = new System.Text.Json.Nodes.JsonObject { ["Name"] = body!["Name"]!.ToString(), ["Type"] = type, ["Value"] = "pat-from-ssm", ["Version"] = 3 },
            }.ToJsonString());
        });
        await app.StartAsync();
        var client = new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementClient(new Amazon.Runtime.BasicAWSCredentials("AKIDEXAMPLE", "secret"),
            new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementConfig { ServiceURL = LoopbackWebApp.Address(app).ToString(), MaxErrorRetry = 0 });
        return (app, client);
    }

    [Theory]
    [InlineData("SecureString", CheckResult.Pass)]
    [InlineData("String", CheckResult.Fail)]
    [InlineData(null, CheckResult.Fail)]
    public async Task TheTokenParameter_MustExist_AndBeASecureString(string? type, CheckResult expected)
    {
        var (app, client) = await SsmAsync(type);
        await using (app)
        using (client)
        {
            var report = new CheckReport();
            var token = await AwsDoctor.TokenParameterAsync(client, "/hhlearn/prod/hubspot-token", report, CancellationToken.None);
            var check = Assert.Single(report.Checks);
            Assert.Equal(expected, check.Result);
            Assert.Equal(type is null ? null : "pat-from-ssm", token);
            if (expected == CheckResult.Fail)
            {
                Assert.Contains("aws ssm put-parameter --name /hhlearn/prod/hubspot-token", check.Todo, StringComparison.Ordinal);
            }
        }
    }
}
