using Amazon.SQS;
using Amazon.SQS.Model;

namespace HhLearn.Function.Queue;

/// <summary>
/// Messages on the SQS FIFO projection queue: nudges (group = the learner's key, deduplication = key and version) and
/// HubSpot's webhook events (group = the contact, deduplication = the event id).
/// </summary>
public sealed class SqsNudgeSender(IAmazonSQS sqs, Uri queueUrl) : INudgeSender, CrmSync.Webhooks.IWebhookSender
{
    public Task SendAsync(IReadOnlyList<Nudge> nudges, string? round, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(nudges);
        return SendAsync(nudges.Select(n => (NudgeMessages.Write(n), NudgeMessages.GroupId(n), NudgeMessages.DeduplicationId(n, round))).ToList(), "nudge", ct);
    }

    public Task SendAsync(IReadOnlyList<CrmSync.Webhooks.WebhookEvent> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        return SendAsync(events.Select(e => (CrmSync.Webhooks.WebhookMessages.Write(e), CrmSync.Webhooks.WebhookMessages.GroupId(e), CrmSync.Webhooks.WebhookMessages.DeduplicationId(e))).ToList(), "webhook event", ct);
    }

    private async Task SendAsync(IReadOnlyList<(string Body, string Group, string Deduplication)> messages, string what, CancellationToken ct)
    {
        foreach (var chunk in messages.Chunk(10))
        {
            SendMessageBatchResponse response;
            try
            {
                response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
                {
                    QueueUrl = queueUrl.ToString(),
                    Entries = chunk.Select((m, i) => new SendMessageBatchRequestEntry
                    {
                        Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        MessageBody = m.Body,
                        MessageGroupId = m.Group,
                        MessageDeduplicationId = m.Deduplication,
                    }).ToList(),
                }, ct);
            }
            catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException or TaskCanceledException)
            {
                throw new NudgeFailedException($"the projection queue did not take {chunk.Length} {what}(s): {ex.GetType().Name}", ex);
            }

            if (response.Failed is { Count: > 0 } failed)
            {
                throw new NudgeFailedException($"the projection queue refused {failed.Count} {what}(s): {failed[0].Code}", new InvalidOperationException(failed[0].Message));
            }
        }
    }
}
