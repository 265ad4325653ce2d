using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Amazon.CDK.AWS.SQS;

namespace HhLearn.Infra.Constructs;

public sealed record SyncAlarmsProps
{
    public required string Stage { get; init; }

    /// <summary>Where the alarms are mailed (confirmed by the recipient), or null for the topic alone.</summary>
    public required string? AlarmEmail { get; init; }

    /// <summary>How long the oldest learner may be behind in HubSpot before the ProjectionLag alarm fires.</summary>
    public required int ProjectionLagAlarmSeconds { get; init; }

    /// <summary>Contacts created in 5 minutes above which ContactCreationSpike fires.</summary>
    public required int ContactCreationSpikeThreshold { get; init; }

    public required LogGroup FunctionLogs { get; init; }
    /// <summary>The functions (the API and the projector): errors and throttles of each alarm.</summary>
    public required IReadOnlyList<IFunction> Functions { get; init; }
    public required Amazon.CDK.AWS.Apigatewayv2.HttpApi Api { get; init; }
    public required Queue Queue { get; init; }
    public required Queue DeadLetterQueue { get; init; }
    public required Amazon.CDK.AWS.DynamoDB.Table Table { get; init; }

    /// <summary>Where SNS puts an alarm email it could not deliver.</summary>
    public required Queue Undelivered { get; init; }
}

/// <summary>
/// Metric filters on the function's JSON log lines (namespace HhLearn, dimension stage), the alarms that watch them
/// and the platform metrics, an SNS topic (with an optional email subscription), and the dashboard.
/// </summary>
public sealed class SyncAlarms : Construct
{
    public const string Namespace = "HhLearn";

    /// <summary>The log events counted as metrics, by metric name.</summary>
    public static readonly IReadOnlyList<string> MeteredEvents = [.. LogEvents.Metered];

    /// <summary>The metric the sweeper's lines carry: how long the oldest learner has been behind in HubSpot.</summary>
    public const string ProjectionLagMetric = "projection_lag_seconds";

    /// <summary>The metric of the projection's HubSpot usage, in percent of its budget (batch_processed's quotaUsage).</summary>
    public const string QuotaUsageMetric = "projection_quota_usage";

