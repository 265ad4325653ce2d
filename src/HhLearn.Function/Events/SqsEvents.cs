namespace HhLearn.Function.Events;

// SQS events for Lambda, named and shaped like Amazon.Lambda.SQSEvents.

public sealed class SQSEvent
{
    [JsonPropertyName("Records")] public List<SQSMessage>? Records { get; set; }

    public sealed class SQSMessage
    {
        [JsonPropertyName("messageId")] public string? MessageId { get; set; }
        [JsonPropertyName("receiptHandle")] public string? ReceiptHandle { get; set; }
        [JsonPropertyName("body")] public string? Body { get; set; }
        [JsonPropertyName("md5OfBody")] public string? Md5OfBody { get; set; }
        [JsonPropertyName("md5OfMessageAttributes")] public string? Md5OfMessageAttributes { get; set; }
        [JsonPropertyName("eventSource")] public string? EventSource { get; set; }
        [JsonPropertyName("eventSourceARN")] public string? EventSourceArn { get; set; }
        [JsonPropertyName("awsRegion")] public string? AwsRegion { get; set; }
        [JsonPropertyName("attributes")] public Dictionary<string, string>? Attributes { get; set; }
        [JsonPropertyName("messageAttributes")] public Dictionary<string, MessageAttribute>? MessageAttributes { get; set; }
    }

    public sealed class MessageAttribute
    {
        [JsonPropertyName("stringValue")] public string? StringValue { get; set; }
        [JsonPropertyName("binaryValue")] public string? BinaryValue { get; set; }
        [JsonPropertyName("dataType")] public string? DataType { get; set; }
    }
}

/// <summary>The partial batch response: only the listed messages return to the queue.</summary>
public sealed class SQSBatchResponse
{
    [JsonPropertyName("batchItemFailures")] public List<BatchItemFailure> BatchItemFailures { get; set; } = [];

    public sealed class BatchItemFailure
    {
        [JsonPropertyName("itemIdentifier")] public string? ItemIdentifier { get; set; }
    }
}
