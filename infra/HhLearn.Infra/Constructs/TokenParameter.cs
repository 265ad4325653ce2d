using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SSM;

namespace HhLearn.Infra.Constructs;

public sealed record TokenParameterProps
{
    public required string ParameterName { get; init; }
}

/// <summary>
/// The HubSpot token: an SSM SecureString that already exists (CloudFormation cannot create SecureStrings), referenced
/// by name. The function may read this one parameter and nothing else.
/// </summary>
public sealed class TokenParameter : Construct
{
    public TokenParameter(Construct scope, string id, TokenParameterProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        ParameterName = props.ParameterName;
        Parameter = StringParameter.FromSecureStringParameterAttributes(this, "Parameter", new SecureStringParameterAttributes { ParameterName = props.ParameterName });
    }

    public string ParameterName { get; }
    public IStringParameter Parameter { get; }

    public void GrantRead(IGrantable grantee) => Parameter.GrantRead(grantee);
}
