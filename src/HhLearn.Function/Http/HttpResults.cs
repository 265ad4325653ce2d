using System.Text.Json.Serialization.Metadata;

namespace HhLearn.Function.Http;

/// <summary>Builds API Gateway responses; every typed error becomes an HTTP answer here and nowhere else.</summary>
internal static class HttpResults
{
    public const string NotFound = "NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string IdentityMismatch = "IDENTITY_MISMATCH";
    public const string IdentityMissing = "IDENTITY_MISSING";
    public const string IdentityUnverified = "IDENTITY_UNVERIFIED";
    public const string OriginNotAllowed = "ORIGIN_NOT_ALLOWED";
    public const string CrmUnavailable = "CRM_UNAVAILABLE";


    public static APIGatewayHttpApiV2ProxyResponse Json<T>(int status, T body, JsonTypeInfo<T> type) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["content-type"] = "application/json; charset=utf-8",
            ["cache-control"] = "no-store",
            ["x-content-type-options"] = "nosniff",
        },
        Body = JsonSerializer.Serialize(body, type),
    };

    public static APIGatewayHttpApiV2ProxyResponse Error(int status, string message, string code, params string[] details) =>
        Json(status, new ErrorAnswer { Error = message, Details = new ErrorDetails { Code = code, Details = details } }, FunctionJsonContext.Answers.ErrorAnswer);

    public static APIGatewayHttpApiV2ProxyResponse Invalid(ValidationError error) =>
        Json(400, new ErrorAnswer { Error = error.Message, Details = new ErrorDetails { Code = error.Code, Details = error.Details } }, FunctionJsonContext.Answers.ErrorAnswer);

    public static APIGatewayHttpApiV2ProxyResponse Track(int status, TrackAnswer answer) => Json(status, answer, FunctionJsonContext.Answers.TrackAnswer);

    public static APIGatewayHttpApiV2ProxyResponse Anonymous() => Json(200, new AnonymousAnswer(), FunctionJsonContext.Answers.AnonymousAnswer);

    /// <summary>
    /// A track that could not finish. The store unavailable or contended: 503 with <c>Retry-After</c>, nothing was
    /// changed and the client retries. HubSpot unavailable in direct mode, or a stored document that is corrupt or
    /// would grow too large: the event was logged with everything needed to replay it, and the answer says so
    /// (<c>logged</c>/<c>fallback</c>, as the original answered). An unknown contact id in direct mode: 404.
    /// </summary>
    public static APIGatewayHttpApiV2ProxyResponse TrackFailure(Exception error) => error switch
    {
        PermanentSyncException { Code: SyncErrorCodes.ContactNotFound } =>
            Error(404, "No HubSpot contact has this id", SyncErrorCodes.ContactNotFound, "contactIdentifier.contactId: no HubSpot contact has this id"),
        PermanentSyncException permanent => Track(200, new TrackAnswer { Status = "logged", Mode = "fallback", Error = permanent.Code }),
        ProgressUnavailableException { Code: UnavailableCodes.Crm } => Track(200, new TrackAnswer { Status = "logged", Mode = "fallback", Error = CrmUnavailable }),
        ProgressUnavailableException unavailable => Unavailable(unavailable, "The event was not stored; retry it"),
        _ => throw error,
    };

    /// <summary>A read that could not finish: unavailable is retryable (503 with <c>Retry-After</c>); corrupt stored progress is a 409.</summary>
    public static APIGatewayHttpApiV2ProxyResponse ReadFailure(Exception error) => error switch
    {
        PermanentSyncException permanent => Error(409, "The stored progress of this learner cannot be read; it is kept as it is for an engineer to repair", permanent.Code,
            "progress: the stored document is not valid progress JSON"),
        ProgressUnavailableException unavailable => Unavailable(unavailable, "Progress cannot be read now; try again shortly"),
        _ => throw error,
    };

    private static APIGatewayHttpApiV2ProxyResponse Unavailable(ProgressUnavailableException unavailable, string message) =>
        WithHeader(Error(503, message, unavailable.Code, $"{(unavailable.Code == UnavailableCodes.Crm ? "crm" : "store")}: {unavailable.Message}"),
            "retry-after", Math.Max(1, (int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static APIGatewayHttpApiV2ProxyResponse WithHeader(APIGatewayHttpApiV2ProxyResponse response, string name, string value)
    {
        response.Headers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        response.Headers[name] = value;
        return response;
    }
}
