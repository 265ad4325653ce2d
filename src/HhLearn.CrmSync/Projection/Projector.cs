namespace HhLearn.CrmSync;

/// <summary>
/// Feeds HubSpot from the store, a batch of nudges at a time: reads the latest stored state of each nudged learner
/// (one batch get), finds the contacts HubSpot does not know yet (batch read by email; progress HubSpot holds from
/// the earlier system is merged into the store first), creates the missing ones with their properties, writes
/// everyone else with one batch update per 100 learners, then records the projected version (never backwards). It
/// writes the latest state, so a repeated or missed nudge does no harm. Learners are claimed (a short lease in the
/// store) before they are read, so that no two projectors ever write one learner to HubSpot at once, even when one of
/// them carries learners it was not nudged for. HubSpot failures leave the projection behind, never the learner: the
/// store already answered. A learner HubSpot refuses for good is blocked and its messages go to the DLQ alone, with a
/// <c>projection_failed</c> line. Two records that turn out to be one HubSpot contact are combined (ContactProjection.Identity);
/// a contact deleted in HubSpot is never created again (the learner is suppressed).
/// </summary>
public sealed partial class Projector
{
    private readonly IProjectionStore _store;
    private readonly IContactGateway _contacts;
    private readonly INudgeSender _nudges;
    private readonly ISyncLog _log;
    private readonly TimeProvider _time;
    private readonly ProjectorOptions _options;
    private readonly ProjectionWindow? _window;
    private readonly PortalPause _pause;
    private readonly LearnerOutcomes _outcomes;
    private readonly ContactProjection _writer;

    public Projector(IProjectionStore store, IContactGateway contacts, LearningCatalog catalog, INudgeSender nudges, ISyncLog log, TimeProvider time, ProjectorOptions? options = null)
    {
        (_store, _contacts, _nudges, _log, _time) = (store, contacts, nudges, log, time);
        _options = options ?? new ProjectorOptions();
        _window = _options.Window is { } window ? new ProjectionWindow(store, time, window) : null;
        _pause = new PortalPause(_options, log, time);
        _outcomes = new LearnerOutcomes(log, _pause);
        _writer = new ContactProjection(store, contacts, catalog, nudges, log, time, _options, _outcomes);
    }

    public async Task ProcessAsync(IReadOnlyList<ProjectionMessage> messages, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        PoisonUnreadable(messages, requestId);
        if (_pause.Holds(messages, requestId))
        {
            return;
        }

        var work = new Dictionary<string, LearnerWork>(StringComparer.Ordinal);
        var owner = requestId ?? Guid.NewGuid().ToString("N");
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var started = _time.GetTimestamp();
        var calls = _contacts.Requests;
        WindowDecision? decision = null;
        var truncated = false;
        try
        {
            var keys = NudgedKeys(messages);
            var windowed = _window is { Options.Length.Ticks: > 0 };
            var urgent = windowed && messages.Any(m => m.Nudge?.Urgent == true);
            if (windowed && keys.Count > 0 && !urgent)
            {
                // A nudge that arrives after its learner was written (a queue backlog, a repeat) opens no window; joining an
                // open one costs no read, so only a projector about to open one looks.
                decision = await _window!.EnterAsync(keys, owner, ct, async () => (await NeedingWorkAsync(keys, ct)).Count > 0);
                if (decision is null)
                {
                    Summarize(messages, work, requestId, _time.GetElapsedTime(started), new BatchUsage(null, 0, null, null) { Current = true });
                    return;
                }

                if (!decision.Write)
                {
                    // The window's owner writes these learners when it closes; their messages are done.
                    Summarize(messages, work, requestId, _time.GetElapsedTime(started), new BatchUsage(decision, 0, null, null));
                    return;
                }
            }
            else if (!urgent)
            {
                await CoalesceAsync(messages, ct);
            }

            // Urgent learners have waited already: written at once, with everyone else who is behind (the claims keep a
            // window's owner, flushing at the same moment, from writing one learner twice).
            truncated = await LoadAsync(messages, work, owner, claimed, decision is null && !urgent ? _options.FillUpTo : _options.WindowFillUpTo, ct);
            var pending = work.Values.Where(w => w.Pending).ToList();
            await _writer.ImportAndResolveAsync(pending, requestId, ct);
            await _writer.CombineAsync(pending, owner, claimed, requestId, ct);
            await _writer.WriteAsync(pending.Where(w => w.Pending).ToList(), owner, claimed, requestId, ct);
        }
        catch (CrmForbiddenException ex)
        {
            // The token lacks a scope: the portal's problem, not the learners'. Nobody is blocked or sent to the DLQ.
            foreach (var learner in work.Values.Where(w => w.Pending))
            {
                _outcomes.Misconfigured(learner, $"403 {ex.Category} {string.Join(',', ex.RequiredScopes)}".TrimEnd());
            }

            foreach (var message in messages.Where(m => m.Nudge is not null && !work.Values.Any(w => w.Messages.Contains(m))))
            {
                message.Outcome = MessageOutcome.Done;
            }

            _pause.Refused($"403 {ex.Category} {string.Join(',', ex.RequiredScopes)}".TrimEnd());
        }
        catch (Exception ex) when (ex is StoreUnavailableException or StoreContendedException or StoreRejectedException or CrmCallFailedException)
        {
            foreach (var learner in work.Values.Where(w => w.Pending))
            {
                _outcomes.Fail(learner, MessageOutcome.Retry, ex is CrmCallFailedException crm ? crm.Describe() : ex.GetType().Name, (ex as CrmCallFailedException)?.CorrelationId, requestId);
            }

            // Messages of learners never loaded (the store failed first) come back too.
            foreach (var message in messages.Where(m => m.Nudge is not null && !work.Values.Any(w => w.Messages.Contains(m))))
            {
                message.Outcome = MessageOutcome.Retry;
            }
        }
        finally
        {
            // Learners claimed but not marked projected (failed, skipped, overtaken) are given back at once.
            var unmarked = claimed.Where(k => !work.TryGetValue(k, out var w) || !w.Marked).ToList();
            if (unmarked.Count > 0)
            {
                try
                {
                    await _store.ReleaseAsync(unmarked, owner, CancellationToken.None);
                }
                catch (StoreUnavailableException)
                {
                    // The leases run out by themselves.
                }
            }
        }

        foreach (var learner in work.Values)
        {
            foreach (var message in learner.Messages)
            {
                message.Outcome = learner.Outcome;
            }

            if (learner.BlockReason is { } reason)
            {
                try
                {
                    await _store.BlockAsync(learner.Stored.Key, reason, ct);
                }
                catch (StoreUnavailableException)
                {
                    // Not blocked this time: the messages still go to the DLQ; a later batch blocks it.
                }
            }
        }

        _pause.Settle(work.Values.Any(w => w.Marked), requestId);
        if (truncated)
        {
            await NudgeNextWindowAsync(decision, ct);
        }

        Summarize(messages, work, requestId, _time.GetElapsedTime(started), await UsageAsync(decision, _contacts.Requests - calls, ct));
    }

