namespace HhLearn.Cli.Local;

/// <summary>
/// A local SQS endpoint speaking the part of the SQS JSON protocol (X-Amz-Target: AmazonSQS.*) that AWSSDK.SQS
/// uses: SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility,
/// GetQueueUrl and GetQueueAttributes, over FIFO queues with a dead-letter queue.
/// </summary>
public sealed class LocalSqs : IAsyncDisposable
{
    public const string AccountId = "000000000000";

    private readonly WebApplication _app;
    private readonly Dictionary<string, FifoQueue> _queues = new(StringComparer.Ordinal);

    private LocalSqs(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>When set, every call is answered 503 ServiceUnavailable, as SQS answers when it cannot serve.</summary>
    public bool Unavailable { get; set; }

    public static async Task<LocalSqs> StartAsync(int port = 0)
    {
        var app = HubSpotEmulator.LoopbackWebApp.Create(port);
        var sqs = new LocalSqs(app);
        app.MapPost("/", sqs.HandleAsync);
        await app.StartAsync();
        sqs.Endpoint = HubSpotEmulator.LoopbackWebApp.Address(app);
        return sqs;
    }

    /// <summary>Creates a FIFO queue and its FIFO dead-letter queue (<c>name-dlq.fifo</c>).</summary>
    public FifoQueue CreateQueue(string name, QueueSettings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var clock = time ?? TimeProvider.System;
        var dlqName = name.Replace(".fifo", "-dlq.fifo", StringComparison.Ordinal);
        var dlq = new FifoQueue(dlqName, settings, null, clock);
        var queue = new FifoQueue(name, settings, dlq, clock);
        _queues[dlqName] = dlq;
        _queues[name] = queue;
        return queue;
    }

    public Uri QueueUrl(string name) => new(Endpoint, $"{AccountId}/{name}");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Unavailable)
        {
            await Write(context, 503, Error("ServiceUnavailable", "the local queue is switched off (/_local/faults)"));
            return;
        }

        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var action = target.StartsWith("AmazonSQS.", StringComparison.Ordinal) ? target[10..] : string.Empty;
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }

        if (body is null)
        {
            await Write(context, 400, Error("InvalidParameterValue", "the request body is not a JSON object"));
            return;
        }

        if (action == "GetQueueUrl")
        {
            var name = body["QueueName"]?.ToString() ?? string.Empty;
            await (_queues.ContainsKey(name)
                ? Write(context, 200, new JsonObject { ["QueueUrl"] = QueueUrl(name).ToString() })
                : Write(context, 400, Error("QueueDoesNotExist", $"queue {name} does not exist")));
            return;
        }

        var queueName = body["QueueUrl"]?.ToString() is { } url ? url.TrimEnd('/').Split('/')[^1] : string.Empty;
        if (!_queues.TryGetValue(queueName, out var queue))
        {
            await Write(context, 400, Error("QueueDoesNotExist", $"the specified queue does not exist: {queueName}"));
            return;
        }

        var (status, answer) = action switch
        {
            "SendMessage" => Send(queue, body),
            "SendMessageBatch" => SendBatch(queue, body),
            "ReceiveMessage" => await ReceiveAsync(queue, body, context.RequestAborted),
            "DeleteMessage" => queue.Delete(body["ReceiptHandle"]?.ToString() ?? string.Empty)
                ? (200, new JsonObject())
                : (400, Error("ReceiptHandleIsInvalid", "the receipt handle is not valid (or the message became visible again)")),
            "DeleteMessageBatch" => DeleteBatch(queue, body),
            "ChangeMessageVisibility" => queue.ChangeVisibility(body["ReceiptHandle"]?.ToString() ?? string.Empty, TimeSpan.FromSeconds(body["VisibilityTimeout"]?.GetValue<int>() ?? 0))
                ? (200, new JsonObject())
                : (400, Error("ReceiptHandleIsInvalid", "the receipt handle is not valid")),
            "GetQueueAttributes" => (200, Attributes(queue)),
            _ => (400, Error("InvalidAction", $"action {action} is not supported by the local queue")),
        };
        await Write(context, status, answer);
    }

    private static (int, JsonObject) Send(FifoQueue queue, JsonObject body)
    {
        var (ok, error) = CheckFifo(body);
        if (!ok)
        {
            return (400, error!);
        }

        var messageBody = body["MessageBody"]!.ToString();
        var (id, sequence) = queue.Send(messageBody, body["MessageGroupId"]!.ToString(), body["MessageDeduplicationId"]!.ToString());
        return (200, new JsonObject { ["MessageId"] = id, ["MD5OfMessageBody"] = FifoQueue.Md5(messageBody), ["SequenceNumber"] = sequence });
    }

    private static (int, JsonObject) SendBatch(FifoQueue queue, JsonObject body)
    {
        var entries = body["Entries"] as JsonArray ?? [];
        if (entries.Count is 0 or > 10)
        {
            return (400, Error("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "a batch holds 1 to 10 entries"));
        }

        var successful = new JsonArray();
        var failed = new JsonArray();
        foreach (var entry in entries.OfType<JsonObject>())
        {
            var (ok, error) = CheckFifo(entry);
            if (!ok)
            {
                failed.Add(new JsonObject { ["Id"] = entry["Id"]?.ToString(), ["SenderFault"] = true, ["Code"] = error!["__type"]!.ToString(), ["Message"] = error["message"]!.ToString() });
                continue;
            }

            var messageBody = entry["MessageBody"]!.ToString();
            var (id, sequence) = queue.Send(messageBody, entry["MessageGroupId"]!.ToString(), entry["MessageDeduplicationId"]!.ToString());
            successful.Add(new JsonObject { ["Id"] = entry["Id"]?.ToString(), ["MessageId"] = id, ["MD5OfMessageBody"] = FifoQueue.Md5(messageBody), ["SequenceNumber"] = sequence });
        }

        return (200, new JsonObject { ["Successful"] = successful, ["Failed"] = failed });
    }

    private static async Task<(int, JsonObject)> ReceiveAsync(FifoQueue queue, JsonObject body, CancellationToken ct)
    {
        var max = Math.Clamp(body["MaxNumberOfMessages"]?.GetValue<int>() ?? 1, 1, 10);
        TimeSpan? visibility = body["VisibilityTimeout"] is { } v ? TimeSpan.FromSeconds(v.GetValue<int>()) : null;
        var wait = TimeSpan.FromSeconds(Math.Clamp(body["WaitTimeSeconds"]?.GetValue<int>() ?? 0, 0, 20));
        var messages = await queue.ReceiveAsync(max, visibility, wait, ct);
        return (200, new JsonObject
        {
            ["Messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject
            {
                ["MessageId"] = m.MessageId,
                ["ReceiptHandle"] = m.ReceiptHandle,
                ["MD5OfBody"] = m.Md5OfBody,
                ["Body"] = m.Body,
                ["Attributes"] = SystemAttributes(m),
            }).ToArray()),
        });
    }

    private static (int, JsonObject) DeleteBatch(FifoQueue queue, JsonObject body)
    {
        var successful = new JsonArray();
        var failed = new JsonArray();
        foreach (var entry in (body["Entries"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (queue.Delete(entry["ReceiptHandle"]?.ToString() ?? string.Empty))
            {
                successful.Add(new JsonObject { ["Id"] = entry["Id"]?.ToString() });
            }
            else
            {
                failed.Add(new JsonObject { ["Id"] = entry["Id"]?.ToString(), ["SenderFault"] = true, ["Code"] = "ReceiptHandleIsInvalid", ["Message"] = "the receipt handle is not valid" });
            }
        }

        return (200, new JsonObject { ["Successful"] = successful, ["Failed"] = failed });
    }

    public static JsonObject SystemAttributes(ReceivedMessage m) => new()
    {
        ["ApproximateReceiveCount"] = m.ReceiveCount.ToString(CultureInfo.InvariantCulture),
        ["SentTimestamp"] = m.SentAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        ["ApproximateFirstReceiveTimestamp"] = m.FirstReceivedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        ["SequenceNumber"] = m.SequenceNumber,
        ["MessageGroupId"] = m.GroupId,
        ["MessageDeduplicationId"] = m.DeduplicationId,
        ["SenderId"] = "AIDALOCAL",
    };

    private static JsonObject Attributes(FifoQueue queue)
    {
        var (visible, inFlight) = queue.Counts;
        return new JsonObject
        {
            ["Attributes"] = new JsonObject
            {
                ["ApproximateNumberOfMessages"] = visible.ToString(CultureInfo.InvariantCulture),
                ["ApproximateNumberOfMessagesNotVisible"] = inFlight.ToString(CultureInfo.InvariantCulture),
                ["FifoQueue"] = "true",
                ["VisibilityTimeout"] = ((int)queue.Settings.VisibilityTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    private static (bool Ok, JsonObject? Error) CheckFifo(JsonObject message)
    {
        if (string.IsNullOrEmpty(message["MessageBody"]?.ToString()))
        {
            return (false, Error("MissingParameter", "The request must contain the parameter MessageBody."));
        }

        if (System.Text.Encoding.UTF8.GetByteCount(message["MessageBody"]!.ToString()) > 256 * 1024)
        {
            return (false, Error("InvalidParameterValue", "MessageBody is over 256 KB."));
        }

        if (string.IsNullOrEmpty(message["MessageGroupId"]?.ToString()))
        {
            return (false, Error("MissingParameter", "The request must contain the parameter MessageGroupId."));
        }

        return string.IsNullOrEmpty(message["MessageDeduplicationId"]?.ToString())
            ? (false, Error("InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"))
            : (true, null);
    }

    private static JsonObject Error(string type, string message) => new() { ["__type"] = $"com.amazonaws.sqs#{type}", ["message"] = message };

    private static Task Write(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.0";
        if (status >= 400)
        {
            context.Response.Headers["x-amzn-query-error"] = $"{body["__type"]!.ToString().Split('#')[^1]};Sender";
        }

        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}

/// <summary>
/// The Lambda event source mapping, locally: pollers (maximum concurrency) receive batches of up to 10 from the
/// FIFO queue, invoke the function with an SQS event, and delete what succeeded. Failed messages (the partial
/// batch response, or the whole batch when the invocation failed) become visible again after the visibility
/// timeout and are received again, until the queue dead-letters them.
/// </summary>
public sealed class LocalEventSourceMapping : IAsyncDisposable
{
    private readonly FifoQueue _queue;
    private readonly Func<byte[], CancellationToken, Task<InvocationResult>> _invoke;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pollers = [];
    private long _invocations;
    private long _batchFailures;

    public LocalEventSourceMapping(FifoQueue queue, string queueArn, Func<byte[], CancellationToken, Task<InvocationResult>> invoke, int maximumConcurrency, int batchSize = 10)
    {
        _queue = queue;
        _invoke = invoke;
        QueueArn = queueArn;
        for (var i = 0; i < maximumConcurrency; i++)
        {
            _pollers.Add(PollAsync(Math.Clamp(batchSize, 1, 10), _stop.Token));
        }
    }

    public string QueueArn { get; }

    public long Invocations => Interlocked.Read(ref _invocations);

    public long FailedMessages => Interlocked.Read(ref _batchFailures);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_pollers);
        _stop.Dispose();
    }

    private async Task PollAsync(int batchSize, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var messages = await _queue.ReceiveAsync(batchSize, null, TimeSpan.FromSeconds(20), ct);
            if (messages.Count == 0)
            {
                continue;
            }

            var sqsEvent = new JsonObject
            {
                ["Records"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject
                {
                    ["messageId"] = m.MessageId,
                    ["receiptHandle"] = m.ReceiptHandle,
                    ["body"] = m.Body,
                    ["attributes"] = LocalSqs.SystemAttributes(m),
                    ["messageAttributes"] = new JsonObject(),
                    ["md5OfBody"] = m.Md5OfBody,
                    ["eventSource"] = "aws:sqs",
                    ["eventSourceARN"] = QueueArn,
                    ["awsRegion"] = "us-east-1",
                }).ToArray()),
            };

            InvocationResult result;
            try
            {
                result = await _invoke(System.Text.Encoding.UTF8.GetBytes(sqsEvent.ToJsonString()), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref _invocations);
            var failed = FailedIds(result, messages);
            Interlocked.Add(ref _batchFailures, failed.Count);
            foreach (var message in messages.Where(m => !failed.Contains(m.MessageId)))
            {
                _queue.Delete(message.ReceiptHandle);
            }
        }
    }

    /// <summary>The messages to leave on the queue: the partial batch response's, or all when the invocation failed.</summary>
    private static HashSet<string> FailedIds(InvocationResult result, IReadOnlyList<ReceivedMessage> messages)
    {
        var all = messages.Select(m => m.MessageId).ToHashSet(StringComparer.Ordinal);
        if (!result.Succeeded)
        {
            return all;
        }

        try
        {
            var response = JsonNode.Parse(result.Response!);
            var failures = response?["batchItemFailures"] as JsonArray;
            if (failures is null)
            {
                return [];
            }

            var ids = failures.Select(f => f?["itemIdentifier"]?.ToString()).OfType<string>().ToHashSet(StringComparer.Ordinal);

            // An identifier that is not in the batch makes Lambda treat the whole batch as failed.
            return ids.All(all.Contains) ? ids : all;
        }
        catch (System.Text.Json.JsonException)
        {
            return all;
        }
    }
}
