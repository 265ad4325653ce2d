using System.Collections.Concurrent;
using System.Threading.Channels;

namespace HhLearn.Cli.Local;

/// <summary>The outcome of one invocation: the function's answer, its error, or a timeout.</summary>
public sealed record InvocationResult(byte[]? Response, string? ErrorType, string? ErrorMessage)
{
    public bool Succeeded => Response is not null;

    /// <summary>When the answer arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamp), before any hop back to the caller.</summary>
    public long CompletedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();
}

/// <summary>
/// A local Lambda Runtime API (2018-06-01): hands queued invocations to whichever <c>bootstrap</c> process asks
/// for the next one, and completes them with its response or error, as Lambda does.
/// </summary>
public sealed class LocalRuntimeApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly ConcurrentDictionary<string, Pending> _inFlight = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeout;

    private LocalRuntimeApi(WebApplication app, TimeSpan timeout)
    {
        _app = app;
        _timeout = timeout;
    }

    /// <summary><c>host:port</c>, the value of <c>AWS_LAMBDA_RUNTIME_API</c> for the function processes.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>The latest init error a process reported (bad configuration), if any.</summary>
    public string? InitError { get; private set; }

    public int Queued => _queue.Reader.Count;

    public int InFlight => _inFlight.Count;

    public event Action<string>? InitErrorReported;

    public static async Task<LocalRuntimeApi> StartAsync(TimeSpan invocationTimeout, int port = 0)
    {
        var app = HubSpotEmulator.LoopbackWebApp.Create(port, 20 * 1024 * 1024, k =>
        {
            // Lambda holds /next open while no invocation is waiting; so must we.
            k.Limits.KeepAliveTimeout = TimeSpan.FromHours(1);
            k.Limits.RequestHeadersTimeout = TimeSpan.FromMinutes(5);
        });
        var api = new LocalRuntimeApi(app, invocationTimeout);
        api.Map(app);
        await app.StartAsync();
        api.Address = HubSpotEmulator.LoopbackWebApp.Address(app).Authority;
        return api;
    }

    /// <summary>Queues an invocation and waits for its answer, at most the function timeout.</summary>
    public async Task<InvocationResult> InvokeAsync(byte[] payload, CancellationToken ct = default)
    {
        var pending = new Pending(Guid.NewGuid().ToString(), payload, DateTimeOffset.UtcNow + _timeout);
        await _queue.Writer.WriteAsync(pending, ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        try
        {
            return await pending.Completion.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _inFlight.TryRemove(pending.Id, out _);
            return new InvocationResult(null, "Sandbox.Timedout", $"Task timed out after {_timeout.TotalSeconds:0} seconds");
        }
    }

    /// <summary>Fails invocations that no process can take (after an init error, the function cannot start).</summary>
    public void FailQueued(string errorType, string message)
    {
        while (_queue.Reader.TryRead(out var pending))
        {
            pending.Completion.TrySetResult(new InvocationResult(null, errorType, message));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        FailQueued("Runtime.Shutdown", "the local runtime is stopping");
        foreach (var pending in _inFlight.Values)
        {
            pending.Completion.TrySetResult(new InvocationResult(null, "Runtime.Shutdown", "the local runtime is stopping"));
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/2018-06-01/runtime/invocation/next", async (HttpContext context) =>
        {
            Pending pending;
            try
            {
                pending = await _queue.Reader.ReadAsync(context.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                context.Response.StatusCode = 503;
                return;
            }

            _inFlight[pending.Id] = pending;

            // The process holds this connection for the invocation's answer. If it closes first, the process died
            // (or was already dead when this invocation was handed out): fail it as Lambda does (Runtime.ExitError)
            // rather than leave the caller waiting for the timeout.
            var closed = context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeFeature>()?.ConnectionClosed ?? context.RequestAborted;
            closed.Register(() =>
            {
                if (_inFlight.TryRemove(pending.Id, out var lost))
                {
                    lost.Completion.TrySetResult(new InvocationResult(null, "Runtime.ExitError", "the function process exited before answering"));
                }
            });
            var headers = context.Response.Headers;
            headers["Lambda-Runtime-Aws-Request-Id"] = pending.Id;
            headers["Lambda-Runtime-Deadline-Ms"] = pending.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:local:000000000000:function:hhlearn-local";
            headers["Lambda-Runtime-Trace-Id"] = $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{pending.Id.Replace("-", string.Empty, StringComparison.Ordinal)[..24]};Sampled=0";
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(pending.Payload, context.RequestAborted);
        });

        app.MapPost("/2018-06-01/runtime/invocation/{id}/response", async (string id, HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (_inFlight.TryRemove(id, out var pending))
            {
                pending.Completion.TrySetResult(new InvocationResult(buffer.ToArray(), null, null));
            }

            context.Response.StatusCode = 202;
        });

        app.MapPost("/2018-06-01/runtime/invocation/{id}/error", async (string id, HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (_inFlight.TryRemove(id, out var pending))
            {
                pending.Completion.TrySetResult(new InvocationResult(null, body?["errorType"]?.ToString() ?? "Unhandled", body?["errorMessage"]?.ToString()));
            }

            context.Response.StatusCode = 202;
        });

        app.MapPost("/2018-06-01/runtime/init/error", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            InitError = body?["errorMessage"]?.ToString() ?? "init error";
            InitErrorReported?.Invoke(InitError);
            context.Response.StatusCode = 202;
        });
    }

    private sealed record Pending(string Id, byte[] Payload, DateTimeOffset Deadline)
    {
        public TaskCompletionSource<InvocationResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
