namespace HhLearn.Function.Runtime;

/// <summary>What a handler gets besides the payload.</summary>
public sealed record LambdaContext(string RequestId, DateTimeOffset Deadline, string? FunctionArn, string? TraceId)
{
    public TimeSpan Remaining(TimeProvider time) => Deadline - time.GetUtcNow();
}

/// <summary>
/// The runtime loop: next, handle, respond. The only place that catches every exception: a handler failure is
/// reported to <c>/error</c> for that invocation, and the loop goes on to the next one. A response or error report
/// that the Runtime API refuses (a 413 for a response over 6 MB, a 400 or 403 after the deadline) or that cannot be
/// delivered is logged, and the loop goes on too: one bad invocation never takes the execution environment down.
/// </summary>
public sealed class LambdaBootstrap(LambdaRuntimeClient runtime, Func<ReadOnlyMemory<byte>, LambdaContext, Task<ReadOnlyMemory<byte>>> handler, ISyncLog log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            LambdaInvocation invocation;
            try
            {
                invocation = await runtime.NextAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }

            await InvokeAsync(invocation, ct);
        }
    }

    /// <summary>Runs one invocation to its answer; never throws except on cancellation of the loop itself.</summary>
    public async Task InvokeAsync(LambdaInvocation invocation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(invocation);

        // The X-Ray trace header travels in this variable for SDKs that propagate it.
        Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);
        var context = new LambdaContext(invocation.RequestId, invocation.Deadline, invocation.FunctionArn, invocation.TraceId);
        ReadOnlyMemory<byte> result;
        try
        {
            result = await handler(invocation.Payload, context);
        }
#pragma warning disable CA1031 // The runtime loop is the one place that must survive any handler failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            log.Write(LogLevel.Error, LogEvents.InvocationFailed, "unhandled error in the handler", new LogContext { RequestId = invocation.RequestId, Error = $"{ex.GetType().Name}: {ex.Message}" });
            await DeliverAsync("error", invocation.RequestId, () => runtime.ReportErrorAsync(invocation.RequestId, ex.GetType().Name, ex.Message, ct), ct);
            return;
        }

        var answer = await DeliverAsync("response", invocation.RequestId, () => runtime.RespondAsync(invocation.RequestId, result, ct), ct);
        if (answer?.StatusCode == 413)
        {
            // The caller would otherwise wait for an answer that never comes: tell Lambda the invocation failed.
            await DeliverAsync("error", invocation.RequestId, () => runtime.ReportErrorAsync(invocation.RequestId, "Function.ResponseSizeTooLarge",
                $"the response of {result.Length} bytes is over the Runtime API's limit", ct), ct);
        }
    }

    /// <summary>Posts to the Runtime API; a refusal or a failed delivery is logged, never thrown.</summary>
    private async Task<RuntimeApiAnswer?> DeliverAsync(string what, string requestId, Func<Task<RuntimeApiAnswer>> post, CancellationToken ct)
    {
        try
        {
            var answer = await post();
            if (!answer.Accepted)
            {
                log.Write(LogLevel.Error, LogEvents.RuntimeApiRefused, $"the Runtime API refused the {what} with {answer.StatusCode}; taking the next invocation",
                    new LogContext { RequestId = requestId, Error = $"{answer.StatusCode} {answer.Body}" });
            }

            return answer;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            log.Write(LogLevel.Error, LogEvents.RuntimeApiRefused, $"the {what} could not be delivered to the Runtime API; taking the next invocation",
                new LogContext { RequestId = requestId, Error = $"{ex.GetType().Name}: {ex.Message}" });
            return null;
        }
    }
}
