using Amazon.DynamoDBv2;
using HhLearn.Cli.Local;

namespace HhLearn.TestSupport;

/// <summary>
/// One dynalite per test process, started on first use and stopped when the process exits; each test gets a table of
/// its own, so tests stay independent and can run in parallel.
/// </summary>
public static class SharedDynalite
{
    private static readonly Lazy<Task<Dynalite>> Instance = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _tables;

    public static Task<Dynalite> GetAsync() => Instance.Value;

    /// <summary>A fresh progress table on the shared dynalite, and a client for it.</summary>
    public static async Task<(Dynalite Dynalite, string Table, AmazonDynamoDBClient Client)> NewTableAsync(string prefix = "test")
    {
        var dynalite = await GetAsync();
        var table = $"{prefix}-{Environment.ProcessId}-{Interlocked.Increment(ref _tables)}";
        await dynalite.CreateTableAsync(table);
        return (dynalite, table, dynalite.Client());
    }

    private static async Task<Dynalite> StartAsync()
    {
        var dynalite = await Dynalite.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => dynalite.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return dynalite;
    }
}

/// <summary>
/// One local SQS per test process (the function reads <c>AWS_ENDPOINT_URL_SQS</c> and <c>AWS_ENDPOINT_URL_DYNAMODB</c>
/// from the process environment, so every test of a process shares the endpoints); each test gets a queue of its own.
/// </summary>
public static class SharedLocalAws
{
    private static readonly Lazy<Task<LocalSqs>> Sqs = new(StartSqsAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _queues;

    /// <summary>A fresh progress table and projection queue, with the process environment pointing the AWS SDK at them.</summary>
    public static async Task<(string Table, Uri QueueUrl, FifoQueue Queue)> NewTableAndQueueAsync(QueueSettings? settings = null)
    {
        var (dynalite, table, client) = await SharedDynalite.NewTableAsync("fn");
        client.Dispose();
        var sqs = await Sqs.Value;
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB", dynalite.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "local");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "local");
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        var name = $"test-{Environment.ProcessId}-{Interlocked.Increment(ref _queues)}.fifo";
        var queue = sqs.CreateQueue(name, settings ?? new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(2), MaxReceiveCount = 3 });
        return (table, sqs.QueueUrl(name), queue);
    }

    private static async Task<LocalSqs> StartSqsAsync() => await LocalSqs.StartAsync();
}
