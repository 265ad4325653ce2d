using System.Globalization;

namespace HhLearn.Operations;

/// <summary>
/// How the app's HubSpot limit (requests per rolling 10 s, shared by every caller with the app's token) is split
/// among the function's concurrent instances, each of which has its own client-side limiter. At any instant at
/// most <see cref="QueueConcurrency"/> instances run queue work (the event source mapping's maximum concurrency) and
/// at most <see cref="Instances"/> run anything (the function's reserved concurrency); so with
/// <c>QueueConcurrency x QueueShare &lt;= AppLimit - ReadBudget</c> and <c>Instances x ReadShare &lt;= ReadBudget</c>
/// the sum can never exceed the app's limit, however the instances are busy.
/// </summary>
public sealed record HubSpotBudget
{
    /// <summary>The HubSpot API version a deployment speaks unless told otherwise (the stack's <c>hubspotApiVersion</c>; the client's default).</summary>
    public const string DefaultHubSpotApiVersion = "2026-09";

    /// <summary>Lambda's bounds for an SQS event source mapping's maximum concurrency.</summary>
    public const int MinMappingConcurrency = 2;
    public const int MaxMappingConcurrency = 1000;

    private HubSpotBudget(int appLimit, int readBudget, int instances, int queueConcurrency)
    {
        AppLimit = appLimit;
        ReadBudget = readBudget;
        Instances = instances;
        QueueConcurrency = queueConcurrency;
    }

    /// <summary>The app's limit per 10 s (100, 190 or 250 depending on the HubSpot plan).</summary>
    public int AppLimit { get; }

    /// <summary>The part kept for the API's requests (reads of learners not yet in the store; direct mode's writes).</summary>
    public int ReadBudget { get; }

    /// <summary>The most instances that can run at once (reserved concurrency).</summary>
    public int Instances { get; }

    /// <summary>The event source mapping's maximum concurrency, as Lambda really applies it.</summary>
    public int QueueConcurrency { get; }

    /// <summary>Each instance's requests per 10 s while it runs queue work (the projection).</summary>
    public int QueueShare => QueueConcurrency == 0 ? 0 : (AppLimit - ReadBudget) / QueueConcurrency;

    /// <summary>
    /// Whether the API's reads share one budget enforced through the progress table (the deployed stack, whose API
    /// function has no reserved concurrency), rather than a share per counted instance (<c>hhlearn local</c>).
    /// </summary>
    public bool SharedReads { get; private init; }

    /// <summary>The projector function's reserved concurrency: every queue consumer plus one for the sweeper.</summary>
    public int ProjectorConcurrency => QueueConcurrency + 1;

    /// <summary>Each instance's requests per 10 s while it answers the API (with <see cref="SharedReads"/>, the whole read budget: the table bounds their sum).</summary>
    public int ReadShare => ReadBudget / Instances;

    /// <summary>The most the app can send in 10 s across every instance: never more than <see cref="AppLimit"/>.</summary>
    public int WorstCaseTotal => (QueueConcurrency * QueueShare) + (Instances * ReadShare);

    /// <summary>The mapping concurrency Lambda applies for a configured value (it refuses values below 2).</summary>
    public static int MappingConcurrency(int configured) => Math.Clamp(configured, MinMappingConcurrency, MaxMappingConcurrency);

    /// <summary>
    /// The split for a deployment with a queue: <paramref name="queueConcurrency"/> is clamped as the mapping clamps
    /// it. Problems (a budget too small for the concurrency) are returned, one line each, rather than thrown.
    /// </summary>
    public static (HubSpotBudget Budget, IReadOnlyList<string> Problems) Split(int appLimit, int readBudget, int instances, int queueConcurrency)
    {
        var queue = queueConcurrency <= 0 ? 0 : MappingConcurrency(queueConcurrency);
        var budget = new HubSpotBudget(appLimit, readBudget, Math.Max(1, instances), queue);
        var problems = new List<string>();
        if (appLimit < 1)
        {
            problems.Add($"the HubSpot limit must be at least 1 request per 10 s (got {appLimit})");
        }

        if (instances < queue + 1)
        {
            problems.Add($"reserved concurrency {instances} leaves no instance for the API beside {queue} queue consumers: raise it above {queue}");
        }

        if (readBudget < 0 || readBudget >= appLimit)
        {
            problems.Add($"the read budget must be between 0 and {appLimit - 1} of the {appLimit} requests per 10 s (got {readBudget})");
        }
        else
        {
            if (queue > 0 && budget.QueueShare < 1)
            {
                problems.Add($"{appLimit - readBudget} requests per 10 s cannot be shared by {queue} queue consumers: lower queueMaxConcurrency or the read budget");
            }

            if (readBudget > 0 && budget.ReadShare < 1)
            {
                problems.Add($"a read budget of {readBudget} requests per 10 s cannot be shared by {budget.Instances} instances: raise it or lower reservedConcurrency");
            }
        }

        return (budget, problems);
    }

    /// <summary>
    /// The split for the deployed stack: two functions from one binary. The projector runs at most
    /// <paramref name="queueConcurrency"/> queue consumers (clamped as the mapping clamps it), each with
    /// <see cref="QueueShare"/>; the API function scales freely, and its HubSpot calls draw on <paramref name="readBudget"/>
    /// per 10 s shared through the table, so <c>QueueConcurrency x QueueShare + ReadBudget &lt;= AppLimit</c> whatever the
    /// number of API instances.
    /// </summary>
    public static (HubSpotBudget Budget, IReadOnlyList<string> Problems) SplitShared(int appLimit, int readBudget, int queueConcurrency)
    {
        var queue = MappingConcurrency(queueConcurrency);
        var budget = new HubSpotBudget(appLimit, readBudget, 1, queue) { SharedReads = true };
        var problems = new List<string>();
        if (appLimit < 1)
        {
            problems.Add($"the HubSpot limit must be at least 1 request per 10 s (got {appLimit})");
        }

        if (readBudget < 2 || readBudget >= appLimit)
        {
            problems.Add($"the API's read budget must be between 2 and {appLimit - 1} of the {appLimit} requests per 10 s (got {readBudget})");
        }
        else if (budget.QueueShare < 1)
        {
            problems.Add($"{appLimit - readBudget} requests per 10 s cannot be shared by {queue} queue consumers: lower queueMaxConcurrency or the read budget");
        }

        return (budget, problems);
    }

    public override string ToString() => SharedReads
        ? string.Create(CultureInfo.InvariantCulture,
            $"{AppLimit}/10s: {QueueConcurrency} queue consumers x {QueueShare} + {ReadBudget} (API reads, shared through the table) = {WorstCaseTotal} at most")
        : string.Create(CultureInfo.InvariantCulture,
            $"{AppLimit}/10s: {QueueConcurrency} queue consumers x {QueueShare} + {Instances} instances x {ReadShare} (reads) = {WorstCaseTotal} at most");
}