    private static List<string> NudgedKeys(IReadOnlyList<ProjectionMessage> messages) =>
        messages.Where(m => m.Nudge is not null && m.Outcome == MessageOutcome.Done).Select(m => m.Nudge!.Key).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>One line per batch: what it carried, what became of it, and what it cost HubSpot's quota.</summary>
    private void Summarize(IReadOnlyList<ProjectionMessage> messages, Dictionary<string, LearnerWork> work, string? requestId, TimeSpan took, BatchUsage usage)
    {
        int Count(Func<LearnerWork, bool> which) => work.Values.Count(which);
        var written = Count(w => w.Marked);
        _log.Write(LogLevel.Info, LogEvents.BatchProcessed, "projection batch processed", new LogContext
        {
            RequestId = requestId,
            Fields =
            [
                KeyValuePair.Create<string, object?>("messages", messages.Count),
                KeyValuePair.Create<string, object?>("learners", work.Count),
                KeyValuePair.Create<string, object?>("filled", Count(w => w.Messages.Count == 0)),
                KeyValuePair.Create<string, object?>("written", Count(w => w.Marked)),
                KeyValuePair.Create<string, object?>("created", Count(w => w.Created)),
                KeyValuePair.Create<string, object?>("combined", Count(w => w.Combined)),
                KeyValuePair.Create<string, object?>("retried", messages.Count(m => m.Outcome == MessageOutcome.Retry)),
                KeyValuePair.Create<string, object?>("poison", messages.Count(m => m.Outcome == MessageOutcome.Poison)),
                KeyValuePair.Create<string, object?>("tookMs", (long)took.TotalMilliseconds),
                KeyValuePair.Create<string, object?>("window", usage.Current ? "current" : usage.Decision is null ? (_window is { Options.Length.Ticks: > 0 } && messages.Any(m => m.Nudge?.Urgent == true) ? "urgent" : "off") : usage.Decision.Write ? "owner" : "joined"),
                KeyValuePair.Create<string, object?>("windowWaitedMs", (long)(usage.Decision?.Waited.TotalMilliseconds ?? 0)),
                KeyValuePair.Create<string, object?>("hubspotCalls", usage.Calls),
                KeyValuePair.Create<string, object?>("learnersPerCall", usage.Calls > 0 ? Math.Round(written / (double)usage.Calls, 1) : null),
                KeyValuePair.Create<string, object?>("callsPer10s", usage.Recent is { } recent ? Math.Round(recent, 1) : null),
                KeyValuePair.Create<string, object?>("quotaUsage", usage.Share is { } share ? Math.Round(100 * share, 1) : null),
            ],
        });
    }

