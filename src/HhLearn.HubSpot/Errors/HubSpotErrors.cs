using System.Globalization;
using System.Text.RegularExpressions;

namespace HhLearn.HubSpot;

/// <summary>A problem with one property in a 400 answer, e.g. <c>PROPERTY_DOESNT_EXIST</c> or <c>INVALID_DATE</c>.</summary>
public sealed record HubSpotValidationProblem(string? Code, string Message, string? PropertyName);

/// <summary>Turns an error answer into the typed exception chosen by its status code.</summary>
public static partial class HubSpotErrors
{
    [GeneratedRegex(@"Existing ID:\s*(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ExistingIdPattern();

    public static HubSpotApiException Create(int statusCode, string body, HttpResponseHeaders? headers)
    {
        var dto = Parse(body);
        var message = dto?.Message ?? (body.Length > 300 ? body[..300] : body);
        if (string.IsNullOrWhiteSpace(message))
        {
            message = $"HubSpot answered {statusCode}";
        }

        var category = dto?.Category;
        var correlationId = dto?.CorrelationId;
        return statusCode switch
        {
            400 => new HubSpotValidationException(category, correlationId, message, Problems(dto)),
            401 => new HubSpotUnauthorizedException(category, correlationId, message),
            403 => new HubSpotForbiddenException(category, correlationId, message, RequiredScopes(dto)),
            404 => new HubSpotNotFoundException(category, correlationId, message),
            409 => new HubSpotConflictException(category, correlationId, message, ExistingId(dto)),
            429 => new HubSpotRateLimitedException(correlationId, message, dto?.PolicyName, RetryAfter(headers, dto?.PolicyName)),
            423 or 477 => new HubSpotLockedException(statusCode, category, correlationId, message),
            >= 500 => new HubSpotServerException(statusCode, category, correlationId, message),
            _ => new HubSpotApiException(statusCode, category, correlationId, message),
        };
    }

    internal static ErrorDto? Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, HubSpotJsonContext.Default.ErrorDto);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The existing contact's id from a 409: the classic message <c>Contact already exists. Existing ID: N</c>,
    /// or the newer <c>OBJECT_ALREADY_EXISTS</c> form with it in <c>identityProfile.vid</c> or <c>context</c>.
    /// </summary>
    internal static string? ExistingId(ErrorDto? dto)
    {
        if (dto is null)
        {
            return null;
        }

        if (dto.Message is { } message && ExistingIdPattern().Match(message) is { Success: true } match)
        {
            return match.Groups[1].Value;
        }

        if (dto.IdentityProfile is { ValueKind: JsonValueKind.Object } profile &&
            profile.TryGetProperty("vid", out var vid) && Digits(vid) is { } fromProfile)
        {
            return fromProfile;
        }

        if (dto.Context is { } context)
        {
            foreach (var key in new[] { "existingId", "existingObjectId", "id", "vid", "objectId", "ids" })
            {
                if (context.TryGetValue(key, out var value) && Digits(value) is { } fromContext)
                {
                    return fromContext;
                }
            }
        }

        return null;
    }

    internal static IReadOnlyDictionary<string, IReadOnlyList<string>> Context(Dictionary<string, JsonElement>? context)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in context ?? [])
        {
            result[key] = value.ValueKind switch
            {
                JsonValueKind.Array => value.EnumerateArray().Select(Scalar).OfType<string>().ToArray(),
                _ => Scalar(value) is { } single ? [single] : [],
            };
        }

        return result;
    }

    private static string? Digits(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.String when value.GetString() is { Length: > 0 } s && s.All(char.IsAsciiDigit) => s,
        JsonValueKind.Array => value.EnumerateArray().Select(Digits).FirstOrDefault(d => d is not null),
        _ => null,
    };

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    private static HubSpotValidationProblem[] Problems(ErrorDto? dto)
    {
        if (dto?.Errors is null)
        {
            return [];
        }

        return dto.Errors.Select(e =>
        {
            string? property = null;
            if (e.Context is { } context && context.TryGetValue("propertyName", out var name))
            {
                property = name.ValueKind == JsonValueKind.Array ? name.EnumerateArray().Select(Scalar).FirstOrDefault() : Scalar(name);
            }

            return new HubSpotValidationProblem(e.Code, e.Message ?? string.Empty, property);
        }).ToArray();
    }

    private static string[] RequiredScopes(ErrorDto? dto)
    {
        var detail = dto?.Errors?.FirstOrDefault();
        return detail?.Context is { } context && context.TryGetValue("requiredScopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array
            ? scopes.EnumerateArray().Select(Scalar).OfType<string>().ToArray()
            : [];
    }

    /// <summary>
    /// How long to wait after a 429: <c>Retry-After</c> when sent; otherwise a rolling window clears within
    /// its interval, a secondly one within a second, and a daily one not within minutes (null).
    /// </summary>
    internal static TimeSpan? RetryAfter(HttpResponseHeaders? headers, string? policyName)
    {
        if (headers?.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta;
            }

            if (retryAfter.Date is { } date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        if (string.Equals(policyName, "DAILY", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (string.Equals(policyName, "SECONDLY", StringComparison.OrdinalIgnoreCase))
        {
            return TimeSpan.FromSeconds(1);
        }

        if (headers is not null && headers.TryGetValues("X-HubSpot-RateLimit-Interval-Milliseconds", out var values) &&
            int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0)
        {
            // The rolling window frees a slot well before a full interval; a tenth of it is a fair first wait.
            return TimeSpan.FromMilliseconds(Math.Max(ms / 10, 250));
        }

        return TimeSpan.FromSeconds(1);
    }
}
