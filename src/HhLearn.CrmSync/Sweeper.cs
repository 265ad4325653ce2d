using System.Globalization;

namespace HhLearn.CrmSync;

/// <summary>
/// Finds learners whose HubSpot projection has been behind for longer than <c>minAge</c> (the store's due index) and
/// nudges them again, so that a nudge lost after a successful store write costs minutes, not data. Run on a schedule
/// (EventBridge in the stack, a timer under <c>hhlearn local</c>). Each run logs <c>projection_swept</c> with the age of
/// the oldest learner still behind: the projection-lag metric.
/// </summary>
public sealed class Sweeper(IProjectionLedger store, INudgeSender nudges, ISyncLog log, TimeProvider time, TimeSpan minAge, int limit = 1000)
{
    public async Task<int> SweepAsync(string? requestId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var keys = await store.DueAsync(now - minAge, limit, ct);
        var learners = await store.GetManyAsync(keys, ct);
        var again = learners.Values.Where(l => l is { IsBehind: true, Blocked: null, AliasOf: null }).Select(l => new Nudge(l.Key, l.Version, Urgent: true)).ToList();
        if (again.Count > 0)
        {
            // A sweep's nudges carry the round, so SQS does not drop them as repeats of the lost ones.
            await nudges.SendAsync(again, "sweep-" + now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ct);
        }

        var first = await store.DueAsync(now, 1, ct);
        var oldest = first.Count > 0 && (await store.GetManyAsync(first, ct)).GetValueOrDefault(first[0])?.DueSince is { } since &&
                     Progress.State.Stamp.TryParseInstant(since) is { } at
            ? Math.Max(0, (now - at).TotalSeconds)
            : 0;
        log.Write(LogLevel.Info, LogEvents.ProjectionSwept, again.Count == 0 ? "no learner is behind for long" : $"{again.Count} learner(s) behind for over {minAge.TotalSeconds:0} s nudged again",
            new LogContext
            {
                RequestId = requestId,
                Fields = [KeyValuePair.Create<string, object?>("nudged", again.Count), KeyValuePair.Create<string, object?>("oldestBehindSeconds", Math.Round(oldest, 1))],
            });
        return again.Count;
    }
}
