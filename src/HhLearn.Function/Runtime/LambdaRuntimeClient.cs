using System.Globalization;
using System.Net.Http.Headers;

namespace HhLearn.Function.Runtime;

/// <summary>One invocation handed out by <c>/runtime/invocation/next</c>.</summary>
public sealed record LambdaInvocation(
    string RequestId,
    DateTimeOffset Deadline,
    string? FunctionArn,
    string? TraceId,
    ReadOnlyMemory<byte> Payload);

/// <summary>What the Runtime API answered to a response or an error report.</summary>
public sealed record RuntimeApiAnswer(int StatusCode, string? Body)
{
    public bool Accepted => StatusCode is >= 200 and < 300;

    public static async Task<RuntimeApiAnswer> FromAsync(HttpResponseMessage response, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(response);
        var ok = response.IsSuccessStatusCode;
        var body = ok ? null : await response.Content.ReadAsStringAsync(ct);
        return new RuntimeApiAnswer((int)response.StatusCode, body is { Length: > 300 } ? body[..300] : body);
    }
}

/// <summary>
/// A client of the Lambda Runtime API (version 2018-06-01) at <c>AWS_LAMBDA_RUNTIME_API</c>:
/// next, response, error and init error.
/// </summary>
public sealed class LambdaRuntimeClient(HttpClient http)
{
    private const string Version = "2018-06-01";

    /// <summary>
    /// Long-polls for the next invocation. The GET has no timeout on purpose: Lambda holds it open while the
    /// execution environment is frozen between invocations, for minutes or hours, and a client-side timeout
    /// would turn an idle function into a crash loop.
    /// </summary>
    public async Task<LambdaInvocation> NextAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync($"{Version}/runtime/invocation/next", HttpCompletionOption.ResponseContentRead, ct);
        response.EnsureSuccessStatusCode();
        var payload = await response.Content.ReadAsByteArrayAsync(ct);
        var headers = response.Headers;
        var requestId = Header(headers, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new InvalidOperationException("the Runtime API sent an invocation without Lambda-Runtime-Aws-Request-Id");
        var deadline = long.TryParse(Header(headers, "Lambda-Runtime-Deadline-Ms"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.UtcNow.AddSeconds(30);
        return new LambdaInvocation(requestId, deadline, Header(headers, "Lambda-Runtime-Invoked-Function-Arn"), Header(headers, "Lambda-Runtime-Trace-Id"), payload);
    }

    /// <summary>
    /// Posts the invocation's response. The Runtime API may refuse it (413 for a response over 6 MB, 400 or 403 for
    /// an invocation that is already over): that is returned, not thrown, so the loop can go on.
    /// </summary>
    public async Task<RuntimeApiAnswer> RespondAsync(string requestId, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync($"{Version}/runtime/invocation/{Uri.EscapeDataString(requestId)}/response", content, ct);
        return await RuntimeApiAnswer.FromAsync(response, ct);
    }

    public Task<RuntimeApiAnswer> ReportErrorAsync(string requestId, string errorType, string message, CancellationToken ct) =>
        PostErrorAsync($"{Version}/runtime/invocation/{Uri.EscapeDataString(requestId)}/error", errorType, message, ct);

    /// <summary>Reports a failed start (bad configuration): Lambda shows the message and does not invoke this environment.</summary>
    public Task<RuntimeApiAnswer> ReportInitErrorAsync(string errorType, string message, CancellationToken ct) =>
        PostErrorAsync($"{Version}/runtime/init/error", errorType, message, ct);

    private async Task<RuntimeApiAnswer> PostErrorAsync(string path, string errorType, string message, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Http.RuntimeErrorBody { ErrorMessage = message, ErrorType = errorType }, FunctionJsonContext.Default.RuntimeErrorBody);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", errorType);
        using var response = await http.SendAsync(request, ct);
        return await RuntimeApiAnswer.FromAsync(response, ct);
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
