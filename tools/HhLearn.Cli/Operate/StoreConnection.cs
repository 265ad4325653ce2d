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
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PROGRESS_TABLE"),
    };

    public Option<string?> StoreUrl { get; } = new("--store-url")
    {
        Description = "A DynamoDB endpoint other than AWS's, e.g. the one hhlearn local prints (default: AWS_ENDPOINT_URL_DYNAMODB)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB"),
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Table);
        command.Options.Add(StoreUrl);
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
        var folder = directory ?? Environment.GetEnvironmentVariable("CATALOG_DIR") ?? Local.BootstrapCommand.SampleCatalog();
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
