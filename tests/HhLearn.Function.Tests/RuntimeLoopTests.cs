using System.Collections.Concurrent;
using System.Net;

namespace HhLearn.Function.Tests;

/// <summary>A hand-written fake of the Lambda Runtime API (2018-06-01), served through an HttpMessageHandler.</summary>
internal sealed class FakeRuntimeApi : HttpMessageHandler
{
    private readonly ConcurrentQueue<(string Id, string Payload, string? Trace)> _pending = new();
    private readonly SemaphoreSlim _available = new(0);

    public ConcurrentQueue<(string Id, string Body)> Responses { get; } = new();
    public ConcurrentQueue<(string Id, string ErrorType, JsonNode Body)> Errors { get; } = new();
    public ConcurrentQueue<(string ErrorType, JsonNode Body)> InitErrors { get; } = new();

    /// <summary>The status the fake answers to a /response or /error post (202 by default), by request id and path end.</summary>
    public Func<string, string, HttpStatusCode> Answer { get; set; } = (_, _) => HttpStatusCode.Accepted;

    /// <summary>When set, posts for this request id fail on the wire instead of being answered.</summary>
    public string? Unreachable { get; set; }

    public void Enqueue(string id, string payload, string? trace = null)
    {
        _pending.Enqueue((id, payload, trace));
        _available.Release();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Get && path == "/2018-06-01/runtime/invocation/next")
        {
            await _available.WaitAsync(cancellationToken);
            _pending.TryDequeue(out var next);
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(next.Payload, Encoding.UTF8, "application/json") };
            response.Headers.Add("Lambda-Runtime-Aws-Request-Id", next.Id);
            response.Headers.Add("Lambda-Runtime-Deadline-Ms", DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.Add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:hhlearn");
            if (next.Trace is not null)
            {
                response.Headers.Add("Lambda-Runtime-Trace-Id", next.Trace);
            }

            return response;
        }

        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (request.Method == HttpMethod.Post && path == "/2018-06-01/runtime/init/error")
        {
            InitErrors.Enqueue((request.Headers.GetValues("Lambda-Runtime-Function-Error-Type").Single(), JsonNode.Parse(body)!));
        }
        else if (request.Method == HttpMethod.Post && segments is ["2018-06-01", "runtime", "invocation", var id, var kind and ("response" or "error")])
        {
            id = Uri.UnescapeDataString(id);
            if (id == Unreachable)
            {
                throw new HttpRequestException("connection reset by peer");
            }

            var status = Answer(id, kind);
            if (kind == "response")
            {
                Responses.Enqueue((id, body));
            }
            else
            {
                Errors.Enqueue((id, request.Headers.GetValues("Lambda-Runtime-Function-Error-Type").Single(), JsonNode.Parse(body)!));
            }

            return new HttpResponseMessage(status) { Content = new StringContent(status == HttpStatusCode.Accepted ? "" : """{"errorMessage":"refused","errorType":"Refused"}""") };
        }
        else
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        return new HttpResponseMessage(HttpStatusCode.Accepted);
    }

    protected override void Dispose(bool disposing)
    {
        _available.Dispose();
        base.Dispose(disposing);
    }
}

public class RuntimeLoopTests
{
    private static (FakeRuntimeApi Fake, LambdaRuntimeClient Client, HttpClient Http) Runtime()
    {
        var fake = new FakeRuntimeApi();
        var http = new HttpClient(fake) { BaseAddress = new Uri("http://127.0.0.1:9001/") };
        return (fake, new LambdaRuntimeClient(http), http);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task Success_PostsTheHandlersAnswerForThatRequestId()
    {
        var (fake, client, http) = Runtime();
        using var _ = http;
        LambdaContext? seen = null;
        var loop = new LambdaBootstrap(client, (payload, context) =>
        {
            seen = context;
            return Task.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes("{\"echo\":" + Encoding.UTF8.GetString(payload.Span) + "}"));
        }, new Log().Writer);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        fake.Enqueue("req-1", """{"n":1}""", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
        await WaitFor(() => !fake.Responses.IsEmpty);

        Assert.Equal(("req-1", """{"echo":{"n":1}}"""), fake.Responses.Single());
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:hhlearn", seen!.FunctionArn);
        Assert.True(seen.Deadline > DateTimeOffset.UtcNow);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"));
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task HandlerError_IsReportedToError_AndTheLoopServesTheNextInvocation()
    {
        var (fake, client, http) = Runtime();
        using var _ = http;
        var log = new Log();
        var loop = new LambdaBootstrap(client, (payload, context) =>
            Encoding.UTF8.GetString(payload.Span) == "\"boom\""
                ? throw new InvalidOperationException("handler exploded")
                : Task.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes("\"ok\"")),
            log.Writer);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        fake.Enqueue("bad", "\"boom\"");
        fake.Enqueue("good", "\"fine\"");
        await WaitFor(() => !fake.Responses.IsEmpty && !fake.Errors.IsEmpty);

        var error = fake.Errors.Single();
        Assert.Equal(("bad", "InvalidOperationException"), (error.Id, error.ErrorType));
        Assert.Equal("handler exploded", (string?)error.Body["errorMessage"]);
        Assert.Equal("InvalidOperationException", (string?)error.Body["errorType"]);
        Assert.Equal("good", fake.Responses.Single().Id);
        Assert.Equal(["bad"], log.Lines(LogEvents.InvocationFailed).Select(l => (string?)l["requestId"]));
        await stop.CancelAsync();
        await running;
    }

    private static LambdaBootstrap Echo(LambdaRuntimeClient client, Log log, int size = 10) =>
        new(client, (payload, _) => Task.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes("\"" + new string('x', size) + "\"")), log.Writer);