    /// <summary>A message that cannot be read fails with every later message of its FIFO group in the batch, so order holds.</summary>
    private void PoisonUnreadable(IReadOnlyList<ProjectionMessage> messages, string? requestId)
    {
        var broken = new HashSet<string?>();
        foreach (var message in messages)
        {
            if (message.Nudge is null || broken.Contains(message.GroupId))
            {
                message.Outcome = message.Nudge is null ? MessageOutcome.Poison : MessageOutcome.Retry;
                broken.Add(message.GroupId);
                if (message.Nudge is null)
                {
                    _log.Write(LogLevel.Error, LogEvents.ProjectionFailed, "a projection message cannot be read; it goes to the dead-letter queue",
                        new LogContext { RequestId = requestId, Error = "UNREADABLE_MESSAGE", Fields = [KeyValuePair.Create<string, object?>("messageId", message.MessageId)] });
                }
            }
        }
    }

    /// <summary>
    /// Claims and reads the latest stored state of every nudged learner (aliases followed), plus others that are behind,
    /// up to the fill. A nudged learner another projector holds is waited for; one still held comes back later.
    /// </summary>
    /// <returns>Whether more learners were behind than the fill took.</returns>
    private async Task<bool> LoadAsync(IReadOnlyList<ProjectionMessage> messages, Dictionary<string, LearnerWork> work, string owner, HashSet<string> claimed, int fillUpTo, CancellationToken ct)
    {
        var nudged = messages.Where(m => m.Nudge is not null && m.Outcome == MessageOutcome.Done).ToList();
        var keys = NudgedKeys(messages);
        var fill = new List<string>();
        var truncated = false;
        if (fillUpTo > keys.Count)
        {
            var due = await _store.DueAsync(_time.GetUtcNow(), fillUpTo, ct);
            fill.AddRange(due.Where(k => !keys.Contains(k, StringComparer.Ordinal)).Take(fillUpTo - keys.Count));
            truncated = due.Count >= fillUpTo;
        }

        // The nudged learners first, then the others, each only if no other projector holds it.
        claimed.UnionWith(await _store.ClaimAsync(keys, owner, _options.Lease, ct));
        claimed.UnionWith(await _store.ClaimAsync(fill, owner, _options.Lease, ct));
        var loaded = new Dictionary<string, StoredLearner>(await _store.GetManyAsync(claimed, ct), StringComparer.Ordinal);
        var aliasTargets = loaded.Values.Where(l => l.AliasOf is not null).Select(l => l.AliasOf!).Where(k => !loaded.ContainsKey(k)).Distinct(StringComparer.Ordinal).ToList();
        if (aliasTargets.Count > 0)
        {
            var primaries = await _store.ClaimAsync(aliasTargets, owner, _options.Lease, ct);
            claimed.UnionWith(primaries);
            foreach (var (key, learner) in await _store.GetManyAsync(primaries, ct))
            {
                loaded[key] = learner;
            }
        }

        StoredLearner? Primary(string key)
        {
            for (var hop = 0; hop < 4 && loaded.GetValueOrDefault(key) is { } learner; hop++)
            {
                if (learner.AliasOf is null)
                {
                    return learner;
                }

                key = learner.AliasOf;
            }

            return null;
        }

        foreach (var key in keys.Concat(fill))
        {
            if (Primary(key) is not { } learner)
            {
                // Held by another projector: its messages are done. That projector writes the learner now, and when the
                // learner has changed since it read it (this nudge's event), it nudges again on marking (see MarkAsync).
                continue;
            }

            var entry = work.TryGetValue(learner.Key, out var existing) ? existing : work[learner.Key] = new LearnerWork(learner);
            entry.Messages.AddRange(nudged.Where(m => m.Nudge!.Key == key));
        }

        // Learners that need nothing (HubSpot holds their latest version) or cannot be projected by anyone but an operator.
        foreach (var learner in work.Values)
        {
            if (learner.Stored.Corruption is not null)
            {
                _outcomes.Block(learner, SyncErrorCodes.ProgressStateCorrupt, "the stored progress document is corrupt", null);
            }
            else if (learner.Stored.Blocked is not null)
            {
                // Blocked by an earlier batch: its messages keep failing until they are in the DLQ, beside the log line.
                learner.Finish(MessageOutcome.Poison);
            }
            else if (learner.Stored.Suppressed is not null)
            {
                // Deleted in HubSpot, or forgotten: never sent there again until an operator lifts it.
                learner.Finish(MessageOutcome.Done);
            }
            else if (!learner.Stored.IsBehind && !learner.Stored.ImportPending)
            {
                learner.Finish(MessageOutcome.Done);
            }
        }

        return truncated;
    }

    /// <summary>Waits until the batch's oldest nudge is <see cref="ProjectorOptions.Coalesce"/> old.</summary>
    private async Task CoalesceAsync(IReadOnlyList<ProjectionMessage> messages, CancellationToken ct)
    {
        var sent = messages.Where(m => m.Nudge is not null && m.SentAt is not null).Select(m => m.SentAt!.Value).ToList();
        if (sent.Count == 0 || _options.Coalesce <= TimeSpan.Zero)
        {
            return;
        }

        var wait = sent.Min() + _options.Coalesce - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait < _options.Coalesce ? wait : _options.Coalesce, _time, ct);
        }
    }
}
