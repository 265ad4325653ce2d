using Amazon.SQS;
using Amazon.SQS.Model;
using HhLearn.CrmSync;
using HhLearn.Function.Http;
using HhLearn.Progress.Events;

namespace HhLearn.Function.Queue;

/// <summary>The queue could not take the event: the client must retry (503), nothing was lost silently.</summary>
public sealed class QueueUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Queue mode: the track route puts the event on the SQS FIFO queue and answers 202. Message group = the
/// learner (one writer at a time per learner), deduplication id = <c>eventId</c> or a hash of the event.
/// </summary>
public sealed class QueueIntake(IAmazonSQS sqs, Uri queueUrl) : IEventIntake
{
    public async Task<IntakeOutcome> SubmitAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset receivedAt, string requestId, CancellationToken ct)
    {
        var deduplicationId = QueueMessages.DeduplicationId(e, receivedAt);
        try
        {
            await sqs.SendMessageAsync(new SendMessageRequest
            {
                QueueUrl = queueUrl.ToString(),
                MessageBody = QueueMessages.Write(e, receivedAt, requestId),
                MessageGroupId = QueueMessages.GroupId(who),
                MessageDeduplicationId = deduplicationId,
            }, ct);
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException or TaskCanceledException)
        {
            throw new QueueUnavailableException($"the sync queue did not take the event ({ex.GetType().Name})", ex);
        }

        return new IntakeQueued(e.EventId ?? deduplicationId);
    }
}
