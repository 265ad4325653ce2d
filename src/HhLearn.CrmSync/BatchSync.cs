using HhLearn.Progress.Events;
using HhLearn.Operations;
using HhLearn.HubSpot;
using HhLearn.Progress.Catalog;
using HhLearn.Progress.Contact;
using HhLearn.Progress.Rules;

namespace HhLearn.CrmSync;

/// <summary>What became of one queued message.</summary>
public enum MessageOutcome
{
    /// <summary>Applied and written (or rejected by the rules, which is final): delete it.</summary>
    Done,

    /// <summary>HubSpot failed (429, 5xx, outage): let it come back later.</summary>
    Retry,

    /// <summary>Can never succeed (corrupt or oversize state, unreadable message): logged, left to reach the DLQ.</summary>
    Poison,
}

/// <summary>One message of a batch, and its outcome.</summary>
public sealed record BatchItem(string MessageId, QueuedEvent? Event, string? Problem)
{
    public MessageOutcome Outcome { get; set; } = MessageOutcome.Done;

    /// <summary>Refused by the progress rules (logged as <c>event_rejected</c>); final.</summary>
    public bool Rejected { get; set; }

    /// <summary>Why it failed (for its <c>crm_sync_failed</c> line), and HubSpot's correlation id when HubSpot said so.</summary>
    public string? Error { get; set; }

    public string? CorrelationId { get; set; }
}

/// <summary>
/// Applies a batch of queued events (one FIFO batch, up to 10 messages) with as few HubSpot calls as possible:
/// one batch read per 100 learners (by email and by id), one batch create for the missing learners
/// (de-duplicated; a 409 is resolved by reading them again), each learner's events applied in order, and one
/// batch update for all of them. Each learner's messages share one outcome, so FIFO order holds. Every message ends
/// in exactly one outcome line, <c>event_persisted</c>, <c>event_rejected</c> or <c>crm_sync_failed</c>, so the
/// failure rate (failed over failed plus persisted) counts events, not learners or batches.
/// </summary>
public sealed class BatchSync(HubSpotClient hubSpot, LearningCatalog catalog, ISyncLog log, TimeProvider time)
{
    private const int BatchLimit = 100;

    public async Task ProcessAsync(IReadOnlyList<BatchItem> items, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items.Where(i => i.Event is null))
        {
            item.Outcome = MessageOutcome.Poison;
            item.Error = $"UNREADABLE_MESSAGE: {item.Problem}";
        }

