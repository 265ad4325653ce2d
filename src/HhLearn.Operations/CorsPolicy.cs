namespace HhLearn.Operations;

/// <summary>
/// Which browser pages may call the API, and the CORS headers that say so. The same rules serve API Gateway's CORS
/// configuration (the CDK stack), its local emulation (<c>hhlearn local</c>) and the function's own answers.
/// An allowed origin is reflected with <c>Access-Control-Allow-Credentials: true</c>, because browsers send beacons
/// (and the site's fetches) with credentials and refuse a credentialed answer that says <c>*</c>. Entries are exact
/// origins (<c>https://learn.example.com</c>), origins with any port (<c>http://127.0.0.1:*</c>, for local pages), or
/// <c>*</c> (any origin, without credentials: beacons with a JSON body will then be blocked by the browser).
/// </summary>
public sealed class CorsPolicy
{
    public const string AllowMethods = "GET, POST, OPTIONS";
    public const string AllowHeaders = "authorization, content-type";
    public const string ExposeHeaders = "retry-after";
    public const int MaxAgeSeconds = 600;

    /// <summary>What <c>hhlearn local</c> allows when told nothing: pages served from this machine.</summary>
    public static readonly IReadOnlyList<string> LocalDefault = ["http://127.0.0.1:*", "http://localhost:*"];

    private readonly string[] _origins;

    public CorsPolicy(IEnumerable<string> origins)
    {
        ArgumentNullException.ThrowIfNull(origins);
        _origins = origins.Select(o => o.Trim().TrimEnd('/')).Where(o => o.Length > 0).ToArray();
    }

    public IReadOnlyList<string> Origins => _origins;

    public bool IsEmpty => _origins.Length == 0;

    /// <summary>Any origin, answered with <c>*</c> and no credentials.</summary>
    public bool AnyOrigin => _origins.Contains("*");

    /// <summary>Why an entry cannot be an allowed origin, or null when it can.</summary>
    public static string? Problem(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var value = entry.Trim().TrimEnd('/');
        if (value == "*")
        {
            return null;
        }

        var candidate = value.EndsWith(":*", StringComparison.Ordinal) ? value[..^2] : value;
        return Uri.TryCreate(candidate, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" &&
               string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.UserInfo) && !(value.EndsWith(":*", StringComparison.Ordinal) && !uri.IsDefaultPort)
            ? null
            : $"'{entry}' must be *, an origin such as https://learn.example.com, or an origin with any port such as http://127.0.0.1:*";
    }

    public bool Allows(string? origin) => origin is { Length: > 0 } && _origins.Any(allowed => Match(allowed, origin));

    /// <summary>The headers for an answer to <paramref name="origin"/>; empty when it is not allowed (the browser then blocks the page).</summary>
    public IReadOnlyDictionary<string, string> ResponseHeaders(string? origin)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!Allows(origin))
        {
            return headers;
        }

        if (_origins.Any(o => o != "*" && Match(o, origin!)))
        {
            headers["access-control-allow-origin"] = origin!.TrimEnd('/');
            headers["access-control-allow-credentials"] = "true";
        }
        else
        {
            headers["access-control-allow-origin"] = "*";
        }

        headers["access-control-expose-headers"] = ExposeHeaders;
        headers["vary"] = "Origin";
        return headers;
    }

    /// <summary>The headers of a preflight answer (204) for <paramref name="origin"/>; empty when it is not allowed.</summary>
    public IReadOnlyDictionary<string, string> PreflightHeaders(string? origin)
    {
        var headers = new Dictionary<string, string>(ResponseHeaders(origin), StringComparer.OrdinalIgnoreCase);
        if (headers.Count > 0)
        {
            headers["access-control-allow-methods"] = AllowMethods;
            headers["access-control-allow-headers"] = AllowHeaders;
            headers["access-control-max-age"] = MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return headers;
    }

    /// <summary>An exact origin (case-insensitive), <c>*</c>, or <c>scheme://host:*</c> for that host on any port.</summary>
    private static bool Match(string allowed, string origin)
    {
        var value = origin.TrimEnd('/');
        if (allowed == "*" || string.Equals(allowed, value, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!allowed.EndsWith(":*", StringComparison.Ordinal))
        {
            return false;
        }

        var prefix = allowed[..^1];
        return value.Length > prefix.Length && value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && value[prefix.Length..].All(char.IsAsciiDigit);
    }
}
