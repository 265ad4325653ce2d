using Amazon.CDK.AWS.Logs;
using HhLearn.Infra.Constructs;
using Architecture = Amazon.CDK.AWS.Lambda.Architecture;
using Function = Amazon.CDK.AWS.Lambda.Function;

namespace HhLearn.Infra;

/// <summary>The whole service: function, token, progress store, projection queue and sweeper, API, alarms and dashboard.</summary>
public sealed class HhLearnStack : Stack
{
    public HhLearnStack(Construct scope, string id, Settings settings, IStackProps? props = null)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var problem in settings.Problems())
        {
            Annotations.Of(this).AddError(problem);
        }

        if (settings.EnableCrmProgress && !settings.HasAuthorizer && settings.AllowUnauthenticated)
        {
            Annotations.Of(this).AddWarning("allowUnauthenticated=true: the API has no JWT authorizer and trusts the email or contact id in each request.");
        }

        if (!settings.EnableCrmProgress && !settings.HasAuthorizer)
        {
            Annotations.Of(this).AddWarning(
                "No JWT authorizer: set context jwtIssuer and jwtAudience. Without it the API trusts the email or contact id in each request.");
        }

        foreach (var warning in settings.Warnings())
        {
            Annotations.Of(this).AddWarning(warning);
        }

        // Values that follow from several settings are computed here, once, and handed to the constructs that need them.
        var budget = settings.Budget.Budget;
        var timeout = Duration.Seconds(settings.TimeoutSeconds);
        Token = new TokenParameter(this, "HubSpotToken", new TokenParameterProps { ParameterName = settings.TokenParameterName, KmsKeyArn = settings.TokenKmsKeyArn });
        Store = new ProgressStore(this, "ProgressStore", new ProgressStoreProps { Stage = settings.Stage });
        HashKey = new HashKeySecret(this, "HashKey", new HashKeySecretProps { Stage = settings.Stage });
        Queue = new SyncQueue(this, "SyncQueue", new SyncQueueProps
        {
            Stage = settings.Stage,

            // AWS's advice for Lambda consumers: at least six times the function timeout, so that a slow batch is
            // never handed to a second consumer while the first still writes it.
            VisibilityTimeout = Duration.Seconds(6 * settings.TimeoutSeconds),
            MaxReceiveCount = settings.MaxReceiveCount,
        });

        // What AWS could not deliver to us (a sweep EventBridge could not hand over, an alarm email SNS could not send).
        Undelivered = new Amazon.CDK.AWS.SQS.Queue(this, "Undelivered", new Amazon.CDK.AWS.SQS.QueueProps
        {
            QueueName = $"hhlearn-{settings.Stage}-undelivered",
            Encryption = Amazon.CDK.AWS.SQS.QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RetentionPeriod = Duration.Days(14),
        });
        NagAcknowledgements.Acknowledge(Undelivered,
            new NagAcknowledgement("AwsSolutions-SQS3", "This is a dead-letter queue (the sweeper's EventBridge target and the alarm email subscription)."),
            new NagAcknowledgement("Serverless-SQSRedrivePolicy", "This is a dead-letter queue: its messages wait here to be read, not for another queue."));

        // One log group for both functions: the metric filters and the alarms read one place. It keeps the construct path
        // (and so the logical id) the one-function stack gave it: a production stack updated in place keeps its retained
        // log group instead of failing to create a second one under the same name.
        Logs = new LogGroup(new Construct(this, "ProgressFunction"), "Logs", new LogGroupProps
        {
            LogGroupName = $"/aws/lambda/hhlearn-{settings.Stage}",
            Retention = Retention(settings.LogRetentionDays),
            RemovalPolicy = settings.Stage == "dev" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        });

        // What both functions share; each then adds the HubSpot share of the work it does.
        var shared = new Dictionary<string, string>
        {
            [SettingNames.EnableCrmProgress] = settings.EnableCrmProgress ? "true" : "false",
            [SettingNames.ProgressBackend] = settings.ProgressBackend,
            [SettingNames.AllowedOrigins] = string.Join(',', settings.AllowedOrigins),
            [SettingNames.HubSpotTokenParameter] = Token.ParameterName,
            [SettingNames.ProgressTable] = Store.Table.TableName,
            [SettingNames.HashKeyParameter] = HashKey.ParameterName,
            [SettingNames.SyncQueueUrl] = Queue.Queue.QueueUrl,
            [SettingNames.ProjectionSweepAfterSeconds] = Text(settings.SweepAfterSeconds),

            // A projector's hold on the learners it writes outlasts any invocation, so a lease never runs out mid-write.
            [SettingNames.ProjectionLeaseSeconds] = Text(2 * settings.TimeoutSeconds),
            [SettingNames.JwtRequireVerifiedEmail] = settings.JwtRequireVerifiedEmail ? "true" : "false",
            [SettingNames.HubSpotApiVersion] = settings.HubSpotApiVersion,
            [SettingNames.StrangerTtlSeconds] = Text(settings.StrangerTtlSeconds),
            [SettingNames.Stage] = settings.Stage,
        };
        if (settings.HubSpotCreateDefaults is { } defaults)
        {
            shared[SettingNames.HubSpotCreateDefaults] = defaults;
        }

        if (settings.JwtContactIdClaim is { } claim)
        {
            shared[SettingNames.JwtContactIdClaim] = claim;
        }

        ProgressFunction ProgressFunctionOf(string role, string description, int? reserved, bool recursive, Dictionary<string, string> hubSpotShare) =>
            new ProgressFunction(this, role == "api" ? "ApiFunction" : "ProjectorFunction", new ProgressFunctionProps
            {
                FunctionName = $"hhlearn-{settings.Stage}-{role}",
                Description = description,
                AssetDir = settings.AssetDir,
                Architecture = settings.Architecture == "arm64" ? Architecture.ARM_64 : Architecture.X86_64,
                MemorySize = settings.MemorySize,
                Timeout = timeout,
                LogGroup = Logs,
                Environment = shared.Concat(hubSpotShare).ToDictionary(),
                ReservedConcurrency = reserved,
                AllowRecursiveLoop = recursive,
            });

        // The API scales with the stage throttle; its HubSpot calls (one-time imports) share one budget through the table.
        var apiOnly = new Dictionary<string, string>
        {
            [SettingNames.HubSpotRateLimit] = Text(budget.ReadBudget),
            [SettingNames.HubSpotReadRateLimit] = Text(budget.ReadBudget),
            [SettingNames.HubSpotSharedReadBudget] = Text(budget.ReadBudget),
        };
        if (settings.HubSpotWebhooks)
        {
            apiOnly[SettingNames.WebhookSecretParameter] = settings.WebhookSecretParameterName;
        }

        var api = ProgressFunctionOf("api", "HhLearn API: tracks and reads, answered from the progress store (Native AOT bootstrap)",
            settings.ApiReservedConcurrency, recursive: false, apiOnly);

        // The projector: the queue's consumers (each with its share of the app's limit) and the sweeper, in capacity of
        // their own so that an API burst never throttles them; it re-nudges its own queue on purpose (RecursiveLoop Allow).
        var projector = ProgressFunctionOf("projector", "HhLearn projector: the store's progress into HubSpot, and the sweeper (Native AOT bootstrap)",
            settings.ReserveConcurrency ? budget.ProjectorConcurrency : null, recursive: true, new Dictionary<string, string>
            {
                [SettingNames.HubSpotRateLimit] = Text(budget.QueueShare),
                [SettingNames.HubSpotReadRateLimit] = Text(budget.QueueShare),
                [SettingNames.HubSpotProjectionBudget] = Text(budget.QueueConcurrency * budget.QueueShare),
                [SettingNames.ProjectionWindowSeconds] = Text(settings.ProjectionWindowSeconds),
            });

        ApiFunction = api.Function;
        ProjectorFunction = projector.Function;
        foreach (var function in new[] { ApiFunction, ProjectorFunction })
        {
            Token.GrantRead(function);
            HashKey.GrantRead(function);
            Store.GrantReadWrite(function);
        }

        Queue.Queue.GrantSendMessages(ApiFunction);
        if (settings.HubSpotWebhooks)
        {
            // The client secret: a SecureString that exists (as the token), read by the API function only.
            new TokenParameter(this, "WebhookSecret", new TokenParameterProps { ParameterName = settings.WebhookSecretParameterName, KmsKeyArn = settings.TokenKmsKeyArn })
                .GrantRead(ApiFunction);
        }

        Queue.Connect(ProjectorFunction, budget.QueueConcurrency);
        Sweeper = new ProjectionSweeper(this, "ProjectionSweeper", new ProjectionSweeperProps
        {
            Stage = settings.Stage, Function = ProjectorFunction, Every = Duration.Minutes(1), Undelivered = Undelivered,
        });
        Api = new ProgressApi(this, "ProgressApi", new ProgressApiProps
        {
            Stage = settings.Stage,
            Function = ApiFunction,

            // A wildcard is refused above (Problems): browsers refuse it for credentialed requests.
            AllowedOrigins = [.. settings.AllowedOrigins.Where(o => !o.Contains('*', StringComparison.Ordinal))],
            Authorizer = settings.HasAuthorizer ? new JwtAuthorizerSettings(settings.JwtIssuer!, settings.JwtAudience!) : null,
            ThrottleRate = settings.ThrottleRate,
            ThrottleBurst = settings.ThrottleBurst,
            Webhooks = settings.HubSpotWebhooks,
            Domain = settings.DomainName is { } domainName && settings.CertificateArn is { } certificate
                ? new CustomDomainSettings(domainName, certificate, settings.BasePath)
                : null,
        });
        Alarms = new SyncAlarms(this, "SyncAlarms", new SyncAlarmsProps
        {
            Stage = settings.Stage,
            AlarmEmail = settings.AlarmEmail,
            ProjectionLagAlarmSeconds = settings.ProjectionLagAlarmSeconds,
            ContactCreationSpikeThreshold = settings.ContactCreationSpikeThreshold,
            FunctionLogs = Logs,
            Functions = [ApiFunction, ProjectorFunction],
            Api = Api.Api,
            Queue = Queue.Queue,
            DeadLetterQueue = Queue.DeadLetterQueue,
            Table = Store.Table,
            Undelivered = Undelivered,
        });

        // cdk-nag findings that are so on purpose (CI fails on any other; tools/cdk-nag).
        NagAcknowledgements.Acknowledge(ApiFunction, new NagAcknowledgement("Serverless-LambdaDLQ",
            "The API function is invoked synchronously only (API Gateway): a failure is the caller's answer, there is no asynchronous event to keep."));
        NagAcknowledgements.Acknowledge(ProjectorFunction, new NagAcknowledgement("Serverless-LambdaDLQ",
            "Its queue work keeps failed nudges in the queue's own dead-letter queue; its only asynchronous event, the sweep, runs again a minute later (undelivered ones go to the schedule target's DLQ)."));
        foreach (var role in new[] { api.Role, projector.Role })
        {
            NagAcknowledgements.Acknowledge(role.Node.FindChild("DefaultPolicy"), new NagAcknowledgement("AwsSolutions-IAM5",
                "xray:PutTraceSegments and xray:PutTelemetryRecords take no resource-level permission (Resource *); the table grant covers that one table's own indexes (<table>/index/*).",
                "Resource::*", NagAcknowledgements.Matching("/^Resource::<ProgressStoreTable[A-Za-z0-9]*\\.Arn>\\/index\\/\\*$/g")));
        }

        new CfnOutput(this, "ApiUrl", new CfnOutputProps { Value = Api.Stage.Url, Description = "The HTTP API (POST /events/track)" });
        if (Api.Domain is { } domain)
        {
            new CfnOutput(this, "CustomDomainTarget", new CfnOutputProps
            {
                Value = domain.RegionalDomainName,
                Description = $"Point {settings.DomainName} here (a CNAME, or an alias record); the API is at https://{settings.DomainName}/{settings.BasePath}",
            });
        }

        new CfnOutput(this, "ProgressTableName", new CfnOutputProps { Value = Store.Table.TableName, Description = "The progress store (PROGRESS_TABLE for hhlearn import, reproject, recompute)" });
        new CfnOutput(this, "HashKeySecretName", new CfnOutputProps { Value = HashKey.SecretName, Description = "The hash key (hhlearn forget, suppress, export, import: --hash-key-parameter /aws/reference/secretsmanager/<this>)" });
        new CfnOutput(this, "QueueUrl", new CfnOutputProps { Value = Queue.Queue.QueueUrl, Description = "The projection queue (nudges)" });
        new CfnOutput(this, "DeadLetterQueueUrl", new CfnOutputProps { Value = Queue.DeadLetterQueue.QueueUrl });
        new CfnOutput(this, "DashboardName", new CfnOutputProps { Value = Alarms.Dashboard.DashboardName });
        new CfnOutput(this, "AlarmTopicArn", new CfnOutputProps { Value = Alarms.Topic.TopicArn });
    }

    public TokenParameter Token { get; }
    public ProgressStore Store { get; }
    public HashKeySecret HashKey { get; }
    public ProjectionSweeper Sweeper { get; }
    public SyncQueue Queue { get; }
    public Function ApiFunction { get; }
    public Function ProjectorFunction { get; }
    public LogGroup Logs { get; }
    public Amazon.CDK.AWS.SQS.Queue Undelivered { get; }
    public ProgressApi Api { get; }
    public SyncAlarms Alarms { get; }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static RetentionDays Retention(int days) => days switch
    {
        <= 7 => RetentionDays.ONE_WEEK,
        <= 14 => RetentionDays.TWO_WEEKS,
        <= 30 => RetentionDays.ONE_MONTH,
        <= 90 => RetentionDays.THREE_MONTHS,
        <= 180 => RetentionDays.SIX_MONTHS,
        _ => RetentionDays.ONE_YEAR,
    };
}
