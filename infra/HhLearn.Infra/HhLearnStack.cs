using Amazon.CDK;
using Constructs;
using HhLearn.Infra.Constructs;

namespace HhLearn.Infra;

/// <summary>The whole service: function, token, queue, API, alarms and dashboard.</summary>
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
        Queue = new SyncQueue(this, "SyncQueue", new SyncQueueProps { Settings = settings });
        Function = new ProgressFunction(this, "ProgressFunction", new ProgressFunctionProps
        {
            Settings = settings,
            Budget = budget,
            Environment = new Dictionary<string, string>
            {
                ["HUBSPOT_TOKEN_PARAMETER"] = Token.ParameterName,
                ["SYNC_QUEUE_URL"] = Queue.Queue.QueueUrl,
            },
        });
        Token.GrantRead(Function.Function);
        Queue.Connect(Function.Function, budget.QueueConcurrency);
        Api = new ProgressApi(this, "ProgressApi", new ProgressApiProps { Settings = settings, Function = Function.Function });
        Alarms = new SyncAlarms(this, "SyncAlarms", new SyncAlarmsProps
        {
            Settings = settings,
            FunctionLogs = Function.LogGroup,
            Function = Function.Function,
            Api = Api.Api,
            Queue = Queue.Queue,
            DeadLetterQueue = Queue.DeadLetterQueue,
        });

        new CfnOutput(this, "ApiUrl", new CfnOutputProps { Value = Api.Stage.Url, Description = "The HTTP API (POST /events/track)" });
        new CfnOutput(this, "QueueUrl", new CfnOutputProps { Value = Queue.Queue.QueueUrl });
        new CfnOutput(this, "DeadLetterQueueUrl", new CfnOutputProps { Value = Queue.DeadLetterQueue.QueueUrl });
        new CfnOutput(this, "DashboardName", new CfnOutputProps { Value = Alarms.Dashboard.DashboardName });
        new CfnOutput(this, "AlarmTopicArn", new CfnOutputProps { Value = Alarms.Topic.TopicArn });
    }

    public TokenParameter Token { get; }
    public SyncQueue Queue { get; }
    public ProgressFunction Function { get; }
    public ProgressApi Api { get; }
    public SyncAlarms Alarms { get; }
}
