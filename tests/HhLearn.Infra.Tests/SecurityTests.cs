using System.Globalization;
using System.Text.Json.Nodes;
using HhLearn.Operations;

namespace HhLearn.Infra.Tests;

/// <summary>The deployment is safe by default: no open API with sync on, one honest HubSpot budget, CORS for tokens.</summary>
[Collection("stack")]
public class SecurityTests(StackFixture fixture)
{
    private static JsonObject Props(JsonObject resource) => resource["Properties"]!.AsObject();

    private static IEnumerable<JsonObject> Resources(JsonObject template, string type) =>
        template["Resources"]!.AsObject().Select(kv => kv.Value!.AsObject()).Where(r => (string?)r["Type"] == type);

    private static JsonObject Function(JsonObject template) =>
        Props(Resources(template, "AWS::Lambda::Function").Single(f => ((string?)Props(f)["FunctionName"])?.StartsWith("hhlearn-", StringComparison.Ordinal) == true));

    [Fact]
    public void SyncOn_WithoutAnAuthorizer_FailsSynth_WithOneLineSayingWhatToDo()
    {
        var (_, stack) = fixture.Variant("open", new() { ["enableCrmProgress"] = "true" });
        var error = Assert.Single(StackFixture.Errors(stack));
        Assert.Contains("enableCrmProgress=true needs a JWT authorizer", error, StringComparison.Ordinal);
        Assert.Contains("-c jwtIssuer=", error, StringComparison.Ordinal);
        Assert.Contains("-c allowUnauthenticated=true", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SyncOn_OpenOnPurpose_Synthesizes_WithAWarning()
    {
        var (_, stack) = fixture.Variant("open-on-purpose", new() { ["enableCrmProgress"] = "true", ["allowUnauthenticated"] = "true" });
        Assert.Empty(StackFixture.Errors(stack));
        Assert.Contains(StackFixture.Warnings(stack), w => w.Contains("allowUnauthenticated=true", StringComparison.Ordinal));
    }

    [Fact]
    public void SyncOn_WithAnAuthorizer_Synthesizes_WithoutErrors() =>
        Assert.Empty(StackFixture.Errors(fixture.Variant("full", StackFixture.FullContext).Stack));

    [Fact]
    public void SyncOff_WithoutAnAuthorizer_SynthesizesAsBefore() =>
        Assert.Empty(StackFixture.Errors(fixture.DefaultStack));

    [Fact]
    public void QueueConcurrencyOfOne_IsRunAtTwo_AndTheBudgetIsSplitForTwo()
    {
        var (template, stack) = fixture.Variant("queue-one", new() { ["queueMaxConcurrency"] = "1" });
        var json = StackFixture.Json(template);
        var mapping = Props(Resources(json, "AWS::Lambda::EventSourceMapping").Single());
        Assert.Equal(2, (int)mapping["ScalingConfig"]!["MaximumConcurrency"]!);

        var fn = Function(json);
        var queueShare = int.Parse((string)fn["Environment"]!["Variables"]!["HUBSPOT_RATE_LIMIT"]!, CultureInfo.InvariantCulture);
        var readShare = int.Parse((string)fn["Environment"]!["Variables"]!["HUBSPOT_READ_RATE_LIMIT"]!, CultureInfo.InvariantCulture);
        var instances = (int)fn["ReservedConcurrentExecutions"]!;
        Assert.Equal(((100 - 20) / 2, 20 / 10, 10), (queueShare, readShare, instances));
        Assert.True((2 * queueShare) + (instances * readShare) <= 100);
        Assert.Empty(StackFixture.Errors(stack));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NoPathCanExceedTheAppsLimit_WhateverTheInstancesDo(bool full)
    {
        var fn = Function(StackFixture.Json(full ? fixture.Full : fixture.Defaults));
        var variables = fn["Environment"]!["Variables"]!;
        var mapping = Props(Resources(StackFixture.Json(full ? fixture.Full : fixture.Defaults), "AWS::Lambda::EventSourceMapping").Single());
        var consumers = (int)mapping["ScalingConfig"]!["MaximumConcurrency"]!;
        var instances = (int)fn["ReservedConcurrentExecutions"]!;
        var total = (consumers * int.Parse((string)variables["HUBSPOT_RATE_LIMIT"]!, CultureInfo.InvariantCulture)) +
                    (instances * int.Parse((string)variables["HUBSPOT_READ_RATE_LIMIT"]!, CultureInfo.InvariantCulture));
        Assert.InRange(total, 1, full ? 190 : 100);
    }

    [Fact]
    public void ABudgetTooSmallForTheConcurrency_FailsSynth()
    {
        var (_, stack) = fixture.Variant("tiny-budget", new() { ["hubspotRateLimit"] = "10", ["reservedConcurrency"] = "20", ["queueMaxConcurrency"] = "12" });
        Assert.Contains(StackFixture.Errors(stack), e => e.Contains("HubSpot budget", StringComparison.Ordinal));
    }

    [Fact]
    public void Cors_AllowsAuthorizationAndContentType_AndExposesRetryAfter()
    {
        var cors = Props(Resources(StackFixture.Json(fixture.Full), "AWS::ApiGatewayV2::Api").Single())["CorsConfiguration"]!;
        var headers = cors["AllowHeaders"]!.AsArray().Select(h => (string)h!).ToList();
        Assert.Contains("authorization", headers);
        Assert.Contains("content-type", headers);
        Assert.Equal(["retry-after"], cors["ExposeHeaders"]!.AsArray().Select(h => (string)h!));
    }

    [Fact]
    public void Cors_AllowsCredentials_ForTheExplicitOrigins()
    {
        var cors = Props(Resources(StackFixture.Json(fixture.Full), "AWS::ApiGatewayV2::Api").Single())["CorsConfiguration"]!;
        Assert.True((bool)cors["AllowCredentials"]!);
        Assert.Equal(["https://learn.example.com", "https://www.example.com"], cors["AllowOrigins"]!.AsArray().Select(o => (string)o!));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://learn.example.com,*")]
    [InlineData("https://*.example.com")]
    public void WildcardOrigins_WithCredentials_FailSynth_WithOneClearLine(string origins)
    {
        var (_, stack) = fixture.Variant($"star-{origins}", new() { ["allowedOrigins"] = origins });
        var error = Assert.Single(StackFixture.Errors(stack));
        Assert.Contains("cannot be used: the API allows credentials", error, StringComparison.Ordinal);
    }

    [Fact]
    public void HubSpotBudget_ArithmeticHoldsForEveryPlanAndConcurrency()
    {
        foreach (var limit in new[] { 100, 190, 250 })
        {
            for (var instances = 3; instances <= 40; instances++)
            {
                for (var queue = 1; queue < instances && queue <= 10; queue++)
                {
                    var (budget, problems) = HubSpotBudget.Split(limit, limit / 5, instances, queue);
                    if (problems.Count == 0)
                    {
                        Assert.True(budget.WorstCaseTotal <= limit, budget.ToString());
                        Assert.True(budget.QueueShare >= 1 && budget.ReadShare >= 1, budget.ToString());
                        Assert.Equal(Math.Max(2, queue), budget.QueueConcurrency);
                    }
                }
            }
        }
    }
}
