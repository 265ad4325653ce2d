using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.SQS;

namespace HhLearn.Infra.Constructs;

public sealed record SyncQueueProps
{
    public required string Stage { get; init; }

    /// <summary>How long a received batch stays hidden from other consumers (the stack derives it from the function's timeout).</summary>
    public required Duration VisibilityTimeout { get; init; }

    /// <summary>Receives before a nudge moves to the dead-letter queue.</summary>
    public required int MaxReceiveCount { get; init; }
}

/// <summary>
/// The projection queue: SQS FIFO between the progress store and HubSpot, carrying nudges ("learner L changed"; one
/// projector at a time per learner: the message group), its FIFO dead-letter queue, and the event source mapping that
/// feeds the function batches of 10 with partial batch responses. (Its name is the one the queue had before the
/// store, so that an upgrade keeps the queue instead of replacing it.)
/// </summary>
public sealed class SyncQueue : Construct
{
    public SyncQueue(Construct scope, string id, SyncQueueProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        DeadLetterQueue = new Queue(this, "DeadLetterQueue", new QueueProps
        {
            QueueName = $"hhlearn-{props.Stage}-sync-dlq.fifo",
            Fifo = true,
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RetentionPeriod = Duration.Days(14),
        });
        NagAcknowledgements.Acknowledge(DeadLetterQueue,
            new NagAcknowledgement("Serverless-SQSRedrivePolicy", "This is the projection queue's dead-letter queue: its messages wait here for a redrive (DeadLetters alarm), not for another queue."),
            new NagAcknowledgement("AwsSolutions-SQS3", "This is the projection queue's dead-letter queue."));

        Queue = new Queue(this, "Queue", new QueueProps
        {
            QueueName = $"hhlearn-{props.Stage}-sync.fifo",
            Fifo = true,
            ContentBasedDeduplication = false,

            // Deduplication per learner, and throughput per learner: groups are independent.
            DeduplicationScope = DeduplicationScope.MESSAGE_GROUP,
            FifoThroughputLimit = FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,

            VisibilityTimeout = props.VisibilityTimeout,
            RetentionPeriod = Duration.Days(4),
            DeadLetterQueue = new DeadLetterQueue { Queue = DeadLetterQueue, MaxReceiveCount = props.MaxReceiveCount },
        });
    }

    public Queue Queue { get; }
    public Queue DeadLetterQueue { get; }

    /// <summary>
    /// Connects the function: it may send (intake) and consume (the mapping), at the given maximum concurrency (the
    /// value the HubSpot budget was split for, already clamped to what Lambda accepts).
    /// </summary>
    public void Connect(IFunction function, int maxConcurrency)
    {
        ArgumentNullException.ThrowIfNull(function);
        Queue.GrantSendMessages(function);
        Queue.GrantConsumeMessages(function);
        Mapping = new EventSourceMapping(this, "Mapping", new EventSourceMappingProps
        {
            Target = function,
            EventSourceArn = Queue.QueueArn,
            BatchSize = 10,
            ReportBatchItemFailures = true,
            MaxConcurrency = maxConcurrency,
        });
        NagAcknowledgements.Acknowledge(Mapping, new NagAcknowledgement("Serverless-LambdaEventSourceMappingDestination",
            "An SQS source's failed messages go to the queue's own dead-letter queue (redrive policy, maxReceiveCount); on-failure destinations are for stream sources."));
    }

    /// <summary>The event source mapping, once <see cref="Connect"/> made it.</summary>
    public EventSourceMapping? Mapping { get; private set; }
}
