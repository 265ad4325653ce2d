namespace HhLearn.CrmSync;

/// <summary>How the projection spends HubSpot calls across time (see <see cref="ProjectionWindow"/>).</summary>
public sealed record ProjectionWindowOptions
{
    /// <summary>How long learners are collected before they are written (<c>PROJECTION_WINDOW_SECONDS</c>); zero writes at once.</summary>
    public TimeSpan Length { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest window, reached as the projection's HubSpot usage nears its budget (three windows by default).</summary>
    public TimeSpan? Longest { get; init; }

    /// <summary>How long a store write may take to show in the due index (a DynamoDB global secondary index is eventually consistent).</summary>
    public TimeSpan IndexSettle { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the owner looks whether its window filled up.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Learners in one batch update: a window with this many waiting is written at once.</summary>
    public int FullBatch { get; init; } = 100;

    /// <summary>The projection's HubSpot calls per 10 s (every projector together; <c>HUBSPOT_PROJECTION_BUDGET</c>); 0 when unknown.</summary>
    public int Budget { get; init; }

    /// <summary>Usage of <see cref="Budget"/> from which the window grows toward <see cref="Longest"/>.</summary>
    public double GrowFrom { get; init; } = 0.5;

    public TimeSpan LongestOrDefault => Longest ?? 3 * Length;
}

/// <summary>What a projector does with its nudges: writes them (as the window's owner, at <see cref="FlushAt"/>) or leaves them to the owner.</summary>
public sealed record WindowDecision(bool Write, DateTimeOffset FlushAt, int Waiting, TimeSpan Waited);

/// <summary>
/// HubSpot's quota, not AWS, is HhLearn's limit, and a batch update carries 100 learners: so under steady traffic the
/// projection collects learners for a window and writes them together instead of as they arrive. The first nudged
/// projector opens the window (one item in the store) and waits; projectors nudged meanwhile join it and are done at
/// once (their learners are in the due index, which the owner reads when the window closes). The window closes early
/// when a full batch waits (the quota is best spent on full batches), is skipped when a learner has already waited a
/// whole window (a backlog after an outage), and grows, up to <see cref="ProjectionWindowOptions.Longest"/>,
/// as the projection's HubSpot usage rises above half its budget. Nudges stay the trigger, the due index the truth,
/// and reads come from the store, so a window delays HubSpot only.
/// </summary>
public sealed class ProjectionWindow(IProjectionStore store, TimeProvider time, ProjectionWindowOptions options)
{
    /// <summary>The tally of the projection's HubSpot calls in the store (see <see cref="IProjectionWindowStore.CountCallsAsync"/>).</summary>
    public const string CallsTally = "projection";

    public ProjectionWindowOptions Options => options;

    /// <summary>Opens or joins the window for <paramref name="learners"/>; the owner returns when the window closes.</summary>
    /// <param name="worthOpening">Whether a window is worth opening for these learners (asked only when there is none to join).</param>
    /// <returns>Null when none was worth opening: nothing to do.</returns>
    public async Task<WindowDecision?> EnterAsync(IReadOnlyCollection<string> learners, string owner, CancellationToken ct, Func<Task<bool>>? worthOpening = null)
    {
        ArgumentNullException.ThrowIfNull(learners);
        var opened = time.GetUtcNow();
        var entered = await store.OpenOrJoinWindowAsync(owner, learners, opened + options.Length, opened + options.IndexSettle, options.FullBatch, ct, worthOpening);
        if (entered is not { } turn)
        {
            return null;
        }

        if (!turn.Owner)
        {
            return new WindowDecision(false, turn.FlushAt, turn.Waiting, TimeSpan.Zero);
        }

        var flushAt = turn.FlushAt;
        var advertised = flushAt;
        if ((await store.DueAsync(opened - options.Length, 1, ct)).Count > 0)
        {
            // Someone has waited a whole window already (after an outage, a backlog, a lost nudge): collecting longer
            // would only add to their wait.
            flushAt = opened;
        }
        else if (Grown(await UsageAsync(ct)) is { } longer && longer > options.Length && await store.MoveWindowAsync(owner, opened + longer, ct))
        {
            flushAt = advertised = opened + longer;
        }

        var waiting = turn.Waiting;
        while (waiting < options.FullBatch && time.GetUtcNow() < flushAt)
        {
            var rest = flushAt - time.GetUtcNow();
            await Task.Delay(rest < options.Poll ? rest : options.Poll, time, ct);
            if (await store.WindowAsync(ct) is not { } state || state.Owner != owner)
            {
                break;
            }

            waiting = state.Waiting;
            flushAt = advertised = state.FlushAt;
        }

        // Closed now: nudges from here on open the next window. Closed early (a full batch), the last learners to join
        // may need a moment to show in the due index.
        var closedAt = time.GetUtcNow();
        await store.MoveWindowAsync(owner, closedAt, ct);
        if (closedAt < advertised - options.IndexSettle && options.IndexSettle > TimeSpan.Zero)
        {
            await Task.Delay(options.IndexSettle, time, ct);
        }

        return new WindowDecision(true, closedAt, waiting, time.GetUtcNow() - opened);
    }

    /// <summary>The share of <see cref="ProjectionWindowOptions.Budget"/> the projection used over the last 10 s (null when no budget is known).</summary>
    public async Task<(double Calls, double? Usage)> CountAsync(long calls, CancellationToken ct)
    {
        var recent = await store.CountCallsAsync(CallsTally, calls, ct);
        return (recent, options.Budget > 0 ? recent / options.Budget : null);
    }

    private async Task<double?> UsageAsync(CancellationToken ct) => options.Budget > 0 ? (await CountAsync(0, ct)).Usage : null;

    /// <summary>The window for a usage: the configured length up to <see cref="ProjectionWindowOptions.GrowFrom"/>, then growing linearly to the longest at 100%.</summary>
    public TimeSpan? Grown(double? usage)
    {
        if (usage is not { } u || u <= options.GrowFrom)
        {
            return null;
        }

        var share = Math.Min(1, (u - options.GrowFrom) / (1 - options.GrowFrom));
        return options.Length + ((options.LongestOrDefault - options.Length) * share);
    }
}
