namespace HhLearn.Function.Http;

// The bodies of the HTTP contract (README, "The HTTP API"), exactly.

public sealed class TrackAnswer
{
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("mode")] public required string Mode { get; init; }

    [JsonPropertyName("eventId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EventId { get; init; }

    [JsonPropertyName("backend")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Backend { get; init; }

    [JsonPropertyName("contactId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ContactId { get; init; }

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}

/// <summary>What the webhook route answers HubSpot: how many events were queued and how many were not ours.</summary>
public sealed class WebhookReceivedAnswer
{
    [JsonPropertyName("received")] public int Received { get; init; }
    [JsonPropertyName("ignored")] public int Ignored { get; init; }
}

public sealed class ErrorAnswer
{
    [JsonPropertyName("error")] public required string Error { get; init; }
    [JsonPropertyName("details")] public required ErrorDetails Details { get; init; }
}

public sealed class ErrorDetails
{
    [JsonPropertyName("code")] public required string Code { get; init; }
    [JsonPropertyName("details")] public required IReadOnlyList<string> Details { get; init; }
}

public sealed class AnonymousAnswer
{
    [JsonPropertyName("mode")] public string Mode { get; init; } = "anonymous";
}

public sealed class ProgressReadAnswer
{
    [JsonPropertyName("mode")] public string Mode { get; init; } = "authenticated";
    [JsonPropertyName("progress")] public required JsonElement Progress { get; init; }
    [JsonPropertyName("updated_at")] public string? UpdatedAt { get; init; }
    [JsonPropertyName("summary")] public string? Summary { get; init; }
    [JsonPropertyName("last_viewed")] public LastViewedAnswer? LastViewed { get; init; }
}

public sealed class LastViewedAnswer
{
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("slug")] public required string Slug { get; init; }
    [JsonPropertyName("at")] public required string At { get; init; }
}

public sealed class AggregateAnswer
{
    [JsonPropertyName("mode")] public string Mode { get; init; } = "authenticated";
    /// <summary>Parts started (modules of a course; courses of a pathway, or modules of a legacy flat one).</summary>
    [JsonPropertyName("started")] public int Started { get; init; }

    /// <summary>Parts completed, as the pages print them (<c>completed / total</c>).</summary>
    [JsonPropertyName("completed")] public int Completed { get; init; }
    [JsonPropertyName("enrolled")] public bool Enrolled { get; init; }
    [JsonPropertyName("enrolled_at")] public string? EnrolledAt { get; init; }
}

public sealed class EnrollmentsAnswer
{
    [JsonPropertyName("mode")] public string Mode { get; init; } = "authenticated";
    [JsonPropertyName("enrollments")] public required EnrollmentLists Enrollments { get; init; }
}

public sealed class EnrollmentLists
{
    [JsonPropertyName("pathways")] public required IReadOnlyList<PathwayEnrollmentAnswer> Pathways { get; init; }
    [JsonPropertyName("courses")] public required IReadOnlyList<CourseEnrollmentAnswer> Courses { get; init; }
}

public sealed class PathwayEnrollmentAnswer
{
    [JsonPropertyName("slug")] public required string Slug { get; init; }
    [JsonPropertyName("enrolled_at")] public string? EnrolledAt { get; init; }
    [JsonPropertyName("enrollment_source")] public string? EnrollmentSource { get; init; }
}

public sealed class CourseEnrollmentAnswer
{
    [JsonPropertyName("slug")] public required string Slug { get; init; }
    [JsonPropertyName("pathway_slug")] public string? PathwaySlug { get; init; }
    [JsonPropertyName("enrolled_at")] public string? EnrolledAt { get; init; }
    [JsonPropertyName("enrollment_source")] public string? EnrollmentSource { get; init; }
}

/// <summary>The body of a runtime error report (<c>/error</c>, <c>/init/error</c>).</summary>
public sealed class RuntimeErrorBody
{
    [JsonPropertyName("errorMessage")] public required string ErrorMessage { get; init; }
    [JsonPropertyName("errorType")] public required string ErrorType { get; init; }
    [JsonPropertyName("stackTrace")] public IReadOnlyList<string> StackTrace { get; init; } = [];
}
