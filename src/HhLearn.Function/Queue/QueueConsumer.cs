using HhLearn.Operations;
using HhLearn.CrmSync;
using HhLearn.Function.Events;

namespace HhLearn.Function.Queue;

/// <summary>
/// The SQS side of the function: a FIFO batch (up to 10 messages) in, a partial batch response out, so that
/// only the failed messages come back. Transient HubSpot failures come back and are retried; messages that can
/// never succeed come back too, until <c>maxReceiveCount</c> moves them to the dead-letter queue.
/// </summary>
public sealed class QueueConsumer(BatchSync? sync, ISyncLog log)
{
    public async Task<SQSBatchResponse> HandleAsync(SQSEvent sqsEvent, string requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sqsEvent);
        var records = sqsEvent.Records ?? [];
        var items = records.Select(r =>
        {
            var ok = QueueMessages.TryRead(r.Body ?? string.Empty, out var queued, out var problem);
            return new BatchItem(r.MessageId ?? string.Empty, ok ? queued : null, problem);
        }).ToList();

        if (sync is null)
        {
            // CRM sync is switched off: keep the events (they return, and end in the DLQ for a redrive later).
            log.Write(LogLevel.Warn, LogEvents.CrmSyncFailed, "queued events arrived while ENABLE_CRM_PROGRESS is false; they are kept for a redrive",
                new LogContext { RequestId = requestId, Error = "CRM_SYNC_DISABLED", Fields = [KeyValuePair.Create<string, object?>("messages", items.Count)] });
            return Failures(items.Select(i => i.MessageId));
        }

        await sync.ProcessAsync(items, requestId, ct);
        return Failures(items.Where(i => i.Outcome != MessageOutcome.Done).Select(i => i.MessageId));
    }

    private static SQSBatchResponse Failures(IEnumerable<string> messageIds) => new()
    {
        BatchItemFailures = messageIds.Select(id => new SQSBatchResponse.BatchItemFailure { ItemIdentifier = id }).ToList(),
    };
}
