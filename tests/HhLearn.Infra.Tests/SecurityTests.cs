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

    private static JsonObject Function(JsonObject template, string role) =>
        Props(Resources(template, "AWS::Lambda::Function").Single(f => ((string?)Props(f)["FunctionName"])?.EndsWith($"-{role}", StringComparison.Ordinal) == true));

    private static int Variable(JsonObject function, string name) =>
        int.Parse((string)function["Environment"]!["Variables"]![name]!, CultureInfo.InvariantCulture);

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

        var projector = Function(json, "projector");
        Assert.Equal(((100 - 20) / 2, 3), (Variable(projector, "HUBSPOT_RATE_LIMIT"), (int)projector["ReservedConcurrentExecutions"]!));
        Assert.Equal(20, Variable(Function(json, "api"), "HUBSPOT_SHARED_READ_BUDGET"));
        Assert.Empty(StackFixture.Errors(stack));
    }

    /// <summary>
    /// The projector's consumers are bounded by the mapping, each with its share; the API's HubSpot calls, however many
    /// API instances run, by the one budget they share through the table (HUBSPOT_SHARED_READ_BUDGET, no more than each
    /// instance's own limiter allows either).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NoPathCanExceedTheAppsLimit_HoweverManyApiInstancesRun(bool full)
    {
        var json = StackFixture.Json(full ? fixture.Full : fixture.Defaults);
        var projector = Function(json, "projector");
        var api = Function(json, "api");
        var consumers = (int)Props(Resources(json, "AWS::Lambda::EventSourceMapping").Single())["ScalingConfig"]!["MaximumConcurrency"]!;
        Assert.Contains("ProjectorFunction", Props(Resources(json, "AWS::Lambda::EventSourceMapping").Single())["FunctionName"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(api["ReservedConcurrentExecutions"]);
        var shared = Variable(api, "HUBSPOT_SHARED_READ_BUDGET");
        Assert.True(Variable(api, "HUBSPOT_READ_RATE_LIMIT") <= shared);
        var total = (consumers * Variable(projector, "HUBSPOT_RATE_LIMIT")) + shared;
        Assert.InRange(total, 1, full ? 190 : 100);
    }

    [Fact]
    public void ABudgetTooSmallForTheConcurrency_FailsSynth()
    {
        var (_, stack) = fixture.Variant("tiny-budget", new() { ["hubspotRateLimit"] = "10", ["queueMaxConcurrency"] = "12" });
        Assert.Contains(StackFixture.Errors(stack), e => e.Contains("HubSpot budget", StringComparison.Ordinal));
    }

    [Fact]
    public void AProjectionWindowTheTimeoutCannotHold_FailsSynth()
    {
        var (_, stack) = fixture.Variant("long-window", new() { ["projectionWindowSeconds"] = "10" });
        Assert.Contains(StackFixture.Errors(stack), e => e.Contains("projectionWindowSeconds 10 needs timeoutSeconds of at least 40", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryVariableTheStackSets_IsNamedInSettingNames_TheOnePlaceTheFunctionReadsThemFrom()
    {
        var named = typeof(SettingNames).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);
        var set = Resources(StackFixture.Json(fixture.Full), "AWS::Lambda::Function")
            .SelectMany(f => Props(f)["Environment"]?["Variables"]?.AsObject().Select(v => v.Key) ?? []).Distinct().ToList();
        Assert.NotEmpty(set);
        Assert.All(set, name => Assert.Contains(name, named));
    }

    [Fact]
    public void TheProjector_KnowsItsWindowAndItsShareOfTheQuota()
    {
        var variables = Props(Resources(StackFixture.Json(fixture.Full), "AWS::Lambda::Function").Single(f => ((string?)Props(f)["FunctionName"])?.EndsWith("-projector", StringComparison.Ordinal) == true))["Environment"]!["Variables"]!;

        // FullContext: 190 requests per 10 s, 38 for the API's reads, 50 for each of 3 queue consumers: 150 for the projection.
        Assert.Equal(("5", "50", "150"), ((string?)variables["PROJECTION_WINDOW_SECONDS"], (string?)variables["HUBSPOT_RATE_LIMIT"], (string?)variables["HUBSPOT_PROJECTION_BUDGET"]));
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
    public void HubSpotBudget_SharedReads_HoldForEveryPlanAndConcurrency()
    {
        foreach (var limit in new[] { 100, 190, 250 })
        {
            for (var queue = 1; queue <= 40; queue++)
            {
                for (var reads = 0; reads < limit; reads += 7)
                {
                    var (budget, problems) = HubSpotBudget.SplitShared(limit, reads, queue);
                    if (problems.Count == 0)
                    {
                        Assert.True(budget.WorstCaseTotal <= limit, budget.ToString());
                        Assert.True(budget.QueueShare >= 1 && budget.ReadBudget >= 2, budget.ToString());
                        Assert.Equal(budget.QueueConcurrency + 1, budget.ProjectorConcurrency);
                    }
                    else
                    {
                        Assert.True(reads < 2 || (limit - reads) / Math.Max(2, queue) < 1, string.Join("; ", problems));
                    }
                }
            }
        }
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
