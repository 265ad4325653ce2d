using HhLearn.Operations;
using System.Text.Json.Nodes;

namespace HhLearn.Infra.Tests;

/// <summary>The CloudFormation the stack produces, resource by resource, with defaults and with a full configuration.</summary>
[Collection("stack")]
public class StackTests(StackFixture fixture)
{
    private static IEnumerable<JsonObject> Resources(JsonObject template, string type) =>
        template["Resources"]!.AsObject().Select(kv => kv.Value!.AsObject()).Where(r => (string?)r["Type"] == type);

    private static JsonObject Single(JsonObject template, string type) => Assert.Single(Resources(template, type));

    private static JsonObject Props(JsonObject resource) => resource["Properties"]!.AsObject();

    private static JsonObject Function(JsonObject template, string role = "api") =>
        Props(Resources(template, "AWS::Lambda::Function").Single(f => ((string?)Props(f)["FunctionName"])?.EndsWith($"-{role}", StringComparison.Ordinal) == true));

    [Theory]
    [InlineData("api")]
    [InlineData("projector")]
    public void Functions_AreTheAotBootstrapOnProvidedAl2023_WithSensibleLimits(string role)
    {
        var fn = Function(StackFixture.Json(fixture.Defaults), role);
        Assert.Equal("provided.al2023", (string?)fn["Runtime"]);
        Assert.Equal("bootstrap", (string?)fn["Handler"]);
        Assert.Equal(512, (int)fn["MemorySize"]!);
        Assert.Equal(30, (int)fn["Timeout"]!);
        Assert.Equal("Active", (string?)fn["TracingConfig"]!["Mode"]);
        Assert.Equal($"hhlearn-dev-{role}", (string?)fn["FunctionName"]);
        Assert.NotNull(fn["LoggingConfig"]?["LogGroup"]?["Ref"]); // the one log group both write to
    }

    [Fact]
    public void TheProjector_ReservesItsConsumersAndTheSweeper_AllowsItsOwnLoop_TheApiReservesNothing()
    {
        var template = StackFixture.Json(fixture.Defaults);
        var projector = Function(template, "projector");
        var api = Function(template, "api");
        Assert.Equal(3, (int)projector["ReservedConcurrentExecutions"]!);
        Assert.Equal("Allow", (string?)projector["RecursiveLoop"]);
        Assert.Null(api["ReservedConcurrentExecutions"]);
        Assert.Equal("Terminate", (string?)api["RecursiveLoop"]);
        Assert.Equal(4, (int)Function(StackFixture.Json(fixture.Full), "projector")["ReservedConcurrentExecutions"]!);

        // An account with a concurrency quota of 10 cannot reserve any: -c reserveConcurrency=false deploys there.
        var (small, _) = fixture.Variant("no-reservation", new() { ["reserveConcurrency"] = "false", ["apiReservedConcurrency"] = "5" });
        Assert.Null(Function(StackFixture.Json(small), "projector")["ReservedConcurrentExecutions"]);
        Assert.Equal(5, (int)Function(StackFixture.Json(small), "api")["ReservedConcurrentExecutions"]!);
    }

