namespace HhLearn.Function.Runtime;

/// <summary>What a handler gets besides the payload.</summary>
public sealed record LambdaContext(string RequestId, DateTimeOffset Deadline, string? FunctionArn, string? TraceId)
{
    public TimeSpan Remaining(TimeProvider time) => Deadline - time.GetUtcNow();
}

/// <summary>
/// The runtime loop: next, handle, respond. The only place that catches every exception: a handler failure is
/// reported to <c>/error</c> for that invocation, and the loop goes on to the next one.
/// </summary>
public sealed class LambdaBootstrap(LambdaRuntimeClient runtime, Func<ReadOnlyMemory<byte>, LambdaContext, Task<ReadOnlyMemory<byte>>> handler, Action<string, Exception>? onError = null)
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
            onError?.Invoke(invocation.RequestId, ex);
            await runtime.ReportErrorAsync(invocation.RequestId, ex, ct);
            return;
        }

        await runtime.RespondAsync(invocation.RequestId, result, ct);
    }
}
