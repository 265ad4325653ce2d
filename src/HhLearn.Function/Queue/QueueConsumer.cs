namespace HhLearn.Function.Queue;

/// <summary>
/// The SQS side of the function: a FIFO batch of nudges (up to 10) in, the projection, a partial batch response out,
/// so that only the failed messages come back (and, after <c>maxReceiveCount</c> receives, reach the DLQ).
/// </summary>
public sealed class QueueConsumer(Projector? projector, ISyncLog log)
{
    public async Task<SQSBatchResponse> HandleAsync(SQSEvent sqsEvent, string requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sqsEvent);
        var messages = (sqsEvent.Records ?? []).Select(r => new ProjectionMessage(
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
