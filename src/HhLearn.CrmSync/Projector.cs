using HhLearn.HubSpot;
using HhLearn.Operations;
using HhLearn.Progress.Catalog;
using HhLearn.Progress.Contact;
using HhLearn.Progress.Events;
using HhLearn.Store;

namespace HhLearn.CrmSync;

/// <summary>What became of one queue message.</summary>
public enum MessageOutcome
{
    /// <summary>Its learner is projected (or needs nothing): delete it.</summary>
    Done,

    /// <summary>HubSpot or the store failed for now: let it come back.</summary>
    Retry,

    /// <summary>Can never succeed (unreadable; HubSpot refuses the learner for good): left to reach the DLQ.</summary>
    Poison,
}

/// <summary>One message of a projection batch: the nudge it carries (null when unreadable), and its outcome.</summary>
public sealed record ProjectionMessage(string MessageId, string? GroupId, Nudge? Nudge, DateTimeOffset? SentAt = null)
{
    public MessageOutcome Outcome { get; set; } = MessageOutcome.Done;
}

public sealed record ProjectorOptions
{
    /// <summary>How long a projector holds the learners it writes (longer than one invocation can take).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How old the batch's oldest nudge must be before the store is read: a batch that arrives at once waits the
    /// rest, so that the events of the next moment ride in the same HubSpot calls (SQS FIFO mappings have no batching
    /// window of their own). Zero reads at once.
    /// </summary>
    public TimeSpan Coalesce { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many learners are marked projected in the store at once.</summary>
    public int MarkParallelism { get; init; } = 16;

    /// <summary>
    /// Besides the nudged learners, project up to this many others that are behind (the due index) in the same
    /// HubSpot calls: one batch update then carries up to 100 learners. 0 projects the nudged learners only.
    /// </summary>
    public int FillUpTo { get; init; } = 100;
}

/// <summary>
/// Feeds HubSpot from the store, a batch of nudges at a time: reads the latest stored state of each nudged learner
/// (one batch get), finds the contacts HubSpot does not know yet (batch read by email; progress HubSpot holds from
/// the earlier system is merged into the store first), creates the missing ones with their properties, writes
/// everyone else with one batch update per 100 learners, then records the projected version (never backwards). It
/// writes the latest state, so a repeated or missed nudge does no harm. Learners are claimed (a short lease in the
/// store) before they are read, so that no two projectors ever write one learner to HubSpot at once, even when one of
/// them carries learners it was not nudged for. HubSpot failures leave the projection behind, never the learner: the
/// store already answered. A learner HubSpot refuses for good is blocked and its messages go to the DLQ alone, with a
/// <c>projection_failed</c> line.
/// </summary>
public sealed class Projector(ProgressStore store, ContactWriter contacts, LearningCatalog catalog, INudgeSender nudges, ISyncLog log, TimeProvider time, ProjectorOptions? options = null)
{
    private readonly ProjectorOptions _options = options ?? new ProjectorOptions();

    public async Task ProcessAsync(IReadOnlyList<ProjectionMessage> messages, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        PoisonUnreadable(messages, requestId);
        var work = new Dictionary<string, Work>(StringComparer.Ordinal);
        var owner = requestId ?? Guid.NewGuid().ToString("N");
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var started = time.GetTimestamp();
        try
        {
            await CoalesceAsync(messages, ct);
            await LoadAsync(messages, work, owner, claimed, ct);
            var pending = work.Values.Where(w => w.Pending).ToList();
            await ImportAndResolveAsync(pending, requestId, ct);
            await WriteAsync(pending.Where(w => w.Pending).ToList(), requestId, ct);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or StoreContendedException or HubSpotApiException)
        {
            foreach (var learner in work.Values.Where(w => w.Pending))
            {
                Fail(learner, MessageOutcome.Retry, ex is HubSpotApiException api ? $"{api.StatusCode} {api.Category ?? api.GetType().Name}" : ex.GetType().Name, (ex as HubSpotApiException)?.CorrelationId, requestId);
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
                    await store.ReleaseAsync(unmarked, owner, CancellationToken.None);
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
                    await store.BlockAsync(learner.Stored.Key, reason, ct);
                }
                catch (StoreUnavailableException)
                {
                    // Not blocked this time: the messages still go to the DLQ; a later batch blocks it.
                }
            }
        }

