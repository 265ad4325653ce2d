using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Constructs;
using HhLearn.Operations;
using Architecture = Amazon.CDK.AWS.Lambda.Architecture;

namespace HhLearn.Infra.Constructs;

public sealed record ProgressFunctionProps
{
    public required Settings Settings { get; init; }

    /// <summary>Variables the other constructs add (the queue URL, the token parameter).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>The HubSpot budget split, computed once by the stack.</summary>
    public required HubSpotBudget Budget { get; init; }
}

/// <summary>The Lambda function: the Native AOT <c>bootstrap</c> on <c>provided.al2023</c>, with its catalog and log group.</summary>
public sealed class ProgressFunction : Construct
{
    public ProgressFunction(Construct scope, string id, ProgressFunctionProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var settings = props.Settings;
        LogGroup = new LogGroup(this, "Logs", new LogGroupProps
        {
            LogGroupName = $"/aws/lambda/hhlearn-{settings.Stage}",
            Retention = Retention(settings.LogRetentionDays),
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        var environment = new Dictionary<string, string>(props.Environment)
        {
            ["ENABLE_CRM_PROGRESS"] = settings.EnableCrmProgress ? "true" : "false",
            ["PROGRESS_BACKEND"] = settings.ProgressBackend,
            ["ALLOWED_ORIGINS"] = string.Join(',', settings.AllowedOrigins),

            // Each instance has its own client-side limiter: it gets its share of the app's limit for the work it does
            // (HubSpotBudget: queue consumers x queue share + instances x read share <= the app's limit).
            ["HUBSPOT_RATE_LIMIT"] = props.Budget.QueueShare.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["HUBSPOT_READ_RATE_LIMIT"] = props.Budget.ReadShare.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["HHLEARN_STAGE"] = settings.Stage,
        };

        Function = new Function(this, "Function", new FunctionProps
        {
            FunctionName = $"hhlearn-{settings.Stage}",
            Description = "HhLearn: learner progress into HubSpot (Native AOT bootstrap)",
            Runtime = Runtime.PROVIDED_AL2023,
            Handler = "bootstrap",
            Code = Code.FromAsset(settings.AssetDir),
            Architecture = settings.Architecture == "arm64" ? Architecture.ARM_64 : Architecture.X86_64,
            MemorySize = settings.MemorySize,
            Timeout = Duration.Seconds(settings.TimeoutSeconds),
            Environment = environment,
            LogGroup = LogGroup,
            Tracing = Tracing.ACTIVE,

            // The HubSpot budget is split over at most this many instances (HubSpotBudget).
            ReservedConcurrentExecutions = props.Budget.Instances,
        });
    }

    public Function Function { get; }
    public LogGroup LogGroup { get; }

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
