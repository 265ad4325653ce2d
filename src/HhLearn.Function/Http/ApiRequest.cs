using System.Text;

namespace HhLearn.Function.Http;

/// <summary>Reads what the routes need from an API Gateway HTTP API (payload 2.0) request: path, headers, query, body.</summary>
internal static class ApiRequest
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static string Method(Req request) => (request.RequestContext?.Http?.Method ?? "GET").ToUpperInvariant();

    /// <summary>
    /// The route's path: the one API Gateway matched (<c>routeKey</c> <c>POST /events/track</c>), which behind a custom
    /// domain's API mapping with a key is not <c>rawPath</c> (<c>/learn/events/track</c>); for the <c>$default</c> route or
    /// a route with a path parameter, <c>rawPath</c>. Either without a named stage prefix (<c>/prod/events/track</c> on a
    /// stage called prod).
    /// </summary>
    public static string Path(Req request)
    {
        var path = RoutePath(request.RouteKey ?? request.RequestContext?.RouteKey) ?? request.RawPath ?? request.RequestContext?.Http?.Path ?? "/";
        var stage = request.RequestContext?.Stage;
        if (stage is not null && stage != "$default" && path.StartsWith($"/{stage}/", StringComparison.Ordinal))
        {
            path = path[(stage.Length + 1)..];
        }

        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    /// <summary>The path of a route key such as <c>POST /events/track</c>; null for <c>$default</c> and for greedy or parameter routes.</summary>
    private static string? RoutePath(string? routeKey)
    {
        if (routeKey is null || routeKey.IndexOf(' ', StringComparison.Ordinal) is not (> 0 and var space))
        {
            return null;
        }

        var path = routeKey[(space + 1)..];
        return path.StartsWith('/') && !path.Contains('{', StringComparison.Ordinal) ? path : null;
    }

    public static string? Header(Req request, string name)
    {
        if (request.Headers is null)
        {
            return null;
        }

        foreach (var (key, value) in request.Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Query parameters; a repeated key keeps its first value (API Gateway joins them with commas).</summary>
    public static Dictionary<string, string> Query(Req request)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.RawQueryString is { Length: > 0 } raw)
        {
            foreach (var pair in raw.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Decode(eq < 0 ? pair : pair[..eq]);
                var value = Decode(eq < 0 ? string.Empty : pair[(eq + 1)..]);
                if (key is not null && value is not null)
                {
                    result.TryAdd(key, value);
                }
            }
        }
        else if (request.QueryStringParameters is { } parameters)
        {
            foreach (var (key, value) in parameters)
            {
                result.TryAdd(key, value.Split(',')[0]);
            }
        }

        return result;
    }

    /// <summary>The body's bytes; null when it is not valid base64 or not encodable as UTF-8.</summary>
    public static byte[]? Body(Req request)
    {
        if (request.Body is null)
        {
            return [];
        }

        if (request.IsBase64Encoded)
        {
            try
            {
                return Convert.FromBase64String(request.Body);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        try
        {
            return StrictUtf8.GetBytes(request.Body);
        }
        catch (EncoderFallbackException)
        {
            return null;
        }
    }

    public static bool IsJsonOrText(string contentType)
    {
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return media is "application/json" or "text/plain" || (media.StartsWith("application/", StringComparison.Ordinal) && media.EndsWith("+json", StringComparison.Ordinal));
    }

    public static string Truncate(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 97), "...");

    private static string? Decode(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return null;
        }
    }
}
