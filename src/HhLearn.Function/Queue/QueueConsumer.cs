namespace HhLearn.Function.Queue;

/// <summary>
/// The SQS side of the function: a FIFO batch of nudges (up to 10) in, the projection, a partial batch response out,
/// so that only the failed messages come back (and, after <c>maxReceiveCount</c> receives, reach the DLQ).
/// </summary>
public sealed class QueueConsumer(Projector? projector, ISyncLog log, CrmSync.Webhooks.WebhookHandler? webhooks = null)
{
    public async Task<SQSBatchResponse> HandleAsync(SQSEvent sqsEvent, string requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sqsEvent);

        // HubSpot's changes first, in their FIFO order: a merge or an erasure applies before the nudges of the same batch.
        var failedWebhooks = new List<string>();
        var records = new List<SQSEvent.SQSMessage>();
        foreach (var record in sqsEvent.Records ?? [])
        {
            if (CrmSync.Webhooks.WebhookMessages.TryRead(record.Body, out var webhook))
            {
                if (!await HandleWebhookAsync(webhook, requestId, ct))
                {
                    failedWebhooks.Add(record.MessageId ?? string.Empty);
                }
            }
            else
            {
                records.Add(record);
            }
        }

        var response = await HandleNudgesAsync(records, requestId, ct);
        response.BatchItemFailures.AddRange(failedWebhooks.Select(id => new SQSBatchResponse.BatchItemFailure { ItemIdentifier = id }));
        return response;
    }

    private async Task<bool> HandleWebhookAsync(CrmSync.Webhooks.WebhookEvent webhook, string requestId, CancellationToken ct)
    {
        if (webhooks is null)
        {
            return false;
        }

        try
        {
            await webhooks.HandleAsync(webhook, requestId, ct);
            return true;
        }
        catch (Exception ex) when (ex is HhLearn.Store.StoreUnavailableException or HhLearn.Store.StoreContendedException or NudgeFailedException)
        {
            log.Write(LogLevel.Warn, LogEvents.ProjectionFailed, "a HubSpot change could not be applied now; it comes back",
                new LogContext { RequestId = requestId, ContactId = webhook.ObjectId, Error = ex.GetType().Name, Fields = [KeyValuePair.Create<string, object?>("retry", true)] });
            return false;
        }
    }

    private async Task<SQSBatchResponse> HandleNudgesAsync(List<SQSEvent.SQSMessage> records, string requestId, CancellationToken ct)
    {
        if (records.Count == 0)
        {
            return Failures([]);
        }

        var messages = records.Select(r => new ProjectionMessage(
            r.MessageId ?? string.Empty,
            r.Attributes?.GetValueOrDefault("MessageGroupId"),
            NudgeMessages.TryRead(r.Body, out var nudge) ? nudge : null,
            SentAt(r))).ToList();

        if (projector is null)
        {
            // CRM sync is switched off: keep the nudges (they return, and end in the DLQ for a redrive later).
            log.Write(LogLevel.Warn, LogEvents.ProjectionFailed, "nudges arrived while ENABLE_CRM_PROGRESS is false; they are kept for a redrive",
                new LogContext { RequestId = requestId, Error = "CRM_SYNC_DISABLED", Fields = [KeyValuePair.Create<string, object?>("messages", messages.Count)] });
            return Failures(messages.Select(m => m.MessageId));
        }

        await projector.ProcessAsync(messages, requestId, ct);
        return Failures(messages.Where(m => m.Outcome != MessageOutcome.Done).Select(m => m.MessageId));
    }

    /// <summary>When SQS took the message (its <c>SentTimestamp</c> attribute, epoch milliseconds).</summary>
    private static DateTimeOffset? SentAt(SQSEvent.SQSMessage record) =>
        long.TryParse(record.Attributes?.GetValueOrDefault("SentTimestamp"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    private static SQSBatchResponse Failures(IEnumerable<string> messageIds) => new()
    {
        BatchItemFailures = messageIds.Select(id => new SQSBatchResponse.BatchItemFailure { ItemIdentifier = id }).ToList(),
    };
}