        Summarize(messages, work, requestId, time.GetElapsedTime(started));
    }

    /// <summary>One line per batch: what it carried and what became of it.</summary>
    private void Summarize(IReadOnlyList<ProjectionMessage> messages, Dictionary<string, Work> work, string? requestId, TimeSpan took)
    {
        int Count(Func<Work, bool> which) => work.Values.Count(which);
        log.Write(LogLevel.Info, LogEvents.BatchProcessed, "projection batch processed", new LogContext
        {
            RequestId = requestId,
            Fields =
            [
                KeyValuePair.Create<string, object?>("messages", messages.Count),
                KeyValuePair.Create<string, object?>("learners", work.Count),
                KeyValuePair.Create<string, object?>("filled", Count(w => w.Messages.Count == 0)),
                KeyValuePair.Create<string, object?>("written", Count(w => w.Marked)),
                KeyValuePair.Create<string, object?>("created", Count(w => w.Created)),
                KeyValuePair.Create<string, object?>("retried", messages.Count(m => m.Outcome == MessageOutcome.Retry)),
                KeyValuePair.Create<string, object?>("poison", messages.Count(m => m.Outcome == MessageOutcome.Poison)),
                KeyValuePair.Create<string, object?>("tookMs", (long)took.TotalMilliseconds),
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
                    log.Write(LogLevel.Error, LogEvents.ProjectionFailed, "a projection message cannot be read; it goes to the dead-letter queue",
                        new LogContext { RequestId = requestId, Error = "UNREADABLE_MESSAGE", Fields = [KeyValuePair.Create<string, object?>("messageId", message.MessageId)] });
                }
            }
        }
    }

    /// <summary>
    /// Claims and reads the latest stored state of every nudged learner (aliases followed), plus others that are behind,
    /// up to the fill. A nudged learner another projector holds is waited for; one still held comes back later.
    /// </summary>
    private async Task LoadAsync(IReadOnlyList<ProjectionMessage> messages, Dictionary<string, Work> work, string owner, HashSet<string> claimed, CancellationToken ct)
    {
        var nudged = messages.Where(m => m.Nudge is not null && m.Outcome == MessageOutcome.Done).ToList();
        var keys = nudged.Select(m => m.Nudge!.Key).Distinct(StringComparer.Ordinal).ToList();
        var fill = new List<string>();
        if (_options.FillUpTo > keys.Count)
        {
            var due = await store.DueAsync(time.GetUtcNow(), _options.FillUpTo, ct);
            fill.AddRange(due.Where(k => !keys.Contains(k, StringComparer.Ordinal)).Take(_options.FillUpTo - keys.Count));
        }

        // The nudged learners first, then the others, each only if no other projector holds it.
        claimed.UnionWith(await store.ClaimAsync(keys, owner, _options.Lease, ct));
        claimed.UnionWith(await store.ClaimAsync(fill, owner, _options.Lease, ct));
        var loaded = new Dictionary<string, StoredLearner>(await store.GetManyAsync(claimed, ct), StringComparer.Ordinal);
        var aliasTargets = loaded.Values.Where(l => l.AliasOf is not null).Select(l => l.AliasOf!).Where(k => !loaded.ContainsKey(k)).Distinct(StringComparer.Ordinal).ToList();
        if (aliasTargets.Count > 0)
        {
            var primaries = await store.ClaimAsync(aliasTargets, owner, _options.Lease, ct);
            claimed.UnionWith(primaries);
            foreach (var (key, learner) in await store.GetManyAsync(primaries, ct))
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

            var entry = work.TryGetValue(learner.Key, out var existing) ? existing : work[learner.Key] = new Work(learner);
            entry.Messages.AddRange(nudged.Where(m => m.Nudge!.Key == key));
        }

        // Learners that need nothing (HubSpot holds their latest version) or cannot be projected by anyone but an operator.
        foreach (var learner in work.Values)
        {
            if (learner.Stored.Corruption is not null)
            {
                Block(learner, SyncErrorCodes.ProgressStateCorrupt, "the stored progress document is corrupt", null);
            }
            else if (learner.Stored.Blocked is not null)
            {
                // Blocked by an earlier batch: its messages keep failing until they are in the DLQ, beside the log line.
                learner.Finish(MessageOutcome.Poison);
            }
            else if (!learner.Stored.IsBehind && !learner.Stored.ImportPending)
            {
                learner.Finish(MessageOutcome.Done);
            }
        }
    }

