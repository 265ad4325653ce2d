using Amazon.CDK;
using Constructs;
using HhLearn.Infra.Constructs;

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

        var budget = settings.Budget.Budget;
        Token = new TokenParameter(this, "HubSpotToken", new TokenParameterProps { ParameterName = settings.TokenParameterName });
        Store = new ProgressStore(this, "ProgressStore", new ProgressStoreProps { Stage = settings.Stage });
        Queue = new SyncQueue(this, "SyncQueue", new SyncQueueProps { Settings = settings });
        Function = new ProgressFunction(this, "ProgressFunction", new ProgressFunctionProps
        {
            Settings = settings,
            Budget = budget,
            Environment = new Dictionary<string, string>
            {
                ["HUBSPOT_TOKEN_PARAMETER"] = Token.ParameterName,
                ["PROGRESS_TABLE"] = Store.Table.TableName,
                ["SYNC_QUEUE_URL"] = Queue.Queue.QueueUrl,
                ["PROJECTION_SWEEP_AFTER_SECONDS"] = settings.SweepAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),

                // A projector's hold on the learners it writes outlasts any invocation, so a lease never runs out mid-write.
                ["PROJECTION_LEASE_SECONDS"] = (2 * settings.TimeoutSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });
        Token.GrantRead(Function.Function);
        Store.GrantReadWrite(Function.Function);
        Queue.Connect(Function.Function, budget.QueueConcurrency);
        Sweeper = new ProjectionSweeper(this, "ProjectionSweeper", new ProjectionSweeperProps
        {
            Stage = settings.Stage, Function = Function.Function, Every = Duration.Minutes(1),
        });
        Api = new ProgressApi(this, "ProgressApi", new ProgressApiProps { Settings = settings, Function = Function.Function });
        Alarms = new SyncAlarms(this, "SyncAlarms", new SyncAlarmsProps
        {
            Settings = settings,
            FunctionLogs = Function.LogGroup,
            Function = Function.Function,
            Api = Api.Api,
            Queue = Queue.Queue,
            DeadLetterQueue = Queue.DeadLetterQueue,
            Table = Store.Table,
        });

        new CfnOutput(this, "ApiUrl", new CfnOutputProps { Value = Api.Stage.Url, Description = "The HTTP API (POST /events/track)" });
        new CfnOutput(this, "ProgressTableName", new CfnOutputProps { Value = Store.Table.TableName, Description = "The progress store (PROGRESS_TABLE for hhlearn import, reproject, recompute)" });
        new CfnOutput(this, "QueueUrl", new CfnOutputProps { Value = Queue.Queue.QueueUrl, Description = "The projection queue (nudges)" });
        new CfnOutput(this, "DeadLetterQueueUrl", new CfnOutputProps { Value = Queue.DeadLetterQueue.QueueUrl });
        new CfnOutput(this, "DashboardName", new CfnOutputProps { Value = Alarms.Dashboard.DashboardName });
        new CfnOutput(this, "AlarmTopicArn", new CfnOutputProps { Value = Alarms.Topic.TopicArn });
    }

    public TokenParameter Token { get; }
    public ProgressStore Store { get; }
    public ProjectionSweeper Sweeper { get; }
    public SyncQueue Queue { get; }
    public ProgressFunction Function { get; }
    public ProgressApi Api { get; }
    public SyncAlarms Alarms { get; }
}
