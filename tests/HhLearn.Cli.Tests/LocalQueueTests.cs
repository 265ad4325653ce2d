using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using HhLearn.Cli.Local;

namespace HhLearn.Cli.Tests;

/// <summary>The local FIFO queue behaves as SQS FIFO does.</summary>
public class FifoQueueTests
{
    private static FifoQueue Queue(int maxReceive = 3, double visibilitySeconds = 0.3)
    {
        var settings = new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(visibilitySeconds), MaxReceiveCount = maxReceive };
        return new FifoQueue("q.fifo", settings, new FifoQueue("q-dlq.fifo", settings, null, TimeProvider.System), TimeProvider.System);
    }

    [Fact]
    public async Task Receive_KeepsOrderWithinAGroup_AndLocksAGroupWhileItHasAMessageInFlight()
    {
        using var q = Queue();
        q.Send("a1", "A", "1");
        q.Send("b1", "B", "2");
        q.Send("a2", "A", "3");
        var first = await q.ReceiveAsync(1, null, TimeSpan.Zero, default);
        Assert.Equal(["a1"], first.Select(m => m.Body));
        var second = await q.ReceiveAsync(10, null, TimeSpan.Zero, default);
        Assert.Equal(["b1"], second.Select(m => m.Body));
        q.Delete(first[0].ReceiptHandle);
        Assert.Equal(["a2"], (await q.ReceiveAsync(10, null, TimeSpan.Zero, default)).Select(m => m.Body));
    }

    [Fact]
    public async Task Receive_TakesConsecutiveMessagesOfOneGroupInOrder()
    {
        using var q = Queue();
        for (var i = 0; i < 12; i++)
        {
            q.Send($"m{i}", "G", $"d{i}");
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{i}"), (await q.ReceiveAsync(10, null, TimeSpan.Zero, default)).Select(m => m.Body));
    }

    [Fact]
    public void Send_SameDeduplicationIdInAGroupWithinTheWindow_IsStoredOnce()
    {
        using var q = Queue();
        var first = q.Send("x", "G", "same");
        var again = q.Send("x", "G", "same");
        q.Send("y", "H", "same");
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(2, q.Count);
    }

    [Fact]
    public async Task UndeletedMessage_ComesBackAfterTheVisibilityTimeout_ThenMovesToTheDlq()
    {
        using var q = Queue(maxReceive: 2, visibilitySeconds: 0.1);
        q.Send("poison", "G", "1");
        Assert.Single(await q.ReceiveAsync(10, null, TimeSpan.Zero, default));
        Assert.Empty(await q.ReceiveAsync(10, null, TimeSpan.Zero, default));
        await Task.Delay(150);
        Assert.Equal(2, (await q.ReceiveAsync(10, null, TimeSpan.Zero, default)).Single().ReceiveCount);
        await Task.Delay(150);
        Assert.Empty(await q.ReceiveAsync(10, null, TimeSpan.Zero, default));
        Assert.Equal(0, q.Count);
        Assert.Equal("poison", q.DeadLetter!.Peek().Single().Body);
    }

    [Fact]
    public async Task LongPoll_ReturnsAsSoonAsAMessageArrives()
    {
        using var q = Queue();
        var waiting = q.ReceiveAsync(10, null, TimeSpan.FromSeconds(10), default);
        await Task.Delay(100);
        q.Send("late", "G", "1");
        var received = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("late", received.Single().Body);
    }
}

/// <summary>The local SQS endpoint speaks the JSON protocol that AWSSDK.SQS uses, unchanged.</summary>
public class LocalSqsProtocolTests
{
    private static AmazonSQSClient Client(LocalSqs sqs) =>
        new(new BasicAWSCredentials("local", "local"), new AmazonSQSConfig { ServiceURL = sqs.Endpoint.ToString(), MaxErrorRetry = 0 });

    [Fact]
    public async Task AwsSdk_SendReceiveDeleteAndVisibility_Work()
    {
        await using var sqs = await LocalSqs.StartAsync();
        using var queue = sqs.CreateQueue("t.fifo", new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(30) });
        using var client = Client(sqs);
        var url = sqs.QueueUrl("t.fifo").ToString();

        var sent = await client.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = "{\"n\":1}", MessageGroupId = "g", MessageDeduplicationId = "d1" });
        Assert.False(string.IsNullOrEmpty(sent.MessageId));
        var batch = await client.SendMessageBatchAsync(new SendMessageBatchRequest
        {
            QueueUrl = url,
            Entries = [new() { Id = "a", MessageBody = "two", MessageGroupId = "g", MessageDeduplicationId = "d2" }, new() { Id = "b", MessageBody = "three", MessageGroupId = "h", MessageDeduplicationId = "d3" }],
        });
        Assert.Equal(2, batch.Successful.Count);

        var received = await client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, MessageSystemAttributeNames = ["All"] });
        Assert.Equal(["{\"n\":1}", "two", "three"], received.Messages.Select(m => m.Body));
        Assert.Equal("1", received.Messages[0].Attributes["ApproximateReceiveCount"]);

        await client.DeleteMessageAsync(url, received.Messages[0].ReceiptHandle);
        var deleted = await client.DeleteMessageBatchAsync(new DeleteMessageBatchRequest { QueueUrl = url, Entries = [new() { Id = "x", ReceiptHandle = received.Messages[1].ReceiptHandle }] });
        Assert.Single(deleted.Successful);
        await client.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest { QueueUrl = url, ReceiptHandle = received.Messages[2].ReceiptHandle, VisibilityTimeout = 0 });
        var again = await client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10 });
        Assert.Equal("three", again.Messages.Single().Body);
    }

    [Fact]
    public async Task AwsSdk_FifoWithoutGroupId_IsRejected_AndAnUnknownQueueIsTyped()
    {
        await using var sqs = await LocalSqs.StartAsync();
        using var queue = sqs.CreateQueue("t.fifo", new QueueSettings());
        using var client = Client(sqs);
        await Assert.ThrowsAnyAsync<AmazonSQSException>(() => client.SendMessageAsync(new SendMessageRequest { QueueUrl = sqs.QueueUrl("t.fifo").ToString(), MessageBody = "x", MessageDeduplicationId = "d" }));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => client.SendMessageAsync(new SendMessageRequest { QueueUrl = sqs.QueueUrl("nope.fifo").ToString(), MessageBody = "x", MessageGroupId = "g", MessageDeduplicationId = "d" }));
    }
}
