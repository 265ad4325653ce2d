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
