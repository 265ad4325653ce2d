using Microsoft.Extensions.Primitives;

namespace HhLearn.Cli.Local;

/// <summary>
/// API Gateway HTTP API emulation on 127.0.0.1: each HTTP request becomes a payload format 2.0 event, is
/// invoked through the local Runtime API, and the function's answer becomes the HTTP response. A function error
/// answers 500 and a timeout 503, with API Gateway's bodies. Locally, a bearer JWT's claims are passed as if a
/// JWT authorizer had verified them (no signature check: local use only). CORS is API Gateway's: with a policy, the
/// front end answers preflights itself and sets the policy's headers on every answer, ignoring the function's.
/// </summary>
public sealed class ApiGatewayFrontEnd : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<byte[], CancellationToken, Task<InvocationResult>> _invoke;
    private readonly Func<Task<JsonObject>> _stats;
    private readonly CorsPolicy _cors;

    private ApiGatewayFrontEnd(WebApplication app, Func<byte[], CancellationToken, Task<InvocationResult>> invoke, Func<Task<JsonObject>> stats, CorsPolicy cors)
    {
        _app = app;
        _invoke = invoke;
        _stats = stats;
        _cors = cors;
    }

    /// <summary>The local console and its helpers (<c>/_local/...</c>), mapped before the API's catch-all route.</summary>
    public WebApplication App => _app;

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<ApiGatewayFrontEnd> StartAsync(int port, Func<byte[], CancellationToken, Task<InvocationResult>> invoke, Func<Task<JsonObject>> stats,
        CorsPolicy cors, Action<WebApplication>? mapLocal = null)
    {
        // API Gateway HTTP APIs take payloads up to 10 MB.
        var app = HubSpotEmulator.LoopbackWebApp.Create(port, 10 * 1024 * 1024, adminPath: "/_local");
        var frontEnd = new ApiGatewayFrontEnd(app, invoke, stats, cors);
        app.MapGet("/_local/stats", async () => Results.Text((await frontEnd._stats()).ToJsonString(), "application/json"));
        mapLocal?.Invoke(app);
        app.Map("/{**path}", frontEnd.HandleAsync);
        await app.StartAsync();
        frontEnd.BaseUrl = HubSpotEmulator.LoopbackWebApp.Address(app);
        return frontEnd;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (!_cors.IsEmpty && HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers.ContainsKey("access-control-request-method"))
        {
            // A preflight: API Gateway answers it without invoking the function (and without the authorizer).
            context.Response.StatusCode = 204;
            foreach (var (name, value) in _cors.PreflightHeaders(origin))
            {
                context.Response.Headers[name] = value;
            }

            return;
        }

        if (!_cors.IsEmpty)
        {
            context.Response.OnStarting(() =>
            {
                foreach (var name in context.Response.Headers.Keys.Where(k => k.StartsWith("access-control-", StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    context.Response.Headers.Remove(name);
                }

                foreach (var (name, value) in _cors.ResponseHeaders(origin))
                {
                    context.Response.Headers[name] = value;
                }

                return Task.CompletedTask;
            });
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var payload = Encoding.UTF8.GetBytes(ToEvent(context.Request, buffer.ToArray()).ToJsonString());
        var result = await _invoke(payload, context.RequestAborted);
        if (!result.Succeeded)
        {
            var timedOut = result.ErrorType == "Sandbox.Timedout";
            context.Response.StatusCode = timedOut ? 503 : 500;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(timedOut ? """{"message":"Service Unavailable"}""" : """{"message":"Internal Server Error"}""", context.RequestAborted);
            return;
        }

        await WriteResponseAsync(context, result.Response!);
    }

    /// <summary>The payload format 2.0 event for one request, as API Gateway builds it.</summary>
    public static JsonObject ToEvent(HttpRequest request, byte[] body)
    {
        var now = DateTimeOffset.UtcNow;
        var requestId = Convert.ToBase64String(Guid.NewGuid().ToByteArray())[..16];
        var headers = new JsonObject();
        var cookies = new JsonArray();
        foreach (var (name, values) in request.Headers)
        {
            if (string.Equals(name, "cookie", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var cookie in values.SelectMany(v => (v ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                {
                    cookies.Add(cookie);
                }

                continue;
            }

            // API Gateway lower-cases header names and joins repeated headers with commas.
            headers[name.ToLowerInvariant()] = string.Join(',', values.ToArray());
        }

        // API Gateway tells the function the scheme it was called with (https there; http here).
        headers.TryAdd("x-forwarded-proto", request.Scheme);

        var query = new JsonObject();
        foreach (var (key, values) in request.Query)
        {
            query[key] = string.Join(',', values.ToArray());
        }

        var contentType = request.ContentType ?? string.Empty;
        var textual = body.Length == 0 || IsText(contentType) && IsUtf8(body);
        var path = request.Path.Value ?? "/";
        var evt = new JsonObject
        {
            ["version"] = "2.0",
            ["routeKey"] = "$default",
            ["rawPath"] = path,
            ["rawQueryString"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty,
            ["headers"] = headers,
            ["requestContext"] = new JsonObject
            {
                ["accountId"] = "000000000000",
                ["apiId"] = "local",
                ["domainName"] = request.Host.Value,
                ["domainPrefix"] = "local",
                ["http"] = new JsonObject
                {
                    ["method"] = request.Method,
                    ["path"] = path,
                    ["protocol"] = request.Protocol,
                    ["sourceIp"] = request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1",
                    ["userAgent"] = request.Headers.UserAgent.ToString(),
                },
                ["requestId"] = requestId,
                ["routeKey"] = "$default",
                ["stage"] = "$default",
                ["time"] = now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
                ["timeEpoch"] = now.ToUnixTimeMilliseconds(),
            },
            ["isBase64Encoded"] = !textual,
        };
        if (cookies.Count > 0)
        {
            evt["cookies"] = cookies;
        }

        if (query.Count > 0)
        {
            evt["queryStringParameters"] = query;
        }

        if (body.Length > 0)
        {
            evt["body"] = textual ? Encoding.UTF8.GetString(body) : Convert.ToBase64String(body);
        }

        if (BearerClaims(request.Headers.Authorization) is { } claims)
        {
            evt["requestContext"]!["authorizer"] = new JsonObject { ["jwt"] = new JsonObject { ["claims"] = claims, ["scopes"] = new JsonArray() } };
        }

        return evt;
    }

    private static async Task WriteResponseAsync(HttpContext context, byte[] raw)
    {
        JsonNode? response;
        try
        {
            response = JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            response = null;
        }

        // A response that is not the structured format is taken as the body, as API Gateway does.
        if (response is not JsonObject obj || obj["statusCode"] is null)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(raw, context.RequestAborted);
            return;
        }

        context.Response.StatusCode = obj["statusCode"]!.GetValue<int>();
        foreach (var (name, value) in obj["headers"] as JsonObject ?? [])
        {
            context.Response.Headers[name] = value?.ToString();
        }

        if (obj["cookies"] is JsonArray setCookies)
        {
            context.Response.Headers.SetCookie = new StringValues(setCookies.Select(c => c?.ToString()).ToArray());
        }

        if (obj["body"]?.ToString() is { } body && context.Response.StatusCode is not (204 or 304))
        {
            var bytes = obj["isBase64Encoded"]?.GetValue<bool>() == true ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body);
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    private static bool IsText(string contentType)
    {
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return media.Length == 0 || media.StartsWith("text/", StringComparison.Ordinal) || media.Contains("json", StringComparison.Ordinal) ||
               media.Contains("xml", StringComparison.Ordinal) || media == "application/x-www-form-urlencoded" || media == "application/javascript";
    }

    private static bool IsUtf8(byte[] body) => System.Text.Unicode.Utf8.IsValid(body);

    /// <summary>The claims of an unverified bearer JWT (local stand-in for API Gateway's JWT authorizer).</summary>
    private static JsonObject? BearerClaims(StringValues authorization)
    {
        var value = authorization.ToString();
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = value[7..].Trim().Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1].Replace('-', '+').Replace('_', '/'))));
            if (JsonNode.Parse(json) is not JsonObject payload)
            {
                return null;
            }

            // API Gateway passes every claim as a string; arrays become "[a b]".
            return new JsonObject(payload.Select(kv => KeyValuePair.Create<string, JsonNode?>(kv.Key, kv.Value switch
            {
                JsonArray array => "[" + string.Join(' ', array.Select(a => a?.ToString())) + "]",
                null => null,
                var other => other.ToString(),
            })));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private static string Pad(string base64) => (base64.Length % 4) switch { 2 => base64 + "==", 3 => base64 + "=", _ => base64 };
}