        try
        {
            await ProcessReadableAsync(items, requestId, ct);
        }
        finally
        {
            ReportOutcomes(items, requestId);
        }
    }

    private async Task ProcessReadableAsync(IReadOnlyList<BatchItem> items, string? requestId, CancellationToken ct)
    {
        // One group per learner, in the order their first message came.
        var learners = items.Where(i => i.Event is not null)
            .GroupBy(i => i.Event!.Learner.Key)
            .Select(g => new LearnerWork(g.First().Event!.Learner, g.ToList()))
            .ToList();
        if (learners.Count == 0)
        {
            return;
        }

        try
        {
            await ResolveAsync(learners, ct);
            await CreateMissingAsync(learners, requestId, ct);
        }
        catch (HubSpotApiException ex)
        {
            Fail(learners.Where(l => l.Pending), ex);
            return;
        }

        foreach (var learner in learners.Where(l => l.Pending))
        {
            Apply(learner, requestId);
        }

        var updates = learners.Where(l => l is { Pending: true, Update: not null }).ToList();
        foreach (var chunk in updates.Chunk(BatchLimit))
        {
            try
            {
                var result = await hubSpot.BatchUpdateContactsAsync(chunk.Select(l => new HubSpotContactUpdate(l.ContactId!, l.Update!.Properties)).ToArray(), ct);
                var failedIds = result.Errors.SelectMany(e => e.Ids).ToHashSet(StringComparer.Ordinal);
                foreach (var learner in chunk)
                {
                    if (failedIds.Contains(learner.ContactId!))
                    {
                        Fail([learner], new HubSpotApiException(404, "OBJECT_NOT_FOUND", null, "contact vanished before the update"));
                    }
                    else
                    {
                        Persisted(learner);
                    }
                }
            }
            catch (HubSpotApiException ex)
            {
                Fail(chunk, ex);
            }
        }

        foreach (var learner in learners.Where(l => l is { Pending: true, Update: null }))
        {
            // Nothing to write (every event rejected, or written by the create already).
            Persisted(learner);
        }

        log.Write(LogLevel.Info, LogEvents.BatchProcessed, $"batch of {items.Count} messages over {learners.Count} learners",
            new LogContext
            {
                RequestId = requestId,
                Fields =
                [
                    KeyValuePair.Create<string, object?>("messages", items.Count),
                    KeyValuePair.Create<string, object?>("learners", learners.Count),
                    KeyValuePair.Create<string, object?>("retry", items.Count(i => i.Outcome == MessageOutcome.Retry)),
                    KeyValuePair.Create<string, object?>("poison", items.Count(i => i.Outcome == MessageOutcome.Poison)),
                ],
            });
    }

    /// <summary>Batch reads: by id for learners named by contact id, by email for the others.</summary>
    private async Task ResolveAsync(List<LearnerWork> learners, CancellationToken ct)
    {
        foreach (var chunk in learners.Where(l => l.Who.ContactId is not null).Chunk(BatchLimit))
        {
            var result = await hubSpot.BatchReadContactsAsync(chunk.Select(l => l.Who.ContactId!).Distinct(StringComparer.Ordinal).ToArray(), ContactPropertyNames.ReadSet, byEmail: false, ct);
            var byId = result.Results.ToDictionary(c => c.Id, StringComparer.Ordinal);
            foreach (var learner in chunk)
            {
                if (byId.TryGetValue(learner.Who.ContactId!, out var contact))
                {
                    learner.Contact = contact;
                }
                else
                {
                    learner.Finish(MessageOutcome.Poison, SyncErrorCodes.ContactNotFound);
                }
            }
        }

        await ReadByEmailAsync(learners.Where(l => l.Who.ContactId is null && l.Contact is null).ToList(), ct);
    }

    private async Task ReadByEmailAsync(List<LearnerWork> learners, CancellationToken ct)
    {
        foreach (var chunk in learners.Chunk(BatchLimit))
        {
            var result = await hubSpot.BatchReadContactsAsync(chunk.Select(l => l.Who.Email!).Distinct(StringComparer.Ordinal).ToArray(), ContactPropertyNames.ReadSet, byEmail: true, ct);
            var byEmail = new Dictionary<string, HubSpotContact>(StringComparer.OrdinalIgnoreCase);
            foreach (var contact in result.Results)
            {
                if (contact.Property(ContactPropertyNames.Email) is { } email)
                {
                    byEmail[email] = contact;
                }
            }

            foreach (var learner in chunk)
            {
                learner.Contact ??= byEmail.GetValueOrDefault(learner.Who.Email!);
            }
        }
    }

    /// <summary>
    /// Creates the learners HubSpot does not know, with their events already applied. HubSpot fails a whole batch
    /// create with 409 when one email exists (someone created it meanwhile): then read them again and create
    /// only the still-missing ones.
    /// </summary>
    private async Task CreateMissingAsync(List<LearnerWork> learners, string? requestId, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var missing = learners.Where(l => l is { Pending: true, Contact: null }).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            foreach (var learner in missing)
            {
                Apply(learner, requestId, LearnerProgress.New);
            }

            try
            {
                foreach (var chunk in missing.Chunk(BatchLimit))
                {
                    var inputs = chunk.Select(l => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(l.Update?.Properties ?? ContactProgress.Build(LearnerProgress.New, catalog, time.GetUtcNow()).Properties, StringComparer.Ordinal)
                    {
                        [ContactPropertyNames.Email] = l.Who.Email!,
                        [ContactPropertyNames.LifecycleStage] = "lead",
                    }).ToArray();
                    var created = await hubSpot.BatchCreateContactsAsync(inputs, ct);
                    var byEmail = created.Results.Where(c => c.Property(ContactPropertyNames.Email) is not null)
                        .ToDictionary(c => c.Property(ContactPropertyNames.Email)!, StringComparer.OrdinalIgnoreCase);
                    foreach (var learner in chunk)
                    {
                        if (byEmail.TryGetValue(learner.Who.Email!, out var contact))
                        {
                            learner.Contact = contact;
                            learner.Created = true;
                            log.Write(LogLevel.Info, LogEvents.ContactCreated, "contact created for a new learner",
                                new LogContext { RequestId = requestId, ContactId = contact.Id, EmailHash = learner.Who.EmailHash });
                            Persisted(learner);
                        }
                    }
                }

                return;
            }
            catch (HubSpotConflictException)
            {
                // Created by another writer since our read: read them again; their events are applied on top.
                foreach (var learner in missing)
                {
                    learner.Reset();
                }

                await ReadByEmailAsync(missing, ct);
            }
            catch (HubSpotApiException ex)
            {
                log.Write(LogLevel.Error, LogEvents.ContactCreateFailed, "contacts could not be created",
                    new LogContext { RequestId = requestId, CorrelationId = ex.CorrelationId, Error = $"{ex.StatusCode} {ex.Category}" });
                throw;
            }
        }
    }

    /// <summary>Applies one learner's events in order to the stored progress (or to <paramref name="start"/> for a new contact).</summary>
    private void Apply(LearnerWork learner, string? requestId, LearnerProgress? start = null)
    {
        LearnerProgress progress;
        if (start is not null)
        {
            progress = start;
        }
        else
        {
            var read = ContactProgress.Read(learner.Contact!.Properties);
            if (!read.IsOk)
            {
                log.Write(LogLevel.Error, LogEvents.ProgressStateCorrupt, "stored hhl_progress_state is corrupt; events not applied, state left untouched",
                    new LogContext { RequestId = requestId, ContactId = learner.Contact.Id, EmailHash = learner.Who.EmailHash, Error = read.Corruption });
                learner.Finish(MessageOutcome.Poison, SyncErrorCodes.ProgressStateCorrupt);
                return;
            }

            progress = read.Learner;
        }

        var changed = false;
        foreach (var item in learner.Items)
        {
            var e = item.Event!;
            var result = ProgressEngine.Apply(progress, e.Event, catalog, e.ReceivedAt);
            var context = new LogContext { RequestId = e.RequestId ?? requestId, ContactId = learner.Contact?.Id, EmailHash = learner.Who.EmailHash, EventName = e.Event.Name, EventId = e.Event.EventId };
            if (!result.IsApplied)
            {
                // Depends on stored state, so it cannot be refused at intake; final, not retried.
                log.Write(LogLevel.Warn, LogEvents.EventRejected, result.Rejection.Message, context with { Error = result.Rejection.Code });
                item.Rejected = true;
                continue;
            }

            foreach (var warning in result.Warnings)
            {
                log.Write(LogLevel.Warn, LogEvents.CompletedAtMismatch, warning.Message, context);
            }

            progress = result.Learner;
            changed = true;
        }

        if (!changed && start is null)
        {
            learner.Update = null;
            return;
        }

        var update = ContactProgress.Build(progress, catalog, time.GetUtcNow());
        if (update.StateTooLarge)
        {
            log.Write(LogLevel.Error, LogEvents.ProgressStateTooLarge, $"hhl_progress_state would be {update.StateLength} characters; nothing written",
                new LogContext { RequestId = requestId, ContactId = learner.Contact?.Id, EmailHash = learner.Who.EmailHash });
            learner.Finish(MessageOutcome.Poison, SyncErrorCodes.ProgressStateTooLarge);
            return;
        }

        learner.Update = update;
    }

    private static void Persisted(LearnerWork learner)
    {
        if (learner.Pending)
        {
            learner.Finish(MessageOutcome.Done);
        }
    }

    private static void Fail(IEnumerable<LearnerWork> learners, HubSpotApiException ex)
    {
        foreach (var learner in learners.Where(l => l.Pending))
        {
            var outcome = ex.IsTransient || ex is HubSpotUnauthorizedException ? MessageOutcome.Retry : MessageOutcome.Poison;
            learner.Finish(outcome, $"{ex.StatusCode} {ex.Category ?? ex.GetType().Name}", ex.CorrelationId);
        }
    }

    /// <summary>One line per message: what became of that event.</summary>
    private void ReportOutcomes(IReadOnlyList<BatchItem> items, string? requestId)
    {
        foreach (var item in items.Where(i => !i.Rejected))
        {
            var e = item.Event;
            var context = new LogContext
            {
                RequestId = e?.RequestId ?? requestId, EmailHash = e?.Learner.EmailHash, ContactId = e?.Learner.ContactId,
                EventName = e?.Event.Name, EventId = e?.Event.EventId, Error = item.Error, CorrelationId = item.CorrelationId,
                Fields = [KeyValuePair.Create<string, object?>("messageId", item.MessageId)],
            };
            switch (item.Outcome)
            {
                case MessageOutcome.Done:
                    log.Write(LogLevel.Info, LogEvents.EventPersisted, "event persisted", context);
                    break;
                case MessageOutcome.Retry:
                    log.Write(LogLevel.Error, LogEvents.CrmSyncFailed, "CRM sync failed; the event will be retried", context);
                    break;
                default:
                    log.Write(LogLevel.Error, LogEvents.CrmSyncFailed, "CRM sync failed for good; the event goes to the dead-letter queue", context);
                    break;
            }
        }
    }

    private sealed class LearnerWork(LearnerIdentity who, List<BatchItem> items)
    {
        public LearnerIdentity Who { get; } = who;
        public List<BatchItem> Items { get; } = items;
        public HubSpotContact? Contact { get; set; }
        public ContactUpdate? Update { get; set; }
        public bool Created { get; set; }
        public bool Pending { get; private set; } = true;
        public string? ContactId => Contact?.Id ?? Who.ContactId;

        public void Finish(MessageOutcome outcome, string? error = null, string? correlationId = null)
        {
            Pending = false;
            foreach (var item in Items)
            {
                item.Outcome = outcome;
                item.Error = error;
                item.CorrelationId = correlationId;
            }
        }

        public void Reset() => Update = null;
    }
}
