using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace HhLearn.Cli.Operate;

/// <summary>
/// The options every store command takes (<c>--table</c>, <c>--store-url</c>) and the store they name: the
/// deployment's table with the usual AWS credentials, or a local endpoint (dynalite under <c>hhlearn local</c>).
/// </summary>
internal sealed class StoreConnection
{
    public Option<string?> Table { get; } = new("--table")
    {
        Description = "The progress table (default: PROGRESS_TABLE; the stack's ProgressTableName output)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SettingNames.ProgressTable),
    };

    public Option<string?> StoreUrl { get; } = new("--store-url")
    {
        Description = "A DynamoDB endpoint other than AWS's, e.g. the one hhlearn local prints (default: AWS_ENDPOINT_URL_DYNAMODB)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SettingNames.AwsEndpointDynamoDb),
    };

    public Option<string?> HashKeyParameter { get; } = new("--hash-key-parameter")
    {
        Description = "Where the deployment's hash key is: /aws/reference/secretsmanager/<the stack's HashKeySecretName output>, or an SSM SecureString (default: HASH_KEY_PARAMETER; HHLEARN_HASH_KEY gives the key itself)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SettingNames.HashKeyParameter),
    };

    /// <summary>Whether the command reads or writes suppression records (and so takes <c>--hash-key-parameter</c>).</summary>
    public bool NeedsHashKey { get; init; }

    public void AddTo(Command command)
    {
        command.Options.Add(Table);
        command.Options.Add(StoreUrl);
        if (NeedsHashKey)
        {
            command.Options.Add(HashKeyParameter);
        }
    }

    /// <summary>
    /// The deployment's hash key (suppression records are keyed with it): <c>HHLEARN_HASH_KEY</c>, else read from the
    /// parameter named by <c>--hash-key-parameter</c>; or the one line that says what is missing.
    /// </summary>
    public async Task<(HashKey? Key, string? Problem)> HashKeyAsync(ParseResult parse, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (Environment.GetEnvironmentVariable(SettingNames.HashKey) is { Length: > 0 } text)
        {
            return HashKey.TryParse(text) is { } key ? (key, null) : (null, $"HHLEARN_HASH_KEY must be at least {HashKey.MinimumLength} characters");
        }

        if (parse.GetValue(HashKeyParameter) is not { Length: > 0 } name)
        {
            return (null, "this needs the deployment's hash key: --hash-key-parameter /aws/reference/secretsmanager/<the stack's HashKeySecretName output>, or HHLEARN_HASH_KEY (hhlearn local prints its own)");
        }

        try
        {
            using var ssm = new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementClient();
            return (await Function.Config.HashKeyParameter.ReadAsync(ssm, name, ct), null);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or InvalidOperationException or HttpRequestException or OperationCanceledException)
        {
            return (null, $"the hash key could not be read from {name}: {ex.Message}");
        }
    }

    /// <summary>The client and table named by the options, or the one line that says what is missing.</summary>
    public (AmazonDynamoDBClient? Client, string? Table, string? Problem) Open(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var table = parse.GetValue(Table);
        if (string.IsNullOrWhiteSpace(table))
        {
            return (null, null, "name the progress table with --table or PROGRESS_TABLE (the stack's ProgressTableName output; hhlearn local prints its own)");
        }

        var url = parse.GetValue(StoreUrl);
        if (url is null)
        {
            return (ProgressStore.CreateClient(), table, null);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint))
        {
            return (null, null, $"--store-url '{url}' is not an absolute URL");
        }

        // A local endpoint takes any credentials; use the environment's when there are some.
        var config = new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1" };
        var client = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 }
            ? new AmazonDynamoDBClient(config)
            : new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), config);
        return (client, table, null);
    }

    /// <summary>The catalog of a <c>--catalog</c> folder, or the sample catalog of a checkout.</summary>
    public static (LearningCatalog Catalog, string? Problem) Catalog(string? directory)
    {
        var folder = directory ?? Environment.GetEnvironmentVariable(SettingNames.CatalogDir) ?? Local.BootstrapCommand.SampleCatalog();
        if (folder is null || !Directory.Exists(folder))
        {
            return (LearningCatalog.Empty, $"no catalog at {folder ?? "(none)"}: pass --catalog DIR");
        }

        var loaded = CrmSync.CatalogFiles.Load(folder);
        return loaded.Problems.Count > 0
            ? (loaded.Catalog, $"catalog files refused: {string.Join("; ", loaded.Problems.Select(p => $"{p.Name}: {p.Problem}"))}")
            : (loaded.Catalog, null);
    }
}