    [Fact]
    public async Task ResponseRefusedAsTooLarge_IsLogged_ReportedAsAnError_AndTheLoopGoesOn()
    {
        var (fake, client, http) = Runtime();
        using var _ = http;
        fake.Answer = (id, kind) => id == "huge" && kind == "response" ? HttpStatusCode.RequestEntityTooLarge : HttpStatusCode.Accepted;
        var log = new Log();
        using var stop = new CancellationTokenSource();
        var running = Echo(client, log).RunAsync(stop.Token);

        fake.Enqueue("huge", "1");
        fake.Enqueue("next", "2");
        await WaitFor(() => fake.Responses.Any(r => r.Id == "next"));

        Assert.Equal(("huge", "Function.ResponseSizeTooLarge"), (fake.Errors.Single().Id, fake.Errors.Single().ErrorType));
        var refused = Assert.Single(log.Lines(LogEvents.RuntimeApiRefused));
        Assert.Equal("huge", (string?)refused["requestId"]);
        Assert.StartsWith("413", (string?)refused["error"], StringComparison.Ordinal);
        Assert.False(running.IsCompleted);
        await stop.CancelAsync();
        await running;
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task ResponseRefusedAfterTheDeadline_IsLogged_AndTheNextInvocationIsServed(HttpStatusCode status)
    {
        var (fake, client, http) = Runtime();
        using var _ = http;
        fake.Answer = (id, _) => id == "late" ? status : HttpStatusCode.Accepted;
        var log = new Log();
        using var stop = new CancellationTokenSource();
        var running = Echo(client, log).RunAsync(stop.Token);

        fake.Enqueue("late", "1");
        fake.Enqueue("next", "2");
        await WaitFor(() => fake.Responses.Any(r => r.Id == "next"));

        Assert.StartsWith(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)Assert.Single(log.Lines(LogEvents.RuntimeApiRefused))["error"], StringComparison.Ordinal);
        Assert.Empty(fake.Errors);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task ErrorReportRefused_OrUndeliverable_IsLogged_AndTheLoopGoesOn()
    {
        var (fake, client, http) = Runtime();
        using var _ = http;
        fake.Answer = (id, kind) => kind == "error" ? HttpStatusCode.BadRequest : HttpStatusCode.Accepted;
        fake.Unreachable = "lost";
        var log = new Log();
        var loop = new LambdaBootstrap(client, (payload, _) => Encoding.UTF8.GetString(payload.Span) == "\"ok\""
            ? Task.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes("\"fine\""))
            : throw new InvalidOperationException("boom"), log.Writer);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        fake.Enqueue("refused", "\"boom\"");
        fake.Enqueue("lost", "\"boom\"");
        fake.Enqueue("next", "\"ok\"");
        await WaitFor(() => fake.Responses.Any(r => r.Id == "next"));

        Assert.Equal(["refused", "lost"], log.Lines(LogEvents.RuntimeApiRefused).Select(l => (string?)l["requestId"]));
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task InitError_IsPostedWithTypeAndMessage()
    {
        var (fake, client, http) = Runtime();
        using var _ = http;
        await client.ReportInitErrorAsync("Runtime.InvalidConfiguration", "Invalid configuration: PROGRESS_BACKEND must be properties or events (got 'x')", default);
        var init = fake.InitErrors.Single();
        Assert.Equal("Runtime.InvalidConfiguration", init.ErrorType);
        Assert.StartsWith("Invalid configuration", (string?)init.Body["errorMessage"], StringComparison.Ordinal);
    }
}

/// <summary>A JSON line log kept in memory, read back line by line.</summary>
internal sealed class Log : StringWriter
{
    public Log() => Writer = new JsonLineLog(this, TimeProvider.System);

    public JsonLineLog Writer { get; }

    public IReadOnlyList<JsonNode> Lines(string eventName) =>
        ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).Where(l => (string?)l["event"] == eventName).ToList();
}
