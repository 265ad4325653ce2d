using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Architecture = Amazon.CDK.AWS.Lambda.Architecture;

namespace HhLearn.Infra.Constructs;

public sealed record ProgressFunctionProps
{
    /// <summary>The function's name: <c>hhlearn-&lt;stage&gt;-&lt;role&gt;</c>.</summary>
    public required string FunctionName { get; init; }

    public required string Description { get; init; }

    /// <summary>The folder with the published <c>bootstrap</c> and its <c>catalog/</c>.</summary>
    public required string AssetDir { get; init; }

    public required Architecture Architecture { get; init; }
    public required int MemorySize { get; init; }
    public required Duration Timeout { get; init; }

    /// <summary>The log group both functions write to (one place for the metric filters).</summary>
    public required ILogGroup LogGroup { get; init; }

    /// <summary>The function's whole environment, composed by the stack.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>Reserved concurrency, or null for none.</summary>
    public int? ReservedConcurrency { get; init; }

    /// <summary>
    /// Whether the function sends to the queue that invokes it on purpose (the projector's re-nudges): Lambda's
    /// recursive loop detection would otherwise stop such a chain after about 16 hops and drop the message.
    /// </summary>
    public bool AllowRecursiveLoop { get; init; }
}

/// <summary>A Lambda function of the one Native AOT <c>bootstrap</c> on <c>provided.al2023</c>, with its catalog.</summary>
public sealed class ProgressFunction : Construct
{
    public ProgressFunction(Construct scope, string id, ProgressFunctionProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);

        // Its own role: it may write its log lines to the one log group, instead of the managed
        // AWSLambdaBasicExecutionRole (which would let it create and write any log group). Grants add the rest.
        Role = new Role(this, "Role", new RoleProps { AssumedBy = new ServicePrincipal("lambda.amazonaws.com"), Description = $"{props.FunctionName}: logs and its grants" });
        Role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resources = [props.LogGroup.LogGroupArn],
        }));
        Function = new Function(this, "Function", new FunctionProps
        {
            Role = Role,
            FunctionName = props.FunctionName,
            Description = props.Description,
            Runtime = Runtime.PROVIDED_AL2023,
            Handler = "bootstrap",
            Code = Code.FromAsset(props.AssetDir),
            Architecture = props.Architecture,
            MemorySize = props.MemorySize,
            Timeout = props.Timeout,
            Environment = new Dictionary<string, string>(props.Environment),
            LogGroup = props.LogGroup,
            Tracing = Tracing.ACTIVE,
            ReservedConcurrentExecutions = props.ReservedConcurrency,
            RecursiveLoop = props.AllowRecursiveLoop ? RecursiveLoop.ALLOW : RecursiveLoop.TERMINATE,
        });
    }

    public Function Function { get; }
    public Role Role { get; }
}
