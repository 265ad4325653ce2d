namespace HhLearn.Progress.Events;

/// <summary>The stable error codes of the HTTP contract (README, "The HTTP API").</summary>
public static class ErrorCodes
{
    public const string SchemaValidationFailed = "SCHEMA_VALIDATION_FAILED";
    public const string InvalidJson = "INVALID_JSON";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string InvalidEventData = "INVALID_EVENT_DATA";
}

/// <summary>
/// A client error: a code, a human message and one <c>field: problem</c> line per problem.
/// Never carries a raw email or anything secret.
/// </summary>
public sealed record ValidationError(string Code, string Message, IReadOnlyList<string> Details)
{
    public static ValidationError Of(string code, string message, params string[] details) => new(code, message, details);
}
