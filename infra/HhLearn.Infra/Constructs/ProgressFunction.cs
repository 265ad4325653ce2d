using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Architecture = Amazon.CDK.AWS.Lambda.Architecture;

namespace HhLearn.Infra.Constructs;

public sealed record ProgressFunctionProps
{
    public required string Stage { get; init; }

    /// <summary>The folder with the published <c>bootstrap</c> and its <c>catalog/</c>.</summary>
    public required string AssetDir { get; init; }

    public required Architecture Architecture { get; init; }
    public required int MemorySize { get; init; }
    public required Duration Timeout { get; init; }
    public required RetentionDays LogRetention { get; init; }

    /// <summary>The function's whole environment, composed by the stack.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>The most instances that may run at once: what the stack split the HubSpot budget over.</summary>
    public required int ReservedConcurrency { get; init; }
}

/// <summary>The Lambda function: the Native AOT <c>bootstrap</c> on <c>provided.al2023</c>, with its catalog and log group.</summary>
public sealed class ProgressFunction : Construct
{
    public ProgressFunction(Construct scope, string id, ProgressFunctionProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        LogGroup = new LogGroup(this, "Logs", new LogGroupProps
        {
            LogGroupName = $"/aws/lambda/hhlearn-{props.Stage}",
            Retention = props.LogRetention,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        Function = new Function(this, "Function", new FunctionProps
        {
            FunctionName = $"hhlearn-{props.Stage}",
            Description = "HhLearn: learner progress into HubSpot (Native AOT bootstrap)",
            Runtime = Runtime.PROVIDED_AL2023,
            Handler = "bootstrap",
            Code = Code.FromAsset(props.AssetDir),
            Architecture = props.Architecture,
            MemorySize = props.MemorySize,
            Timeout = props.Timeout,
            Environment = new Dictionary<string, string>(props.Environment),
            LogGroup = LogGroup,
            Tracing = Tracing.ACTIVE,

            // The HubSpot budget is split over at most this many instances (HubSpotBudget).
            ReservedConcurrentExecutions = props.ReservedConcurrency,
        });
    }

    public Function Function { get; }
    public LogGroup LogGroup { get; }
}
