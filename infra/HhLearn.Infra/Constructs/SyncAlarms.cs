using HhLearn.Operations;
using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace HhLearn.Infra.Constructs;

public sealed record SyncAlarmsProps
{
    public required Settings Settings { get; init; }
    public required LogGroup FunctionLogs { get; init; }
    public required IFunction Function { get; init; }
    public required Amazon.CDK.AWS.Apigatewayv2.HttpApi Api { get; init; }
    public required Queue Queue { get; init; }
    public required Queue DeadLetterQueue { get; init; }
}

/// <summary>
/// Metric filters on the function's JSON log lines (namespace HhLearn, dimension stage), the alarms that watch them
/// and the platform metrics, an SNS topic (with an optional email subscription), and the dashboard.
/// </summary>
public sealed class SyncAlarms : Construct
{
    public const string Namespace = "HhLearn";

    /// <summary>The log events counted as metrics, by metric name.</summary>
    public static readonly IReadOnlyList<string> MeteredEvents = [.. LogEvents.Metered, LogEvents.EventPersisted];

    public SyncAlarms(Construct scope, string id, SyncAlarmsProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var stage = props.Settings.Stage;
        Topic = new Topic(this, "AlarmTopic", new TopicProps { TopicName = $"hhlearn-{stage}-alarms", DisplayName = $"HhLearn {stage} alarms" });
        if (props.Settings.AlarmEmail is { } email)
        {
            Topic.AddSubscription(new EmailSubscription(email));
        }

        var metrics = new Dictionary<string, Metric>(StringComparer.Ordinal);
        foreach (var eventName in MeteredEvents)
        {
            new MetricFilter(this, $"Filter-{eventName}", new MetricFilterProps
            {
                LogGroup = props.FunctionLogs,
                MetricNamespace = Namespace,
                MetricName = eventName,
                FilterPattern = Pattern(eventName),
                MetricValue = "1",
                Dimensions = new Dictionary<string, string> { ["stage"] = "$.stage" },
            });
            metrics[eventName] = new Metric(new MetricProps
            {
                Namespace = Namespace,
                MetricName = eventName,
                DimensionsMap = new Dictionary<string, string> { ["stage"] = stage },
                Statistic = "Sum",
                Period = Duration.Minutes(5),
            });
        }

        var failureRate = new MathExpression(new MathExpressionProps
        {
            Expression = "100 * FILL(failed, 0) / (FILL(failed, 0) + FILL(persisted, 0) + 0.0001)",
            UsingMetrics = new Dictionary<string, IMetric> { ["failed"] = metrics[LogEvents.CrmSyncFailed], ["persisted"] = metrics[LogEvents.EventPersisted] },
            Label = "CRM failure rate (%)",
            Period = Duration.Minutes(5),
        });

        Alarms =
        [
            Alarm("CrmFailureRate", failureRate, 5, 2, "More than 5% of events failed to reach HubSpot over two 5-minute periods."),
            Alarm("ContactCreationSpike", metrics[LogEvents.ContactCreated], props.Settings.ContactCreationSpikeThreshold, 1,
                $"More than {props.Settings.ContactCreationSpikeThreshold} contacts created in 5 minutes."),
            Alarm("LambdaErrors", props.Function.MetricErrors(new MetricOptions { Period = Duration.Minutes(1), Statistic = "Sum" }), 5, 1,
                "More than 5 function errors in a minute."),
            Alarm("ApiLatencyP95", props.Api.MetricLatency(new MetricOptions { Period = Duration.Minutes(5), Statistic = "p95" }), 500, 2,
                "API p95 latency over 500 ms."),
            Alarm("DeadLetters", props.DeadLetterQueue.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Period = Duration.Minutes(1), Statistic = "Maximum" }), 0, 1,
                "Events are in the dead-letter queue: they will not be applied until redriven."),
            Alarm("OldestQueuedEvent", props.Queue.MetricApproximateAgeOfOldestMessage(new MetricOptions { Period = Duration.Minutes(1), Statistic = "Maximum" }), 300, 3,
                "The oldest queued event is older than 5 minutes: sync is stalled or far behind."),
        ];

        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps { DashboardName = $"hhlearn-{stage}" });
        Dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps { Title = "Events", Left = [metrics[LogEvents.EventPersisted], metrics[LogEvents.CrmSyncFailed], metrics[LogEvents.ValidationFailed]], Width = 12 }),
            new GraphWidget(new GraphWidgetProps { Title = "Contacts", Left = [metrics[LogEvents.ContactCreated], metrics[LogEvents.ContactCreateFailed]], Width = 12 }));
        Dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps { Title = "CRM failure rate and 429s", Left = [failureRate], Right = [metrics[LogEvents.CrmRateLimited]], Width = 12 }),
            new GraphWidget(new GraphWidgetProps { Title = "API p95 latency", Left = [props.Api.MetricLatency(new MetricOptions { Statistic = "p95" })], Width = 12 }));
        Dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Queue",
                Left = [props.Queue.MetricApproximateNumberOfMessagesVisible(), props.DeadLetterQueue.MetricApproximateNumberOfMessagesVisible()],
                Right = [props.Queue.MetricApproximateAgeOfOldestMessage()],
                Width = 12,
            }),
            new GraphWidget(new GraphWidgetProps { Title = "Function", Left = [props.Function.MetricInvocations(), props.Function.MetricErrors(), props.Function.MetricThrottles()], Right = [props.Function.MetricDuration()], Width = 12 }));
        Dashboard.AddWidgets(new AlarmStatusWidget(new AlarmStatusWidgetProps { Title = "Alarms", Alarms = [.. Alarms], Width = 24 }));
    }

    public Topic Topic { get; }
    public IReadOnlyList<Alarm> Alarms { get; }
    public Dashboard Dashboard { get; }

    /// <summary>The pattern that matches a JSON log line whose <c>event</c> is <paramref name="eventName"/>.</summary>
    public static IFilterPattern Pattern(string eventName) => FilterPattern.StringValue("$.event", "=", eventName);

    private Alarm Alarm(string id, IMetric metric, double threshold, int periods, string description)
    {
        var alarm = new Alarm(this, id, new AlarmProps
        {
            AlarmName = $"hhlearn-{Node.Scope!.Node.Id}-{id}",
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold,
            EvaluationPeriods = periods,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(new SnsAction(Topic));
        return alarm;
    }
}
