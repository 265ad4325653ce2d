namespace HhLearn.Infra.Constructs;

/// <summary>A cdk-nag finding acknowledged on purpose, with the reason; <paramref name="AppliesTo"/> narrows it to those findings.</summary>
public sealed record NagAcknowledgement(string Rule, string Reason, params object[] AppliesTo);

/// <summary>
/// Writes acknowledgements where cdk-nag reads them: the resource's template metadata
/// <c>cdk_nag: { rules_to_suppress: [{ id, reason, applies_to }] }</c>. CI runs cdk-nag's AwsSolutions and Serverless
/// packs over the synthesized template (tools/cdk-nag) and fails on any finding not acknowledged here.
/// </summary>
public static class NagAcknowledgements
{
    public static void Acknowledge(IConstruct construct, params NagAcknowledgement[] acknowledgements)
    {
        ArgumentNullException.ThrowIfNull(construct);
        var resource = construct as CfnResource ?? construct.Node.DefaultChild as CfnResource
            ?? throw new ArgumentException($"{construct.Node.Path} is not a CloudFormation resource", nameof(construct));
        var rules = acknowledgements.Select(a =>
        {
            var rule = new Dictionary<string, object> { ["id"] = a.Rule, ["reason"] = a.Reason };
            if (a.AppliesTo.Length > 0)
            {
                rule["applies_to"] = a.AppliesTo;
            }

            return (object)rule;
        }).ToArray();
        resource.AddMetadata("cdk_nag", new Dictionary<string, object> { ["rules_to_suppress"] = rules });
    }

    /// <summary>A regular expression <c>applies_to</c> entry (cdk-nag's <c>{ regex: "/.../" }</c>).</summary>
    public static object Matching(string regex) => new Dictionary<string, object> { ["regex"] = regex };
}
