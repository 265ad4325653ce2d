using Amazon.CDK.AWS.Logs;
using HhLearn.Infra.Constructs;
using Architecture = Amazon.CDK.AWS.Lambda.Architecture;

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

        // Values that follow from several settings are computed here, once, and handed to the constructs that need them.
        var budget = settings.Budget.Budget;
        var timeout = Duration.Seconds(settings.TimeoutSeconds);
        Token = new TokenParameter(this, "HubSpotToken", new TokenParameterProps { ParameterName = settings.TokenParameterName });
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
        Function = new ProgressFunction(this, "ProgressFunction", new ProgressFunctionProps
        {
            Stage = settings.Stage,
            AssetDir = settings.AssetDir,
            Architecture = settings.Architecture == "arm64" ? Architecture.ARM_64 : Architecture.X86_64,
            MemorySize = settings.MemorySize,
            Timeout = timeout,
            LogRetention = Retention(settings.LogRetentionDays),
            ReservedConcurrency = budget.Instances,
            Environment = new Dictionary<string, string>
            {
                ["ENABLE_CRM_PROGRESS"] = settings.EnableCrmProgress ? "true" : "false",
                ["PROGRESS_BACKEND"] = settings.ProgressBackend,
                ["ALLOWED_ORIGINS"] = string.Join(',', settings.AllowedOrigins),
                ["HUBSPOT_TOKEN_PARAMETER"] = Token.ParameterName,
                ["PROGRESS_TABLE"] = Store.Table.TableName,
                ["HASH_KEY_PARAMETER"] = HashKey.ParameterName,
                ["SYNC_QUEUE_URL"] = Queue.Queue.QueueUrl,
                ["PROJECTION_SWEEP_AFTER_SECONDS"] = Text(settings.SweepAfterSeconds),

                // A projector's hold on the learners it writes outlasts any invocation, so a lease never runs out mid-write.
                ["PROJECTION_LEASE_SECONDS"] = Text(2 * settings.TimeoutSeconds),

                // Each instance has its own client-side limiter: it gets its share of the app's limit for the work it does
                // (HubSpotBudget: queue consumers x queue share + instances x read share <= the app's limit).
                ["HUBSPOT_RATE_LIMIT"] = Text(budget.QueueShare),
                ["HUBSPOT_READ_RATE_LIMIT"] = Text(budget.ReadShare),
                ["HHLEARN_STAGE"] = settings.Stage,
            },
        });
        Token.GrantRead(Function.Function);
        HashKey.GrantRead(Function.Function);
        Store.GrantReadWrite(Function.Function);
        Queue.Connect(Function.Function, budget.QueueConcurrency);
        Sweeper = new ProjectionSweeper(this, "ProjectionSweeper", new ProjectionSweeperProps
        {
            Stage = settings.Stage, Function = Function.Function, Every = Duration.Minutes(1),
        });
        Api = new ProgressApi(this, "ProgressApi", new ProgressApiProps
        {
            Stage = settings.Stage,
            Function = Function.Function,

            // A wildcard is refused above (Problems): browsers refuse it for credentialed requests.
            AllowedOrigins = [.. settings.AllowedOrigins.Where(o => !o.Contains('*', StringComparison.Ordinal))],
            Authorizer = settings.HasAuthorizer ? new JwtAuthorizerSettings(settings.JwtIssuer!, settings.JwtAudience!) : null,
            ThrottleRate = settings.ThrottleRate,
            ThrottleBurst = settings.ThrottleBurst,
        });
        Alarms = new SyncAlarms(this, "SyncAlarms", new SyncAlarmsProps
        {
            Stage = settings.Stage,
            AlarmEmail = settings.AlarmEmail,
            ProjectionLagAlarmSeconds = settings.ProjectionLagAlarmSeconds,
            ContactCreationSpikeThreshold = settings.ContactCreationSpikeThreshold,
            FunctionLogs = Function.LogGroup,
            Function = Function.Function,
            Api = Api.Api,
            Queue = Queue.Queue,
            DeadLetterQueue = Queue.DeadLetterQueue,
            Table = Store.Table,
        });

        new CfnOutput(this, "ApiUrl", new CfnOutputProps { Value = Api.Stage.Url, Description = "The HTTP API (POST /events/track)" });
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
    public ProgressFunction Function { get; }
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
