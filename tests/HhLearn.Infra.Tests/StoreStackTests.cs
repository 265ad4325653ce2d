using System.Text.Json.Nodes;
using HhLearn.Infra.Constructs;
using HhLearn.Operations;

namespace HhLearn.Infra.Tests;

/// <summary>The progress store, the sweeper schedule and their metrics in the template.</summary>
[Collection("stack")]
public class StoreStackTests(StackFixture fixture)
{
    private static IEnumerable<JsonObject> Resources(JsonObject template, string type) =>
        template["Resources"]!.AsObject().Select(kv => kv.Value!.AsObject()).Where(r => (string?)r["Type"] == type);

    private static JsonObject Props(JsonObject resource) => resource["Properties"]!.AsObject();

    private static JsonObject Table(JsonObject template) => Resources(template, "AWS::DynamoDB::Table").Single();

    [Fact]
    public void Table_IsOnDemand_WithPointInTimeRecovery_AndRetainedWhenAProductionStackIsDeleted()
    {
        var table = Table(StackFixture.Json(fixture.Defaults));
        var props = Props(table);
        Assert.Equal("hhlearn-dev-progress", (string?)props["TableName"]);
        Assert.Equal("PAY_PER_REQUEST", (string?)props["BillingMode"]);
        Assert.True((bool)props["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]!);
        Assert.Equal(("expires_at", true), ((string?)props["TimeToLiveSpecification"]!["AttributeName"], (bool)props["TimeToLiveSpecification"]!["Enabled"]!));

        // A dev stage can be destroyed and deployed again under the same names; production keeps its table.
        Assert.Equal(("Delete", "Delete"), ((string?)table["DeletionPolicy"], (string?)table["UpdateReplacePolicy"]));
        var prod = Table(StackFixture.Json(fixture.Full));
        Assert.Equal(("Retain", "Retain"), ((string?)prod["DeletionPolicy"], (string?)prod["UpdateReplacePolicy"]));
        Assert.Equal([("pk", "HASH")], props["KeySchema"]!.AsArray().Select(k => ((string)k!["AttributeName"]!, (string)k["KeyType"]!)));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void DeletionProtection_IsOnOutsideDev(bool prod, bool protectedTable) =>
        Assert.Equal(protectedTable, (bool?)Props(Table(StackFixture.Json(prod ? fixture.Full : fixture.Defaults)))["DeletionProtectionEnabled"] ?? false);

    [Fact]
    public void Table_HasTheContactIdAndProjectionDueIndexes_KeysOnly()
    {
        var indexes = Props(Table(StackFixture.Json(fixture.Defaults)))["GlobalSecondaryIndexes"]!.AsArray().Select(i => i!.AsObject()).ToDictionary(i => (string)i["IndexName"]!);
        Assert.Equal(["contact_id"], indexes["by-contact-id"]["KeySchema"]!.AsArray().Select(k => (string)k!["AttributeName"]!));
        Assert.Equal(["due", "due_since"], indexes["projection-due"]["KeySchema"]!.AsArray().Select(k => (string)k!["AttributeName"]!));
        Assert.All(indexes.Values, i => Assert.Equal("KEYS_ONLY", (string?)i["Projection"]!["ProjectionType"]));
    }

    [Fact]
    public void TheFunction_MayUseThisTableAndItsIndexes_AndNoOtherTable()
    {
        var template = StackFixture.Json(fixture.Full);
        var tableId = template["Resources"]!.AsObject().Single(r => (string?)r.Value!["Type"] == "AWS::DynamoDB::Table").Key;
        var statements = Resources(template, "AWS::IAM::Policy").SelectMany(p => Props(p)["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject())
            .Where(s => (s["Action"] is JsonArray a ? a.Select(x => (string)x!) : [(string)s["Action"]!]).Any(x => x.StartsWith("dynamodb:", StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(statements);
        foreach (var statement in statements)
        {
            var resources = statement["Resource"] is JsonArray list ? list.ToList() : [statement["Resource"]];
            Assert.All(resources, r => Assert.Contains(tableId, r!.ToJsonString(), StringComparison.Ordinal));
        }

        var variables = Props(Resources(template, "AWS::Lambda::Function").Single(f => ((string?)Props(f)["FunctionName"])?.EndsWith("-api", StringComparison.Ordinal) == true))["Environment"]!["Variables"]!;
        Assert.Equal(tableId, (string?)variables["PROGRESS_TABLE"]!["Ref"]);
        Assert.Equal("180", (string?)variables["PROJECTION_SWEEP_AFTER_SECONDS"]);

        // The projector's lease outlasts the longest invocation (the function's timeout, 30 s by default).
        Assert.Equal("60", (string?)variables["PROJECTION_LEASE_SECONDS"]);
    }

    [Fact]
    public void TheHashKey_IsGeneratedAtDeploy_Retained_AndReadableByTheFunctionOnly_ThroughSsm()
    {
        var template = StackFixture.Json(fixture.Full);
        var (secretId, secret) = template["Resources"]!.AsObject().Single(r => (string?)r.Value!["Type"] == "AWS::SecretsManager::Secret");
        var generate = Props(secret!.AsObject())["GenerateSecretString"]!;
        Assert.Equal(64, (int)generate["PasswordLength"]!);
        Assert.Equal(("Retain", "Retain"), ((string?)secret["DeletionPolicy"], (string?)secret["UpdateReplacePolicy"]));
        var name = (string)Props(secret.AsObject())["Name"]!;
        Assert.StartsWith("hhlearn/", name, StringComparison.Ordinal);

        var variables = Props(Resources(template, "AWS::Lambda::Function").Single(f => ((string?)Props(f)["FunctionName"])?.EndsWith("-api", StringComparison.Ordinal) == true))["Environment"]!["Variables"]!;
        Assert.Equal($"/aws/reference/secretsmanager/{name}", (string?)variables["HASH_KEY_PARAMETER"]);

        var statements = Resources(template, "AWS::IAM::Policy").SelectMany(p => Props(p)["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.ToJsonString()).ToList();
        Assert.Contains(statements, s => s.Contains("secretsmanager:GetSecretValue", StringComparison.Ordinal) && s.Contains(secretId, StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Contains("ssm:GetParameter", StringComparison.Ordinal) && s.Contains($"parameter/aws/reference/secretsmanager/{name}", StringComparison.Ordinal));
        Assert.Contains(template["Outputs"]!.AsObject(), o => o.Key == "HashKeySecretName");
    }

    [Fact]
    public void TheSweeper_RunsEveryMinute_OnTheFunction()
    {
        var template = StackFixture.Json(fixture.Defaults);
        var rule = Props(Resources(template, "AWS::Events::Rule").Single());
        Assert.Equal("rate(1 minute)", (string?)rule["ScheduleExpression"]);
        Assert.Contains("ProjectorFunction", rule["Targets"]![0]!["Arn"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(Resources(template, "AWS::Lambda::Permission").Select(Props), p => (string?)p["Principal"] == "events.amazonaws.com");
    }

    [Fact]
    public void ProjectionLag_IsAMetricFromTheSweepersLines()
    {
        var filter = Resources(StackFixture.Json(fixture.Defaults), "AWS::Logs::MetricFilter").Select(Props)
            .Single(f => (string?)f["MetricTransformations"]![0]!["MetricName"] == SyncAlarms.ProjectionLagMetric);
        Assert.Equal($"{{ $.event = \"{LogEvents.ProjectionSwept}\" }}", (string?)filter["FilterPattern"]);
        Assert.Equal("$.oldestBehindSeconds", (string?)filter["MetricTransformations"]![0]!["MetricValue"]);
    }

    [Fact]
    public void StoreErrors_AlarmWatchesThrottlesSystemErrorsAndUnavailableAnswers()
    {
        var alarm = Resources(StackFixture.Json(fixture.Defaults), "AWS::CloudWatch::Alarm").Select(Props)
            .Single(a => ((string?)a["AlarmName"])!.EndsWith("StoreErrors", StringComparison.Ordinal));
        var text = alarm["Metrics"]!.ToJsonString();
        Assert.Contains("ReadThrottleEvents", text, StringComparison.Ordinal);
        Assert.Contains("WriteThrottleEvents", text, StringComparison.Ordinal);
        Assert.Contains("SystemErrors", text, StringComparison.Ordinal);
        Assert.Contains(LogEvents.StoreUnavailable, text, StringComparison.Ordinal);
    }
}
