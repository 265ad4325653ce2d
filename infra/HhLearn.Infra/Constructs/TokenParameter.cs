using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SSM;

namespace HhLearn.Infra.Constructs;

public sealed record TokenParameterProps
{
    public required string ParameterName { get; init; }

    /// <summary>The customer-managed KMS key the SecureString is encrypted with, or null for the account's default key.</summary>
    public string? KmsKeyArn { get; init; }
}

/// <summary>
/// The HubSpot token: an SSM SecureString that already exists (CloudFormation cannot create SecureStrings), referenced
/// by name. The functions may read this one parameter and nothing else, and decrypt it with its KMS key when that is a
/// customer-managed key (the account's default key needs no grant).
/// </summary>
public sealed class TokenParameter : Construct
{
    public TokenParameter(Construct scope, string id, TokenParameterProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        ParameterName = props.ParameterName;
        KmsKeyArn = props.KmsKeyArn;
        Parameter = StringParameter.FromSecureStringParameterAttributes(this, "Parameter", new SecureStringParameterAttributes { ParameterName = props.ParameterName });
    }

    public string ParameterName { get; }
    public string? KmsKeyArn { get; }
    public IStringParameter Parameter { get; }

    public void GrantRead(IGrantable grantee)
    {
        ArgumentNullException.ThrowIfNull(grantee);
        Parameter.GrantRead(grantee);
        if (KmsKeyArn is { } key)
        {
            // Only for reading SSM parameters: the key decrypts nothing else for this function.
            grantee.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Actions = ["kms:Decrypt"],
                Resources = [key],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"ssm.{Stack.Of(this).Region}.amazonaws.com" },
                },
            }));
        }
    }
}