    /// <summary>Waits until the batch's oldest nudge is <see cref="ProjectorOptions.Coalesce"/> old.</summary>
    private async Task CoalesceAsync(IReadOnlyList<ProjectionMessage> messages, CancellationToken ct)
    {
        var sent = messages.Where(m => m.Nudge is not null && m.SentAt is not null).Select(m => m.SentAt!.Value).ToList();
        if (sent.Count == 0 || _options.Coalesce <= TimeSpan.Zero)
        {
            return;
        }

        var wait = sent.Min() + _options.Coalesce - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait < _options.Coalesce ? wait : _options.Coalesce, time, ct);
        }
    }

    /// <summary>
    /// Reads, in batches, the contacts of learners HubSpot has not confirmed yet (no contact id) or that may hold
    /// progress from the earlier system, merges that progress into the store, and sorts the rest into "create".
    /// </summary>
    private async Task ImportAndResolveAsync(List<Work> learners, string? requestId, CancellationToken ct)
    {
        var unresolved = learners.Where(w => w.Pending && (w.Stored.ContactId is null || w.Stored.ImportPending)).ToList();
        if (unresolved.Count == 0)
        {
            return;
        }

        var found = await contacts.FindAsync(unresolved.Select(w => w.Target).ToList(), ct);
        foreach (var learner in unresolved)
        {
            if (found.GetValueOrDefault(learner.Ref) is { } contact)
            {
                await AdoptAsync(learner, contact, requestId, ct);
            }
            else if (learner.Stored.Email is null)
            {
                // Known by a contact id that HubSpot does not have: nobody to write to, and nothing to create by.
                Block(learner, SyncErrorCodes.ContactNotFound, $"no HubSpot contact has id {learner.Stored.ContactId}", requestId);
            }
            else
            {
                learner.Create = true;
            }
        }
    }

    /// <summary>Takes the contact HubSpot has for the learner: its id, and (once) the progress it holds, merged into the store.</summary>
    private async Task AdoptAsync(Work learner, HubSpotContact contact, string? requestId, CancellationToken ct)
    {
        learner.ContactId = contact.Id;
        if (!learner.Stored.ImportPending && learner.Stored.ContactId is not null)
        {
            return;
        }

        var read = ContactProgress.Read(contact.Properties);
        if (!read.IsOk)
        {
            Block(learner, SyncErrorCodes.ProgressStateCorrupt, $"the contact's hhl_progress_state is corrupt ({read.Corruption}); nothing imported or written", requestId);
            return;
        }

        var who = new LearnerIdentity(learner.Stored.Email, learner.Stored.Email is null ? learner.Stored.ContactId : null);
        var before = learner.Stored.Version;
        learner.Stored = await store.ImportAsync(who, read.Learner, contact.Id, ct);
        log.Write(LogLevel.Info, LogEvents.LegacyImported, learner.Stored.Version > before ? "progress held in HubSpot merged into the store" : "HubSpot held nothing the store lacked",
            Context(learner, requestId) with { Fields = [KeyValuePair.Create<string, object?>("version", learner.Stored.Version)] });
    }

    /// <summary>Creates the missing contacts, updates the others, and records what HubSpot now holds.</summary>
    private async Task WriteAsync(List<Work> learners, string? requestId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var learner in learners)
        {
            var update = ContactProgress.Build(learner.Stored.Learner, catalog, now);
            if (update.StateTooLarge)
            {
                Block(learner, SyncErrorCodes.ProgressStateTooLarge, $"hhl_progress_state would be {update.StateLength} characters, over HubSpot's limit", requestId);
                continue;
            }

            learner.Properties = update.Properties;
        }

        var written = new List<Work>();
        var creates = learners.Where(l => l is { Pending: true, Create: true }).ToList();
        if (creates.Count > 0)
        {
            foreach (var result in await contacts.CreateAsync(creates.Select(l => (l.Target, l.Properties!)).ToList(), ct))
            {
                var learner = creates.Single(l => l.Ref == result.Ref);
                switch (result.Status)
                {
                    case ContactWriteStatus.Written:
                        learner.ContactId = result.ContactId;
                        learner.Created = true;
                        log.Write(LogLevel.Info, LogEvents.ContactCreated, "contact created for a new learner", Context(learner, requestId));
                        written.Add(learner);
                        break;
                    case ContactWriteStatus.Exists:
                        // HubSpot knows the email after all (created meanwhile, or another contact's secondary email):
                        // read that contact, merge what it holds, and write it like any known learner.
                        var existing = (await contacts.FindAsync([learner.Target with { ContactId = result.ContactId }], ct)).GetValueOrDefault(learner.Ref);
                        if (existing is null)
                        {
                            Fail(learner, MessageOutcome.Retry, "CONFLICT_UNRESOLVED", result.CorrelationId, requestId);
                            break;
                        }

                        learner.Create = false;
                        learner.Stored = learner.Stored with { ImportPending = true };
                        await AdoptAsync(learner, existing, requestId, ct);
                        if (learner.Pending)
                        {
                            learner.Properties = ContactProgress.Build(learner.Stored.Learner, catalog, now).Properties;
                        }

                        break;
                    default:
                        Fail(learner, result.Status == ContactWriteStatus.Refused ? MessageOutcome.Poison : MessageOutcome.Retry, result.Error, result.CorrelationId, requestId);
                        break;
                }
            }
        }

        var updates = learners.Where(l => l is { Pending: true, Create: false, ContactId: not null, Properties: not null }).ToList();
        foreach (var result in await contacts.UpdateAsync(updates.Select(l => (l.Ref, l.ContactId!, l.Properties!)).ToList(), ct))
        {
            var learner = updates.Single(l => l.Ref == result.Ref);
            switch (result.Status)
            {
                case ContactWriteStatus.Written:
                    written.Add(learner);
                    break;
                case ContactWriteStatus.NotFound:
                    Fail(learner, MessageOutcome.Retry, "CONTACT_NOT_FOUND", result.CorrelationId, requestId);
                    break;
                default:
                    Fail(learner, result.Status == ContactWriteStatus.Refused ? MessageOutcome.Poison : MessageOutcome.Retry, result.Error, result.CorrelationId, requestId);
                    break;
            }
        }

        await MarkAllAsync(written, requestId, ct);
    }

    /// <summary>
    /// Records what HubSpot now holds for each written learner (a few at a time), then nudges again every learner that
    /// changed while it was written: its newer version's own nudge may have found it held by this projector and let go.
    /// </summary>
    private async Task MarkAllAsync(List<Work> written, string? requestId, CancellationToken ct)
    {
        var again = new List<Work>();
        await Parallel.ForEachAsync(written, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MarkParallelism), CancellationToken = ct }, async (learner, token) =>
        {
            if (await MarkAsync(learner, requestId, token))
            {
                lock (again)
                {
                    again.Add(learner);
                }
            }
        });

        if (again.Count == 0)
        {
            return;
        }

        try
        {
            await nudges.SendAsync(again.Select(l => new Nudge(l.Stored.Key, l.Stored.Version)).ToList(), $"again-{time.GetUtcNow().ToUnixTimeMilliseconds()}", ct);
        }
        catch (NudgeFailedException ex)
        {
            foreach (var learner in again)
            {
                log.Write(LogLevel.Warn, LogEvents.NudgeFailed, "a re-projection could not be queued; the sweeper will find the learner", Context(learner, requestId) with { Error = ex.Message });
            }
        }
    }

    /// <summary>Records the projected version (never backwards); true when the learner must be projected once more.</summary>
    private async Task<bool> MarkAsync(Work learner, string? requestId, CancellationToken ct)
    {
        var mark = await store.MarkProjectedAsync(learner.Stored, learner.ContactId!, ct);
        learner.Marked = mark != ProjectionMark.Overtaken;
        if (mark == ProjectionMark.Overtaken)
        {
            // A newer version was recorded as projected while we wrote (possible only if a lease ran out): our write may
            // have landed in HubSpot after the newer one, so mark the learner behind and project it once more.
            await store.MarkBehindAsync(learner.Stored.Key, time.GetUtcNow(), ct);
        }

        learner.Finish(MessageOutcome.Done);
        log.Write(LogLevel.Info, LogEvents.ProjectionWritten, learner.Created ? "learner projected on a new contact" : "learner projected",
            Context(learner, requestId) with
            {
                Fields =
                [
                    KeyValuePair.Create<string, object?>("version", learner.Stored.Version),
                    KeyValuePair.Create<string, object?>("messages", learner.Messages.Count),
                    KeyValuePair.Create<string, object?>("mark", mark.ToString()),
                ],
            });
        return mark != ProjectionMark.Cleared;
    }

    private void Block(Work learner, string code, string message, string? requestId) => Fail(learner, MessageOutcome.Poison, code, null, requestId, message);

    /// <summary>Ends the learner's part of the batch; a refusal for good also blocks it (kept in the store, see <see cref="ProgressStore.BlockAsync"/>).</summary>
    private void Fail(Work learner, MessageOutcome outcome, string? error, string? correlationId, string? requestId, string? message = null)
    {
        if (!learner.Pending)
        {
            return;
        }

        learner.Finish(outcome);
        if (outcome == MessageOutcome.Poison)
        {
            learner.BlockReason = error ?? "REFUSED";
        }

        log.Write(outcome == MessageOutcome.Retry ? LogLevel.Warn : LogLevel.Error, LogEvents.ProjectionFailed,
            message ?? (outcome == MessageOutcome.Retry ? "HubSpot could not be written for now; the learner will be projected again" : "HubSpot refuses this learner; its messages go to the dead-letter queue"),
            Context(learner, requestId) with { Error = error, CorrelationId = correlationId, Fields = [KeyValuePair.Create<string, object?>("retry", outcome == MessageOutcome.Retry)] });
    }

    private static LogContext Context(Work learner, string? requestId) => new()
    {
        RequestId = requestId,
        ContactId = learner.ContactId ?? learner.Stored.ContactId,
        EmailHash = learner.Stored.Email is { } email ? EmailHash.Of(email) : null,
        Fields = null,
    };

    /// <summary>One learner of the batch: its stored state, its messages, and how far it got.</summary>
    private sealed class Work(StoredLearner stored)
    {
        public StoredLearner Stored { get; set; } = stored;
        public List<ProjectionMessage> Messages { get; } = [];
        public string Ref => Stored.Key;
        public ContactTarget Target => new(Ref, Stored.Email, ContactId ?? Stored.ContactId);
        public string? ContactId { get; set; } = stored.ContactId;
        public bool Create { get; set; }
        public bool Created { get; set; }
        public IReadOnlyDictionary<string, string>? Properties { get; set; }
        public string? BlockReason { get; set; }

        /// <summary>Marked projected (which gives its lease back).</summary>
        public bool Marked { get; set; }
        public MessageOutcome Outcome { get; private set; } = MessageOutcome.Done;
        public bool Pending { get; private set; } = true;

        public void Finish(MessageOutcome outcome)
        {
            Pending = false;
            Outcome = outcome;
        }
    }
}
