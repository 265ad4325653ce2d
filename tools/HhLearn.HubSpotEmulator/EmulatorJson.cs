using Microsoft.AspNetCore.Http;

namespace HhLearn.HubSpotEmulator;

internal static class EmulatorJson
{
    public static string Instant(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string CorrelationId() => Guid.NewGuid().ToString();

    /// <summary>HubSpot's error body: <c>status, message, correlationId, category</c> and optional extras.</summary>
    public static JsonObject Error(string message, string category, Action<JsonObject>? extra = null)
    {
        var body = new JsonObject
        {
            ["status"] = "error",
            ["message"] = message,
            ["correlationId"] = CorrelationId(),
            ["category"] = category,
        };
        extra?.Invoke(body);
        return body;
    }

    public static async Task WriteAsync(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        if (body is null)
        {
            return;
        }

        context.Response.ContentType = "application/json;charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}

/// <summary>A result that writes a JsonNode with a status code.</summary>
internal sealed class JsonResult(int status, JsonNode? body) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => EmulatorJson.WriteAsync(httpContext, status, body);
}