    public SyncAlarms(Construct scope, string id, SyncAlarmsProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var stage = props.Stage;
        Topic = new Topic(this, "AlarmTopic", new TopicProps { TopicName = $"hhlearn-{stage}-alarms", DisplayName = $"HhLearn {stage} alarms" });

        // Publishers must use TLS; the topic policy that says so replaces SNS's default one, so it also lets this
        // account's CloudWatch alarms publish.
        Topic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowPublishThroughSSLOnly",
            Effect = Effect.DENY,
            Principals = [new AnyPrincipal()],
            Actions = ["sns:Publish"],
            Resources = [Topic.TopicArn],
            Conditions = new Dictionary<string, object> { ["Bool"] = new Dictionary<string, object> { ["aws:SecureTransport"] = "false" } },
        }));
        Topic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowThisAccountsAlarms",
            Principals = [new ServicePrincipal("cloudwatch.amazonaws.com")],
            Actions = ["sns:Publish"],
            Resources = [Topic.TopicArn],
            Conditions = new Dictionary<string, object> { ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Stack.Of(this).Account } },
        }));
        if (props.AlarmEmail is { } email)
        {
            Topic.AddSubscription(new EmailSubscription(email, new EmailSubscriptionProps { DeadLetterQueue = props.Undelivered }));
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

        // Every sweep (once a minute) logs the age of the oldest learner still behind in HubSpot.
        new MetricFilter(this, "Filter-projection-lag", new MetricFilterProps
        {
            LogGroup = props.FunctionLogs,
            MetricNamespace = Namespace,
            MetricName = ProjectionLagMetric,
            FilterPattern = Pattern(LogEvents.ProjectionSwept),
            MetricValue = "$.oldestBehindSeconds",
            Dimensions = new Dictionary<string, string> { ["stage"] = "$.stage" },
        });
        var lag = new Metric(new MetricProps
        {
            Namespace = Namespace,
            MetricName = ProjectionLagMetric,
            DimensionsMap = new Dictionary<string, string> { ["stage"] = stage },
            Statistic = "Maximum",
            Period = Duration.Minutes(5),
        });

        // Every projection batch that called HubSpot logs the projection's calls over the last 10 s, as a share of its
        // budget (the app's limit less the API's reads), and how many learners each call carried.
        Metric Usage(string metricName, string field, string statistic)
        {
            new MetricFilter(this, $"Filter-{metricName}", new MetricFilterProps
            {
                LogGroup = props.FunctionLogs,
                MetricNamespace = Namespace,
                MetricName = metricName,
                FilterPattern = FilterPattern.All(FilterPattern.StringValue("$.event", "=", LogEvents.BatchProcessed), FilterPattern.NumberValue($"$.{field}", ">=", 0)),
                MetricValue = $"$.{field}",
                Dimensions = new Dictionary<string, string> { ["stage"] = "$.stage" },
            });
            return new Metric(new MetricProps
            {
                Namespace = Namespace, MetricName = metricName, DimensionsMap = new Dictionary<string, string> { ["stage"] = stage }, Statistic = statistic, Period = Duration.Minutes(1),
            });
        }

        var quotaUsage = Usage(QuotaUsageMetric, "quotaUsage", "Maximum");
        var learnersPerCall = Usage("projection_learners_per_call", "learnersPerCall", "Average");
        var callsPer10s = Usage("projection_calls_per_10s", "callsPer10s", "Maximum");

        // One projection_written or projection_failed line per learner per projection attempt (not per event, batch or
        // HTTP retry): the share of attempts HubSpot did not take.
        var failureRate = new MathExpression(new MathExpressionProps
        {
            Expression = "100 * FILL(failed, 0) / (FILL(failed, 0) + FILL(written, 0) + 0.0001)",
            UsingMetrics = new Dictionary<string, IMetric> { ["failed"] = metrics[LogEvents.ProjectionFailed], ["written"] = metrics[LogEvents.ProjectionWritten] },
            Label = "HubSpot projection failure rate (%)",
            Period = Duration.Minutes(5),
        });

        var operations = new[] { Amazon.CDK.AWS.DynamoDB.Operation.GET_ITEM, Amazon.CDK.AWS.DynamoDB.Operation.UPDATE_ITEM, Amazon.CDK.AWS.DynamoDB.Operation.PUT_ITEM,
            Amazon.CDK.AWS.DynamoDB.Operation.QUERY, Amazon.CDK.AWS.DynamoDB.Operation.BATCH_GET_ITEM };
        var storeErrors = new MathExpression(new MathExpressionProps
        {
            Expression = "FILL(reads, 0) + FILL(writes, 0) + FILL(system, 0) + FILL(unavailable, 0)",
            UsingMetrics = new Dictionary<string, IMetric>
            {
                ["reads"] = props.Table.Metric("ReadThrottleEvents", new MetricOptions { Statistic = "Sum", Period = Duration.Minutes(5) }),
                ["writes"] = props.Table.Metric("WriteThrottleEvents", new MetricOptions { Statistic = "Sum", Period = Duration.Minutes(5) }),
                ["system"] = props.Table.MetricSystemErrorsForOperations(new Amazon.CDK.AWS.DynamoDB.SystemErrorsForOperationsMetricOptions { Operations = operations, Period = Duration.Minutes(5) }),
                ["unavailable"] = metrics[LogEvents.StoreUnavailable],
            },
            Label = "Store throttles, errors and unavailable answers",
            Period = Duration.Minutes(5),
        });

        Alarms =
        [
            Alarm("ProjectionFailureRate", failureRate, 5, 2, "More than 5% of HubSpot projection attempts failed over two 5-minute periods (projection_failed lines)."),
            // Missing data is breaching here: every sweep reports the lag, so no data means no sweeper ran at all.
            Alarm("ProjectionLag", lag, props.ProjectionLagAlarmSeconds, 2,
                $"A learner has been behind in HubSpot for over {props.ProjectionLagAlarmSeconds} s, or the sweeper has not reported for 10 minutes: the projection is failing, paused, far behind or not running.",
                TreatMissingData.BREACHING),
            Alarm("ProjectionQuotaHigh", quotaUsage, 80, 5,
                "The projection has used over 80% of its HubSpot budget (calls per 10 s) for 5 minutes: other integrations of the portal are squeezed and a burst will wait. " +
                "Raise projectionWindowSeconds, or the app's limit (hubspotRateLimit) if the plan allows.", datapointsToAlarm: 5),
            Alarm("HubSpotMisconfigured", metrics[LogEvents.HubSpotMisconfigured], 0, 1,
                "HubSpot refuses the portal or the token, not a learner (a missing scope, a property the portal requires on create): the projection is paused, nobody is blocked; hubspot_misconfigured lines say what."),
            Alarm("TokenUnavailable", metrics[LogEvents.TokenUnavailable], 0, 1,
                "The HubSpot token (or the hash key) could not be read from SSM: a missing parameter, a denied read or KMS key, or SSM down (token_unavailable lines say which)."),
            Alarm("StoreErrors", storeErrors, 10, 1, "The progress store throttled or failed more than 10 requests in 5 minutes (tracks answer 503 meanwhile)."),
            Alarm("ContactDeletedUpstream", metrics[LogEvents.ContactDeletedUpstream], 0, 1,
                "A contact HubSpot had was deleted there (GDPR delete or archive): the learner is suppressed and no longer projected."),
            Alarm("ContactCreationSpike", metrics[LogEvents.ContactCreated], props.ContactCreationSpikeThreshold, 1,
                $"More than {props.ContactCreationSpikeThreshold} contacts created in 5 minutes."),
            .. props.Functions.Select((f, i) => Alarm($"LambdaErrors{Role(i)}", f.MetricErrors(new MetricOptions { Period = Duration.Minutes(1), Statistic = "Sum" }), 5, 1,
                $"More than 5 errors of the {Role(i).ToLowerInvariant()} function in a minute.")),
            .. props.Functions.Select((f, i) => Alarm($"Throttles{Role(i)}", f.MetricThrottles(new MetricOptions { Period = Duration.Minutes(1), Statistic = "Sum" }), 0, 1,
                i == 0
                    ? "The API function was throttled: browsers got a 5xx without Retry-After. Raise the account's concurrency quota or lower the stage throttle."
                    : "The projector was throttled: nudges come back and count toward maxReceiveCount, sweeps are lost. Check its reserved concurrency and the account's quota.")),
            Alarm("ApiLatencyP95", props.Api.MetricLatency(new MetricOptions { Period = Duration.Minutes(5), Statistic = "p95" }), 500, 2,
                "API p95 latency over 500 ms."),
            Alarm("DeadLetters", props.DeadLetterQueue.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Period = Duration.Minutes(1), Statistic = "Maximum" }), 0, 1,
                "Nudges are in the dead-letter queue: some learners are not projected to HubSpot (their progress is safe in the store)."),
            Alarm("OldestQueuedNudge", props.Queue.MetricApproximateAgeOfOldestMessage(new MetricOptions { Period = Duration.Minutes(1), Statistic = "Maximum" }), 300, 3,
                "The oldest nudge is older than 5 minutes: the projection is stalled, paused or far behind."),
        ];

        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps { DashboardName = $"hhlearn-{stage}" });
        Dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps { Title = "Events", Left = [metrics[LogEvents.EventStored], metrics[LogEvents.ValidationFailed], metrics[LogEvents.EventRejected]], Width = 12 }),
            new GraphWidget(new GraphWidgetProps { Title = "Projection", Left = [metrics[LogEvents.ProjectionWritten], metrics[LogEvents.ProjectionFailed], metrics[LogEvents.LegacyImported]], Right = [lag], Width = 12 }));
        Dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps { Title = "HubSpot failure rate and 429s", Left = [failureRate], Right = [metrics[LogEvents.CrmRateLimited]], Width = 12 }),
            new GraphWidget(new GraphWidgetProps { Title = "Contacts", Left = [metrics[LogEvents.ContactCreated], metrics[LogEvents.ContactCreateFailed], metrics[LogEvents.ContactDeletedUpstream]], Width = 12 }));
        Dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Progress store",
                Left = [storeErrors],
                Right = [props.Table.MetricSuccessfulRequestLatency(new MetricOptions { DimensionsMap = new Dictionary<string, string> { ["TableName"] = props.Table.TableName, ["Operation"] = "UpdateItem" }, Statistic = "p95" })],
                Width = 12,
            }),
            new GraphWidget(new GraphWidgetProps { Title = "API p95 latency", Left = [props.Api.MetricLatency(new MetricOptions { Statistic = "p95" })], Width = 12 }));
        Dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Projection queue",
                Left = [props.Queue.MetricApproximateNumberOfMessagesVisible(), props.DeadLetterQueue.MetricApproximateNumberOfMessagesVisible()],
                Right = [props.Queue.MetricApproximateAgeOfOldestMessage()],
                Width = 12,
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Functions (API, projector)",
                Left = [.. props.Functions.SelectMany(f => new[] { f.MetricInvocations(), f.MetricErrors(), f.MetricThrottles() })],
                Right = [.. props.Functions.Select(f => f.MetricDuration())],
                Width = 12,
            }));
        Dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps
            {
                Title = "HubSpot quota: projection usage (% of its budget) and calls per 10 s",
                Left = [quotaUsage],
                Right = [callsPer10s],
                LeftAnnotations = [new HorizontalAnnotation { Value = 80, Label = "alarm" }],
                Width = 12,
            }),
            new GraphWidget(new GraphWidgetProps { Title = "Learners per HubSpot call (up to 100 a batch)", Left = [learnersPerCall], Width = 12 }));
        Dashboard.AddWidgets(new AlarmStatusWidget(new AlarmStatusWidgetProps { Title = "Alarms", Alarms = [.. Alarms], Width = 24 }));
    }

    public Topic Topic { get; }
    public IReadOnlyList<Alarm> Alarms { get; }
    public Dashboard Dashboard { get; }

    /// <summary>The pattern that matches a JSON log line whose <c>event</c> is <paramref name="eventName"/>.</summary>
    public static IFilterPattern Pattern(string eventName) => FilterPattern.StringValue("$.event", "=", eventName);

    private static string Role(int index) => index == 0 ? "Api" : "Projector";

    private Alarm Alarm(string id, IMetric metric, double threshold, int periods, string description, TreatMissingData missing = TreatMissingData.NOT_BREACHING, int? datapointsToAlarm = null)
    {
        var alarm = new Alarm(this, id, new AlarmProps
        {
            AlarmName = $"hhlearn-{Node.Scope!.Node.Id}-{id}",
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold,
            EvaluationPeriods = periods,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
            TreatMissingData = missing,
            DatapointsToAlarm = datapointsToAlarm,
        });
        alarm.AddAlarmAction(new SnsAction(Topic));
        return alarm;
    }
}
