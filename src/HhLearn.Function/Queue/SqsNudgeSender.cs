using Amazon.SQS;
using Amazon.SQS.Model;

namespace HhLearn.Function.Queue;

/// <summary>Nudges on the SQS FIFO projection queue: group = the learner's key, deduplication = key and version.</summary>
public sealed class SqsNudgeSender(IAmazonSQS sqs, Uri queueUrl) : INudgeSender
{
    public async Task SendAsync(IReadOnlyList<Nudge> nudges, string? round, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(nudges);
        foreach (var chunk in nudges.Chunk(10))
        {
            SendMessageBatchResponse response;
            try
            {
                response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
                {
                    QueueUrl = queueUrl.ToString(),
                    Entries = chunk.Select((n, i) => new SendMessageBatchRequestEntry
                    {
                        Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        MessageBody = NudgeMessages.Write(n),
                        MessageGroupId = NudgeMessages.GroupId(n),
                        MessageDeduplicationId = NudgeMessages.DeduplicationId(n, round),
                    }).ToList(),
                }, ct);
            }
            catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException or TaskCanceledException)
            {
                throw new NudgeFailedException($"the projection queue did not take {chunk.Length} nudge(s): {ex.GetType().Name}", ex);
            }

            if (response.Failed is { Count: > 0 } failed)
            {
                throw new NudgeFailedException($"the projection queue refused {failed.Count} nudge(s): {failed[0].Code}", new InvalidOperationException(failed[0].Message));
            }
        }
    }
}
