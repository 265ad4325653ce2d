using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SecretsManager;

namespace HhLearn.Infra.Constructs;

public sealed record HashKeySecretProps
{
    public required string Stage { get; init; }
}

/// <summary>
/// The deployment's hash key: suppression records and the <c>emailHash</c> of log lines are HMACs under it, so neither the
/// table nor the logs can be turned back into emails without it. Generated at deploy (CloudFormation cannot create an
/// SSM SecureString; Secrets Manager generates a random value), read by the function through SSM's
/// <c>/aws/reference/secretsmanager/</c> path, and retained with the table outside dev: the table's suppression records
/// are findable only with this key.
/// </summary>
public sealed class HashKeySecret : Construct
{
    public HashKeySecret(Construct scope, string id, HashKeySecretProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        SecretName = $"hhlearn/{props.Stage}/hash-key";
        Secret = new Secret(this, "Secret", new SecretProps
        {
            SecretName = SecretName,
            Description = "HhLearn's hash key (HMAC of suppression records and log email hashes); never rotate it: the table's suppression records depend on it",
            GenerateSecretString = new SecretStringGenerator { PasswordLength = 64, ExcludePunctuation = true, IncludeSpace = false },
            // Kept with the table (outside dev, retained): the table's suppression records can only be found with it.
            RemovalPolicy = props.Stage == "dev" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        });
        NagAcknowledgements.Acknowledge(Secret, new NagAcknowledgement("AwsSolutions-SMG4",
            "The hash key must never rotate: the table's suppression records are keyed by it, and a new key would let erased people back into HubSpot."));
    }

    public string SecretName { get; }
    public Secret Secret { get; }

    /// <summary>The name the function and the tools read it by (<c>HASH_KEY_PARAMETER</c>).</summary>
    public string ParameterName => $"/aws/reference/secretsmanager/{SecretName}";

    /// <summary>Lets <paramref name="grantee"/> read the key, through SSM's reference to it and from Secrets Manager.</summary>
    public void GrantRead(IGrantable grantee)
    {
        ArgumentNullException.ThrowIfNull(grantee);
        Secret.GrantRead(grantee);
        grantee.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["ssm:GetParameter"],
            Resources = [Stack.Of(this).FormatArn(new ArnComponents { Service = "ssm", Resource = "parameter", ResourceName = ParameterName.TrimStart('/') })],
        }));
    }
}
