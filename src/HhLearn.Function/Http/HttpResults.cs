using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using HhLearn.CrmSync;
using HhLearn.Function.Events;
using HhLearn.HubSpot;
using HhLearn.Progress.Events;

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
    public const string QueueUnavailable = "QUEUE_UNAVAILABLE";

    public static APIGatewayHttpApiV2ProxyResponse Json<T>(int status, T body, JsonTypeInfo<T> type) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["content-type"] = "application/json; charset=utf-8",
            ["cache-control"] = "no-store",
        },
        Body = JsonSerializer.Serialize(body, type),
    };

    public static APIGatewayHttpApiV2ProxyResponse Error(int status, string message, string code, params string[] details) =>
        Json(status, new ErrorAnswer { Error = message, Details = new ErrorDetails { Code = code, Details = details } }, FunctionJsonContext.Default.ErrorAnswer);

    public static APIGatewayHttpApiV2ProxyResponse Invalid(ValidationError error) =>
        Json(400, new ErrorAnswer { Error = error.Message, Details = new ErrorDetails { Code = error.Code, Details = error.Details } }, FunctionJsonContext.Default.ErrorAnswer);

    public static APIGatewayHttpApiV2ProxyResponse Track(int status, TrackAnswer answer) => Json(status, answer, FunctionJsonContext.Default.TrackAnswer);

    public static APIGatewayHttpApiV2ProxyResponse Anonymous() => Json(200, new AnonymousAnswer(), FunctionJsonContext.Default.AnonymousAnswer);

    /// <summary>A sync that could not finish, on the track route in direct mode: the event is logged, the client told.</summary>
    public static APIGatewayHttpApiV2ProxyResponse TrackFailure(Exception error) => error switch
    {
        PermanentSyncException { Code: SyncErrorCodes.ContactNotFound } =>
            Error(404, "No HubSpot contact has this id", SyncErrorCodes.ContactNotFound, "contactIdentifier.contactId: no HubSpot contact has this id"),
        PermanentSyncException permanent => Track(200, new TrackAnswer { Status = "logged", Mode = "fallback", Error = permanent.Code }),
        HubSpotApiException => Track(200, new TrackAnswer { Status = "logged", Mode = "fallback", Error = CrmUnavailable }),
        _ => throw error,
    };

    /// <summary>A read that could not finish: unavailable CRM is retryable (503), corrupt state is ours (500).</summary>
    public static APIGatewayHttpApiV2ProxyResponse ReadFailure(Exception error) => error switch
    {
        PermanentSyncException permanent => Error(500, "The stored progress of this learner cannot be read", permanent.Code),
        HubSpotApiException => WithHeader(Error(503, "The CRM is unavailable; try again shortly", CrmUnavailable), "retry-after", "5"),
        _ => throw error,
    };

    public static APIGatewayHttpApiV2ProxyResponse WithHeader(APIGatewayHttpApiV2ProxyResponse response, string name, string value)
    {
        response.Headers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        response.Headers[name] = value;
        return response;
    }
}