    [Fact]
    public void TheRetiredReservedConcurrencyKey_IsAWarning_NotSilentlyIgnored()
    {
        var (_, stack) = fixture.Variant("retired-key", new() { ["reservedConcurrency"] = "10" });
        Assert.Contains(StackFixture.Warnings(stack), w => w.Contains("reservedConcurrency is no longer read", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, "arm64")]
    [InlineData(true, "x86_64")]
    public void Function_ArchitectureComesFromContext(bool full, string architecture) =>
        Assert.Equal(architecture, (string?)Function(StackFixture.Json(full ? fixture.Full : fixture.Defaults))["Architectures"]![0]);

    [Fact]
    public void Function_Environment_SyncOffByDefault_OnWhenContextSaysSo()
    {
        var off = Function(StackFixture.Json(fixture.Defaults))["Environment"]!["Variables"]!;
        Assert.Equal("false", (string?)off["ENABLE_CRM_PROGRESS"]);
        Assert.Equal("properties", (string?)off["PROGRESS_BACKEND"]);
        Assert.Equal("/hhlearn/dev/hubspot-token", (string?)off["HUBSPOT_TOKEN_PARAMETER"]);
        Assert.Equal("20", (string?)off["HUBSPOT_RATE_LIMIT"]);
        Assert.Equal("20", (string?)off["HUBSPOT_SHARED_READ_BUDGET"]);
        Assert.Equal("true", (string?)off["JWT_REQUIRE_VERIFIED_EMAIL"]);
        Assert.Equal(("2026-09", "3600"), ((string?)off["HUBSPOT_API_VERSION"], (string?)off["STRANGER_TTL_SECONDS"]));
        Assert.Null(off["JWT_CONTACT_ID_CLAIM"]);
        Assert.Equal("dev", (string?)off["HHLEARN_STAGE"]);
        Assert.NotNull(off["SYNC_QUEUE_URL"]!["Ref"]);
        Assert.Equal("40", (string?)Function(StackFixture.Json(fixture.Defaults), "projector")["Environment"]!["Variables"]!["HUBSPOT_RATE_LIMIT"]);

        var on = Function(StackFixture.Json(fixture.Full))["Environment"]!["Variables"]!;
        Assert.Equal("true", (string?)on["ENABLE_CRM_PROGRESS"]);
        Assert.Equal("/custom/hubspot-token", (string?)on["HUBSPOT_TOKEN_PARAMETER"]);
        Assert.Equal("38", (string?)on["HUBSPOT_SHARED_READ_BUDGET"]);
        Assert.Equal("custom:hubspot_id", (string?)on["JWT_CONTACT_ID_CLAIM"]);
        Assert.Equal("50", (string?)Function(StackFixture.Json(fixture.Full), "projector")["Environment"]!["Variables"]!["HUBSPOT_RATE_LIMIT"]);
        Assert.Equal("https://learn.example.com,https://www.example.com", (string?)on["ALLOWED_ORIGINS"]);

        var (unverified, _) = fixture.Variant("unverified-email", new() { ["jwtRequireVerifiedEmail"] = "false" });
        Assert.Equal("false", (string?)Function(StackFixture.Json(unverified))["Environment"]!["Variables"]!["JWT_REQUIRE_VERIFIED_EMAIL"]);
    }

    [Fact]
    public void EventsBackend_FailsSynth_BecauseTheStackAlwaysDeploysTheStore()
    {
        // The function refuses PROGRESS_BACKEND=events beside PROGRESS_TABLE at init: deployed, every request would fail.
        var (_, stack) = fixture.Variant("events-backend", new() { ["progressBackend"] = "events" });
        var error = Assert.Single(StackFixture.Errors(stack));
        Assert.Contains("progressBackend=events cannot be deployed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Function_HasALogGroupWithRetention()
    {
        var logs = Resources(StackFixture.Json(fixture.Defaults), "AWS::Logs::LogGroup").Single(r => (string?)Props(r)["LogGroupName"] == "/aws/lambda/hhlearn-dev");
        Assert.Equal(30, (int)Props(logs)["RetentionInDays"]!);

        // A dev stage can be destroyed and deployed again; a production stage keeps its logs.
        Assert.Equal("Delete", (string?)logs["DeletionPolicy"]);
        Assert.Equal("Retain", (string?)Resources(StackFixture.Json(fixture.Full), "AWS::Logs::LogGroup").Single(r => (string?)Props(r)["LogGroupName"] == "/aws/lambda/hhlearn-prod")["DeletionPolicy"]);
    }

    [Fact]
    public void Token_TheFunctionMayReadThatOneParameter_AndTheHashKeysReference_AndNoOther()
    {
        var template = StackFixture.Json(fixture.Full);
        var statements = Resources(template, "AWS::IAM::Policy").SelectMany(p => Props(p)["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject()).ToList();
        var ssm = statements.Where(s => Actions(s).Any(a => a.StartsWith("ssm:", StringComparison.Ordinal))).ToList();
        Assert.Equal(4, ssm.Count); // the token and the hash key's reference, for each function
        foreach (var statement in ssm)
        {
            var resource = statement["Resource"]!.ToJsonString();
            Assert.True(resource.Contains(":parameter/custom/hubspot-token", StringComparison.Ordinal) ||
                        resource.Contains(":parameter/aws/reference/secretsmanager/hhlearn/", StringComparison.Ordinal), resource);
            Assert.DoesNotContain("*", resource.Replace("\"Fn::Join\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.All(Actions(statement), a => Assert.StartsWith("ssm:", a, StringComparison.Ordinal));
        }

        Assert.Empty(Resources(template, "AWS::SSM::Parameter"));

        // The token's customer-managed KMS key: decrypt, through SSM only, that key only.
        var kms = statements.Where(s => Actions(s).Contains("kms:Decrypt")).ToList();
        Assert.Equal(2, kms.Count);
        Assert.All(kms, s => Assert.Equal(StackFixture.FullContext["tokenKmsKeyArn"], (string?)s["Resource"]));
        Assert.All(kms, s => Assert.Contains("kms:ViaService", s["Condition"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.DoesNotContain(Resources(StackFixture.Json(fixture.Defaults), "AWS::IAM::Policy").SelectMany(p => Props(p)["PolicyDocument"]!["Statement"]!.AsArray()),
            st => Actions(st!.AsObject()).Contains("kms:Decrypt"));
    }

    private static IEnumerable<string> Actions(JsonObject statement) =>
        statement["Action"] is JsonArray array ? array.Select(a => (string)a!) : [(string)statement["Action"]!];

    [Fact]
    public void Api_HasTheFourRoutes_OnTheLambdaIntegration_PayloadFormat2()
    {
        var template = StackFixture.Json(fixture.Defaults);
        var routes = Resources(template, "AWS::ApiGatewayV2::Route").Select(r => (string)Props(r)["RouteKey"]!).Order().ToArray();
        Assert.Equal(["GET /enrollments/list", "GET /progress/aggregate", "GET /progress/read", "POST /events/track"], routes);
        var integration = Props(Single(template, "AWS::ApiGatewayV2::Integration"));
        Assert.Equal(("AWS_PROXY", "2.0"), ((string?)integration["IntegrationType"], (string?)integration["PayloadFormatVersion"]));
    }

    [Fact]
    public void Api_CorsFromContextOrigins()
    {
        var cors = Props(Single(StackFixture.Json(fixture.Full), "AWS::ApiGatewayV2::Api"))["CorsConfiguration"]!;
        Assert.Equal(["https://learn.example.com", "https://www.example.com"], cors["AllowOrigins"]!.AsArray().Select(o => (string)o!));
        Assert.Contains("POST", cors["AllowMethods"]!.AsArray().Select(m => (string)m!));
        Assert.Null(Props(Single(StackFixture.Json(fixture.Defaults), "AWS::ApiGatewayV2::Api"))["CorsConfiguration"]);
    }

    [Fact]
    public void Api_StageThrottlingAndAccessLogs()
    {
        var stage = Props(Single(StackFixture.Json(fixture.Defaults), "AWS::ApiGatewayV2::Stage"));
        Assert.Equal("$default", (string?)stage["StageName"]);
        Assert.Equal(50, (double)stage["DefaultRouteSettings"]!["ThrottlingRateLimit"]!);
        Assert.Equal(100, (int)stage["DefaultRouteSettings"]!["ThrottlingBurstLimit"]!);
        Assert.Contains("$context.requestId", (string?)stage["AccessLogSettings"]!["Format"], StringComparison.Ordinal);
        Assert.NotNull(stage["AccessLogSettings"]!["DestinationArn"]);
    }

    [Fact]
    public void Api_JwtAuthorizerOnEveryRoute_WhenIssuerAndAudienceAreSet()
    {
        var template = StackFixture.Json(fixture.Full);
        var authorizer = Props(Single(template, "AWS::ApiGatewayV2::Authorizer"));
        Assert.Equal("JWT", (string?)authorizer["AuthorizerType"]);
        Assert.Equal("https://auth.example.com/", (string?)authorizer["JwtConfiguration"]!["Issuer"]);
        Assert.Equal(["hhlearn"], authorizer["JwtConfiguration"]!["Audience"]!.AsArray().Select(a => (string)a!));
        Assert.All(Resources(template, "AWS::ApiGatewayV2::Route"), r => Assert.Equal("JWT", (string?)Props(r)["AuthorizationType"]));
    }

    [Fact]
    public void Api_WithoutIssuerAndAudience_HasNoAuthorizer_AndSynthWarns()
    {
        var template = StackFixture.Json(fixture.Defaults);
        Assert.Empty(Resources(template, "AWS::ApiGatewayV2::Authorizer"));
        Assert.All(Resources(template, "AWS::ApiGatewayV2::Route"), r => Assert.NotEqual("JWT", (string?)Props(r)["AuthorizationType"]));
        Assert.Equal(1, fixture.DefaultWarnings);
    }

    [Fact]
    public void ACustomDomain_MapsTheApi_AtTheBasePath_AndSaysWhereToPointDns()
    {
        var (template, stack) = fixture.Variant("domain", new()
        {
            ["domainName"] = "api.example.com", ["certificateArn"] = "arn:aws:acm:eu-west-1:123456789012:certificate/abc", ["basePath"] = "/learn/",
        });
        Assert.Empty(StackFixture.Errors(stack));
        var json = StackFixture.Json(template);
        var domain = Props(Single(json, "AWS::ApiGatewayV2::DomainName"));
        Assert.Equal("api.example.com", (string?)domain["DomainName"]);
        Assert.Equal("arn:aws:acm:eu-west-1:123456789012:certificate/abc", (string?)domain["DomainNameConfigurations"]![0]!["CertificateArn"]);
        Assert.Equal("learn", (string?)Props(Single(json, "AWS::ApiGatewayV2::ApiMapping"))["ApiMappingKey"]);
        Assert.Contains("CustomDomainTarget", json["Outputs"]!.AsObject().Select(o => o.Key));
        Assert.Empty(Resources(StackFixture.Json(fixture.Defaults), "AWS::ApiGatewayV2::DomainName"));
    }

    [Theory]
    [InlineData("domainName", "api.example.com", "needs both")]
    [InlineData("basePath", "learn", "basePath maps the API under a custom domain")]
    [InlineData("tokenKmsKeyArn", "alias/mine", "tokenKmsKeyArn must be a KMS key ARN")]
    public void AnIncompleteDomainOrKey_FailsSynth_WithOneLine(string key, string value, string says)
    {
        var (_, stack) = fixture.Variant($"bad-{key}", new() { [key] = value });
        Assert.Contains(StackFixture.Errors(stack), e => e.Contains(says, StringComparison.Ordinal));
    }

    [Fact]
    public void SyncOn_WithoutAllowedOrigins_Warns_NoBrowserCouldCallIt()
    {
        var (_, stack) = fixture.Variant("no-origins", new() { ["enableCrmProgress"] = "true", ["jwtIssuer"] = "https://auth.example.com/", ["jwtAudience"] = "a" });
        Assert.Contains(StackFixture.Warnings(stack), w => w.Contains("no allowedOrigins", StringComparison.Ordinal));
        Assert.DoesNotContain(StackFixture.Warnings(fixture.Variant("full", StackFixture.FullContext).Stack), w => w.Contains("no allowedOrigins", StringComparison.Ordinal));
    }

    [Fact]
    public void TheAlarmTopic_TakesTlsOnly_AndItsEmailsAndTheSweepsHaveADeadLetterQueue()
    {
        var template = StackFixture.Json(fixture.Full);
        var policy = Props(Single(template, "AWS::SNS::TopicPolicy"))["PolicyDocument"]!.ToJsonString();
        Assert.Contains("aws:SecureTransport", policy, StringComparison.Ordinal);
        Assert.Contains("cloudwatch.amazonaws.com", policy, StringComparison.Ordinal);
        var undelivered = template["Resources"]!.AsObject().Single(r => (string?)r.Value!["Properties"]?["QueueName"] == "hhlearn-prod-undelivered").Key;
        Assert.Contains(undelivered, Props(Single(template, "AWS::SNS::Subscription"))["RedrivePolicy"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(undelivered, Props(Single(template, "AWS::Events::Rule"))["Targets"]![0]!["DeadLetterConfig"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheFunctions_HaveTheirOwnRoles_WithoutTheManagedBasicExecutionPolicy()
    {
        var template = StackFixture.Json(fixture.Full);
        var roles = Resources(template, "AWS::IAM::Role").Select(Props).Where(r => r["AssumeRolePolicyDocument"]!.ToJsonString().Contains("lambda.amazonaws.com", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, roles.Count(r => ((string?)r["Description"])?.StartsWith("hhlearn-prod-", StringComparison.Ordinal) == true));
        Assert.DoesNotContain(roles.Where(r => ((string?)r["Description"])?.StartsWith("hhlearn-prod-", StringComparison.Ordinal) == true), r => r["ManagedPolicyArns"] is not null);
        var logs = Resources(template, "AWS::IAM::Policy").SelectMany(p => Props(p)["PolicyDocument"]!["Statement"]!.AsArray()).Where(st => st!["Action"]!.ToJsonString().Contains("logs:PutLogEvents", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, logs.Count);
        Assert.All(logs, st => Assert.Contains("ProgressFunctionLogs", st!["Resource"]!.ToJsonString(), StringComparison.Ordinal));
    }

    /// <summary>cdk-nag (CI runs it over this template) reads these; each acknowledgement says why.</summary>
    [Fact]
    public void CdkNagAcknowledgements_SitOnTheirResources_EachWithAReason()
    {
        var template = StackFixture.Json(fixture.Full);
        var acknowledged = template["Resources"]!.AsObject()
            .SelectMany(r => (r.Value!["Metadata"]?["cdk_nag"]?["rules_to_suppress"]?.AsArray() ?? []).Select(rule => (Resource: r.Key, Rule: (string)rule!["id"]!, Reason: (string?)rule["reason"])))
            .ToList();
        Assert.All(acknowledged, a => Assert.True(a.Reason is { Length: > 40 }, $"{a.Resource} {a.Rule}: no reason"));
        Assert.Equal(
            ["AwsSolutions-IAM5", "AwsSolutions-SMG4", "AwsSolutions-SQS3", "Serverless-LambdaDLQ", "Serverless-LambdaEventSourceMappingDestination", "Serverless-SQSRedrivePolicy"],
            acknowledged.Select(a => a.Rule).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(acknowledged, a => a.Rule == "AwsSolutions-SMG4" && a.Resource.StartsWith("HashKey", StringComparison.Ordinal));
    }

    [Fact]
    public void HubSpotsWebhooks_HaveTheirRouteWithoutTheAuthorizer_TheirOwnThrottle_AndTheSecretsGrant()
    {
        var context = new Dictionary<string, object>(StackFixture.FullContext) { ["hubspotWebhooks"] = "true" };
        var (template, stack) = fixture.Variant("webhooks", context);
        Assert.Empty(StackFixture.Errors(stack));
        var json = StackFixture.Json(template);
        var routes = Resources(json, "AWS::ApiGatewayV2::Route").Select(Props).ToList();
        var webhook = routes.Single(r => (string?)r["RouteKey"] == "POST /hubspot/webhooks");
        Assert.NotEqual("JWT", (string?)webhook["AuthorizationType"]);
        Assert.All(routes.Where(r => r != webhook), r => Assert.Equal("JWT", (string?)r["AuthorizationType"]));
        var throttle = Props(Single(json, "AWS::ApiGatewayV2::Stage"))["RouteSettings"]!["POST /hubspot/webhooks"]!;
        Assert.Equal(10, (double)throttle["ThrottlingRateLimit"]!);

        Assert.Equal("/hhlearn/prod/hubspot-client-secret", (string?)Function(json, "api")["Environment"]!["Variables"]!["WEBHOOK_SECRET_PARAMETER"]);
        Assert.Null(Function(json, "projector")["Environment"]!["Variables"]!["WEBHOOK_SECRET_PARAMETER"]);
        var grants = Resources(json, "AWS::IAM::Policy").Where(p => Props(p)["PolicyDocument"]!.ToJsonString().Contains("hubspot-client-secret", StringComparison.Ordinal)).ToList();
        Assert.Contains("ApiFunction", Assert.Single(grants)["Properties"]!["Roles"]!.ToJsonString(), StringComparison.Ordinal);

        // Off by default: no route, no secret.
        Assert.DoesNotContain(Resources(StackFixture.Json(fixture.Full), "AWS::ApiGatewayV2::Route").Select(Props), r => (string?)r["RouteKey"] == "POST /hubspot/webhooks");
    }

    [Fact]
    public void Queue_IsFifoWithAFifoDlq_EncryptedAtRest()
    {
        var queues = Resources(StackFixture.Json(fixture.Defaults), "AWS::SQS::Queue").Select(Props).ToList();
        var main = queues.Single(q => (string?)q["QueueName"] == "hhlearn-dev-sync.fifo");
        var dlq = queues.Single(q => (string?)q["QueueName"] == "hhlearn-dev-sync-dlq.fifo");
        Assert.True((bool)main["FifoQueue"]!);
        Assert.True((bool)dlq["FifoQueue"]!);
        Assert.True((bool)main["SqsManagedSseEnabled"]!);
        Assert.True((bool)dlq["SqsManagedSseEnabled"]!);
        Assert.Equal(5, (int)main["RedrivePolicy"]!["maxReceiveCount"]!);
        Assert.Equal(180, (int)main["VisibilityTimeout"]!);
        Assert.Equal("messageGroup", (string?)main["DeduplicationScope"]);
    }

    [Fact]
    public void Queue_MaxReceiveCountComesFromContext() =>
        Assert.Equal(7, (int)Resources(StackFixture.Json(fixture.Full), "AWS::SQS::Queue").Select(Props).Single(q => q["RedrivePolicy"] is not null)["RedrivePolicy"]!["maxReceiveCount"]!);

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    public void EventSourceMapping_BatchOf10_PartialBatchResponses_MaxConcurrencyFromContext(bool full, int concurrency)
    {
        var mapping = Props(Single(StackFixture.Json(full ? fixture.Full : fixture.Defaults), "AWS::Lambda::EventSourceMapping"));
        Assert.Equal(10, (int)mapping["BatchSize"]!);
        Assert.Equal(["ReportBatchItemFailures"], mapping["FunctionResponseTypes"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(concurrency, (int)mapping["ScalingConfig"]!["MaximumConcurrency"]!);
    }

    [Fact]
    public void MetricFilters_CountEachMeteredEvent_InNamespaceHhLearn_WithTheStageDimension()
    {
        var filters = Resources(StackFixture.Json(fixture.Defaults), "AWS::Logs::MetricFilter").Select(Props).ToList();
        foreach (var eventName in LogEvents.Metered)
        {
            var filter = filters.Single(f => (string?)f["MetricTransformations"]![0]!["MetricName"] == eventName);
            Assert.Equal($"{{ $.event = \"{eventName}\" }}", (string?)filter["FilterPattern"]);
            var transformation = filter["MetricTransformations"]![0]!;
            Assert.Equal("HhLearn", (string?)transformation["MetricNamespace"]);
            Assert.Equal("1", (string?)transformation["MetricValue"]);
            Assert.Equal("$.stage", (string?)transformation["Dimensions"]!.AsArray().Single(d => (string?)d!["Key"] == "stage")!["Value"]);
        }
    }

    [Fact]
    public void Alarms_AllGoToTheSnsTopic_WithTheirThresholds()
    {
        var template = StackFixture.Json(fixture.Full);
        var alarms = Resources(template, "AWS::CloudWatch::Alarm").Select(Props).ToList();
        Assert.Equal(15, alarms.Count);
        Assert.All(alarms, a => Assert.NotEmpty(a["AlarmActions"]!.AsArray()));
        double Threshold(string suffix) => (double)alarms.Single(a => ((string?)a["AlarmName"])!.EndsWith(suffix, StringComparison.Ordinal))["Threshold"]!;
        Assert.Equal(5, Threshold("ProjectionFailureRate"));
        Assert.Equal(600, Threshold("ProjectionLag"));
        Assert.Equal(10, Threshold("StoreErrors"));
        Assert.Equal(0, Threshold("ContactDeletedUpstream"));
        Assert.Equal(250, Threshold("ContactCreationSpike"));
        Assert.Equal(5, Threshold("LambdaErrorsApi"));
        Assert.Equal(5, Threshold("LambdaErrorsProjector"));
        Assert.Equal(0, Threshold("ThrottlesApi"));
        Assert.Equal(0, Threshold("ThrottlesProjector"));
        Assert.Equal(0, Threshold("TokenUnavailable"));
        Assert.Equal(0, Threshold("HubSpotMisconfigured"));
        Assert.Equal(500, Threshold("ApiLatencyP95"));
        Assert.Equal(0, Threshold("DeadLetters"));
        Assert.Equal(300, Threshold("OldestQueuedNudge"));

        // HubSpot's quota: the projection above 80% of its budget for five minutes in a row.
        var quota = alarms.Single(a => ((string?)a["AlarmName"])!.EndsWith("ProjectionQuotaHigh", StringComparison.Ordinal));
        Assert.Equal((80.0, 5, 5, 60, "Maximum", HhLearn.Infra.Constructs.SyncAlarms.QuotaUsageMetric),
            ((double)quota["Threshold"]!, (int)quota["EvaluationPeriods"]!, (int)quota["DatapointsToAlarm"]!, (int)quota["Period"]!, (string?)quota["Statistic"], (string?)quota["MetricName"]));
        var latency = alarms.Single(a => ((string?)a["AlarmName"])!.EndsWith("ApiLatencyP95", StringComparison.Ordinal));
        Assert.Equal("p95", (string?)latency["ExtendedStatistic"]);
        var errors = alarms.Single(a => ((string?)a["AlarmName"])!.EndsWith("LambdaErrorsApi", StringComparison.Ordinal));
        Assert.Equal(60, (int)errors["Period"]!);

        // No data from the sweeper is itself a failure: a sweeper that never runs must alarm.
        Assert.Equal("breaching", (string?)alarms.Single(a => ((string?)a["AlarmName"])!.EndsWith("ProjectionLag", StringComparison.Ordinal))["TreatMissingData"]);
        Assert.All(alarms.Where(a => !((string?)a["AlarmName"])!.EndsWith("ProjectionLag", StringComparison.Ordinal)), a => Assert.Equal("notBreaching", (string?)a["TreatMissingData"]));
    }

    [Fact]
    public void AlarmEmail_IsSubscribedOnlyWhenGiven()
    {
        var subscription = Props(Single(StackFixture.Json(fixture.Full), "AWS::SNS::Subscription"));
        Assert.Equal(("email", "ops@example.com"), ((string?)subscription["Protocol"], (string?)subscription["Endpoint"]));
        Assert.Empty(Resources(StackFixture.Json(fixture.Defaults), "AWS::SNS::Subscription"));
        Single(StackFixture.Json(fixture.Defaults), "AWS::SNS::Topic");
    }

    [Fact]
    public void Dashboard_AndOutputs()
    {
        var template = StackFixture.Json(fixture.Defaults);
        var body = Props(Single(template, "AWS::CloudWatch::Dashboard"))["DashboardBody"]!.ToJsonString();
        Assert.Contains("projection_written", body, StringComparison.Ordinal);
        Assert.Contains("projection_lag_seconds", body, StringComparison.Ordinal);
        Assert.Contains("WriteThrottleEvents", body, StringComparison.Ordinal);
        Assert.Contains("ApproximateAgeOfOldestMessage", body, StringComparison.Ordinal);
        var outputs = template["Outputs"]!.AsObject().Select(o => o.Key).ToList();
        Assert.Contains("ApiUrl", outputs);
        Assert.Contains("QueueUrl", outputs);
        Assert.Contains("DeadLetterQueueUrl", outputs);
        Assert.Contains("DashboardName", outputs);
        Assert.Contains("ProgressTableName", outputs);
    }
}
