namespace HhLearn.CrmSync;

/// <summary>What a batch cost HubSpot's quota: its calls, the projection's calls over the last 10 s and their share of its budget.</summary>
internal sealed record BatchUsage(WindowDecision? Decision, long Calls, double? Recent, double? Share)
{
    /// <summary>Every nudged learner was already written: nothing to collect or write.</summary>
    public bool Current { get; init; }
}

public sealed partial class Projector
{
    /// <summary>Counts the batch's HubSpot calls in the shared tally and reads the projection's recent usage (nothing without a window).</summary>
    private async Task<BatchUsage> UsageAsync(WindowDecision? decision, long calls, CancellationToken ct)
    {
        if (_window is null || calls <= 0)
        {
            return new BatchUsage(decision, Math.Max(0, calls), null, null);
        }

        try
        {
            var (recent, share) = await _window.CountAsync(calls, ct);
            return new BatchUsage(decision, calls, recent, share);
        }
        catch (StoreUnavailableException)
        {
            // The report is the only loss.
            return new BatchUsage(decision, calls, null, null);
        }
    }

    /// <summary>
    /// The nudged learners that may need a write: all but those the store shows written at their latest version
    /// (an alias, an import, a block or a corrupt document is left to the full path).
    /// </summary>
    private async Task<List<string>> NeedingWorkAsync(IReadOnlyList<string> keys, CancellationToken ct)
    {
        var stored = await _store.GetManyAsync(keys, ct);
        return keys.Where(k => stored.GetValueOrDefault(k) is not { IsBehind: false, ImportPending: false, AliasOf: null, Blocked: null, Corruption: null }).ToList();
    }

    /// <summary>
    /// More learners were behind than one write takes: the oldest left is nudged, so that the next window opens at
    /// once rather than at the next learner's event or the sweeper's round.
    /// </summary>
    private async Task NudgeNextWindowAsync(WindowDecision? decision, CancellationToken ct)
    {
        try
        {
            var now = _time.GetUtcNow();
            if ((await _store.DueAsync(decision?.FlushAt ?? now, 1, ct)) is [var next])
            {
                await _nudges.SendAsync([new Nudge(next, 0, Urgent: true)], $"window-{now.ToUnixTimeMilliseconds()}", ct);
            }
        }
        catch (Exception ex) when (ex is StoreUnavailableException or NudgeFailedException)
        {
            // The sweeper finds them.
        }
    }
}
