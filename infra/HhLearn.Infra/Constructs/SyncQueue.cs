using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Lambda.EventSources;
using Amazon.CDK.AWS.SQS;
using Constructs;

namespace HhLearn.Infra.Constructs;

public sealed record SyncQueueProps
{
    public required Settings Settings { get; init; }
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
        var settings = props.Settings;
        DeadLetterQueue = new Queue(this, "DeadLetterQueue", new QueueProps
        {
            QueueName = $"hhlearn-{settings.Stage}-sync-dlq.fifo",
            Fifo = true,
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RetentionPeriod = Duration.Days(14),
        });

        Queue = new Queue(this, "Queue", new QueueProps
        {
            QueueName = $"hhlearn-{settings.Stage}-sync.fifo",
            Fifo = true,
            ContentBasedDeduplication = false,

            // Deduplication per learner, and throughput per learner: groups are independent.
            DeduplicationScope = DeduplicationScope.MESSAGE_GROUP,
            FifoThroughputLimit = FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,

            // AWS's advice for Lambda consumers: at least six times the function timeout, so that a slow batch is
            // never handed to a second consumer while the first still writes it.
            VisibilityTimeout = Duration.Seconds(6 * settings.TimeoutSeconds),
            RetentionPeriod = Duration.Days(4),
            DeadLetterQueue = new DeadLetterQueue { Queue = DeadLetterQueue, MaxReceiveCount = settings.MaxReceiveCount },
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
        function.AddEventSource(new SqsEventSource(Queue, new SqsEventSourceProps
        {
            BatchSize = 10,
            ReportBatchItemFailures = true,
            MaxConcurrency = maxConcurrency,
        }));
    }
}
