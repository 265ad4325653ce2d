using HhLearn.Operations;
using System.Text;
using System.Text.Json.Nodes;
using HhLearn.CrmSync;
using HhLearn.Function.Runtime;
using P = HhLearn.Progress.Contact.ContactPropertyNames;

namespace HhLearn.Function.Tests;

/// <summary>The queue side of the handler: SQS batches in, partial batch responses out; an unreachable queue is a 503.</summary>
public class QueueModeTests
{
    private static string Message(string email, string module) => QueueMessages.Write(
        SyncFixtureEvent($$$"""{"eventName":"learning_module_completed","contactIdentifier":{"email":"{{{email}}}"},"payload":{"course_slug":"course-a","module_slug":"{{{module}}}","ts":"2026-11-27T10:00:00Z"}}"""),
        DateTimeOffset.UtcNow, "req");

    private static Progress.Events.TrackEvent SyncFixtureEvent(string json) => Progress.Events.TrackEventParser.Parse(json).Event!;

    private static string SqsEvent(params (string Id, string Body)[] records) => new JsonObject
    {
        ["Records"] = new JsonArray(records.Select(r => (JsonNode)new JsonObject
        {
            ["messageId"] = r.Id,
            ["receiptHandle"] = "rh-" + r.Id,
            ["body"] = r.Body,
            ["attributes"] = new JsonObject { ["ApproximateReceiveCount"] = "1", ["MessageGroupId"] = "g", ["MessageDeduplicationId"] = r.Id },
            ["messageAttributes"] = new JsonObject(),
            ["md5OfBody"] = "x",
            ["eventSource"] = "aws:sqs",
            ["eventSourceARN"] = "arn:aws:sqs:eu-west-1:123456789012:hhlearn-sync.fifo",
            ["awsRegion"] = "eu-west-1",
        }).ToArray()),
    }.ToJsonString();

    [Fact]
    public async Task SqsBatch_IsApplied_AndOnlyTheUnreadableMessageComesBack()
    {
        await using var f = await FunctionFixture.StartAsync();
        var response = await f.App.HandleAsync(
            Encoding.UTF8.GetBytes(SqsEvent(("m1", Message("q@example.com", "a1")), ("m2", "not a message"), ("m3", Message("q@example.com", "a2")))),
            new LambdaContext("sqs-1", DateTimeOffset.UtcNow.AddSeconds(30), null, null));
        var failures = JsonNode.Parse(response.Span)!["batchItemFailures"]!.AsArray();
        Assert.Equal(["m2"], failures.Select(x => (string)x!["itemIdentifier"]!));
        Assert.Equal("course-a", f.Contact("q@example.com")![P.CompletedCourses]);
    }

    [Fact]
    public async Task SqsBatch_WhileSyncIsOff_KeepsEveryMessage()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["ENABLE_CRM_PROGRESS"] = "false" });
        var response = await f.App.HandleAsync(Encoding.UTF8.GetBytes(SqsEvent(("m1", Message("q@example.com", "a1")))), new LambdaContext("sqs-2", DateTimeOffset.UtcNow.AddSeconds(30), null, null));
        Assert.Equal("m1", (string?)JsonNode.Parse(response.Span)!["batchItemFailures"]![0]!["itemIdentifier"]);
        Assert.Empty(f.Emulator.Store.AllContacts());
    }

    [Fact]
    public async Task Track_InQueueMode_WithTheQueueUnreachable_Is503QueueUnavailable_AndNothingIsWritten()
    {
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test");
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        try
        {
            await using var f = await FunctionFixture.StartAsync(new() { ["SYNC_QUEUE_URL"] = "http://127.0.0.1:9/000000000000/hhlearn-sync.fifo" });
            var answer = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"email":"q@example.com"}}""");
            Assert.Equal((503, "QUEUE_UNAVAILABLE"), (answer.Status, answer.Code));
            Assert.Equal("2", answer.Headers["retry-after"]);
            Assert.Contains(f.LogLines, l => (string?)l["event"] == LogEvents.QueueSendFailed);
            Assert.Equal(0, f.Emulator.Stats.Total);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SQS", null);
        }
    }
}
