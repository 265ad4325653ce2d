using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.Lambda;

namespace HhLearn.Infra.Constructs;

public sealed record ProjectionSweeperProps
{
    public required string Stage { get; init; }
    public required IFunction Function { get; init; }
    public required Duration Every { get; init; }

    /// <summary>Where EventBridge puts a schedule event it could not deliver to the function.</summary>
    public required Amazon.CDK.AWS.SQS.IQueue Undelivered { get; init; }
}

/// <summary>
/// The schedule that runs the function's sweeper: learners whose HubSpot projection has been behind for too long (the
/// store's due index) are nudged again, so a nudge lost after a store write costs minutes, not data.
/// </summary>
public sealed class ProjectionSweeper : Construct
{
    public ProjectionSweeper(Construct scope, string id, ProjectionSweeperProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        Rule = new Rule(this, "Schedule", new RuleProps
        {
            RuleName = $"hhlearn-{props.Stage}-projection-sweeper",
            Description = "HhLearn: nudge learners whose HubSpot projection is behind",
            Schedule = Schedule.Rate(props.Every),
        });
        Rule.AddTarget(new LambdaFunction(props.Function, new LambdaFunctionProps { RetryAttempts = 0, DeadLetterQueue = props.Undelivered }));
    }

    public Rule Rule { get; }
}
