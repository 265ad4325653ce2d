namespace HhLearn.Progress.Events;

/// <summary>
/// The fields of a track body, once it is JSON: the event name, identity, slugs, free strings, times and the payload's
/// shape, each problem as one <c>field: problem</c> line (docs/architecture.md section 3, "Events").
/// </summary>
internal static partial class TrackEventFields
{
    private static readonly string EventNameList = string.Join(", ", EventNames.All);

    internal static Result<TrackEvent, ValidationError> Validate(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Invalid(ErrorCodes.SchemaValidationFailed, "Event failed validation", $"body: must be a JSON object (got {Kind(root)})");
        }

        var problems = new List<string>();

        EventKind? kind = null;
        if (!root.TryGetProperty("eventName", out var nameElement) || nameElement.ValueKind == JsonValueKind.Null)
        {
            problems.Add("eventName: is required");
        }
        else if (nameElement.ValueKind != JsonValueKind.String)
        {
            problems.Add($"eventName: must be a string (got {Kind(nameElement)})");
        }
        else
        {
            kind = EventNames.TryParse(nameElement.GetString()!);
            if (kind is null)
            {
                problems.Add($"eventName: must be one of {EventNameList}");
            }
        }

        var eventId = ReadEventId(root, problems);
        var (email, contactId) = ReadIdentity(root, problems);

        JsonElement payload = default;
        var hasPayload = false;
        if (root.TryGetProperty("payload", out var payloadElement) && payloadElement.ValueKind != JsonValueKind.Null)
        {
            if (payloadElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"payload: must be an object (got {Kind(payloadElement)})");
            }
            else
            {
                payload = payloadElement;
                hasPayload = true;
                CheckPayloadShape(payload, problems);
            }
        }

        var pathway = ReadSlug(root, hasPayload ? payload : null, "pathway_slug", problems);
        var course = ReadSlug(root, hasPayload ? payload : null, "course_slug", problems);
        var module = ReadSlug(root, hasPayload ? payload : null, "module_slug", problems);
        var source = ReadFreeString(root, hasPayload ? payload : null, "enrollment_source", problems);
        var contentType = hasPayload ? ReadFreeString(default, payload, "content_type", problems) : null;
        var pageSlug = hasPayload ? ReadSlug(default, payload, "slug", problems) : null;
        var claimedTime = hasPayload ? ReadTs(payload, problems) : null;
        var claimedCompletedAt = hasPayload ? ReadCompletedAt(payload, problems) : null;

        if (pathway == ProgressState.StandaloneCoursesKey)
        {
            problems.Add($"pathway_slug: '{ProgressState.StandaloneCoursesKey}' is reserved");
        }

        if (kind is { } k)
        {
            RequireFor(k, pathway, course, module, contentType, pageSlug, problems);
        }

        if (problems.Count > 0)
        {
            return Result<TrackEvent, ValidationError>.Fail(new ValidationError(ErrorCodes.SchemaValidationFailed, "Event failed validation", problems));
        }

        return Result<TrackEvent, ValidationError>.Ok(new TrackEvent
        {
            Kind = kind!.Value,
            EventId = eventId,
            Email = email,
            ContactId = contactId,
            PathwaySlug = pathway,
            CourseSlug = course,
            ModuleSlug = module,
            EnrollmentSource = source,
            ClaimedTime = claimedTime,
            ClaimedCompletedAt = claimedCompletedAt,
            ContentType = contentType,
            PageSlug = pageSlug,
        });
    }

    private static void RequireFor(
        EventKind kind, string? pathway, string? course, string? module, string? contentType, string? pageSlug, List<string> problems)
    {
        var name = kind.ToWire();
        switch (kind)
        {
            case EventKind.ModuleStarted or EventKind.ModuleCompleted:
                if (module is null)
                {
                    problems.Add($"payload.module_slug: is required for {name}");
                }

                if (pathway is null && course is null)
                {
                    problems.Add($"payload.course_slug: {name} needs a course_slug or a pathway_slug");
                }

                break;
            case EventKind.PathwayEnrolled or EventKind.PathwayCompleted:
                if (pathway is null)
                {
                    problems.Add($"pathway_slug: is required for {name}");
                }

                break;
            case EventKind.CourseEnrolled or EventKind.CourseCompleted:
                if (course is null)
                {
                    problems.Add($"course_slug: is required for {name}");
                }

                break;
            case EventKind.PageViewed:
                if (contentType is null)
                {
                    problems.Add($"payload.content_type: is required for {name}");
                }

                if (pageSlug is null)
                {
                    problems.Add($"payload.slug: is required for {name}");
                }

                break;
        }
    }

    private static string? ReadEventId(JsonElement root, List<string> problems)
    {
        if (!root.TryGetProperty("eventId", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problems.Add($"eventId: must be a string (got {Kind(element)})");
            return null;
        }

        var value = element.GetString()!;
        if (value.Length == 0)
        {
            problems.Add("eventId: must not be empty");
        }
        else if (value.Length > Limits.MaxEventIdLength)
        {
            problems.Add($"eventId: must be at most {Limits.MaxEventIdLength} characters (got {value.Length})");
        }
        else if (!value.All(ch => ch is >= '!' and <= '~'))
        {
            // The id doubles as the queue's deduplication id, which allows printable ASCII only.
            problems.Add("eventId: must be printable ASCII without spaces");
        }
        else
        {
            return value;
        }

        return null;
    }

    private static (string? Email, string? ContactId) ReadIdentity(JsonElement root, List<string> problems)
    {
        if (!root.TryGetProperty("contactIdentifier", out var identity) || identity.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (identity.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"contactIdentifier: must be an object (got {Kind(identity)})");
            return (null, null);
        }

        var count = problems.Count;
        string? email = null;
        if (identity.TryGetProperty("email", out var emailElement) && emailElement.ValueKind != JsonValueKind.Null)
        {
            if (emailElement.ValueKind != JsonValueKind.String)
            {
                problems.Add($"contactIdentifier.email: must be a string (got {Kind(emailElement)})");
            }
            else if (Identifiers.EmailProblem(emailElement.GetString()!, out email) is { } problem)
            {
                problems.Add($"contactIdentifier.email: {problem}");
            }
        }

        string? contactId = null;
        if (identity.TryGetProperty("contactId", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
        {
            var text = idElement.ValueKind switch
            {
                JsonValueKind.String => idElement.GetString()!.Trim(),
                JsonValueKind.Number => idElement.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                problems.Add($"contactIdentifier.contactId: must be a string or an integer (got {Kind(idElement)})");
            }
            else if (Identifiers.ContactIdProblem(text, out contactId) is { } problem)
            {
                problems.Add($"contactIdentifier.contactId: {problem}");
            }
        }

        // Present but naming no one ({} or only nulls) is a mistake of the caller, not the anonymous case.
        if (email is null && contactId is null && problems.Count == count)
        {
            problems.Add("contactIdentifier: must name the learner (email or contactId); leave it out for an anonymous event");
        }

        return (email, contactId);
    }

    private static void CheckPayloadShape(JsonElement payload, List<string> problems)
    {
        var count = 0;
        foreach (var property in payload.EnumerateObject())
        {
            count++;
            CheckValue(property.Value, $"payload.{Truncate(property.Name)}", depth: 1, problems);
        }

        if (count > Limits.MaxPayloadProperties)
        {
            problems.Add($"payload: must have at most {Limits.MaxPayloadProperties} properties (got {count})");
        }
    }

    private static void CheckValue(JsonElement value, string path, int depth, List<string> problems)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var length = value.GetString()!.Length;
                if (length > Limits.MaxFreeStringLength)
                {
                    problems.Add($"{path}: must be at most {Limits.MaxFreeStringLength} characters (got {length})");
                }

                break;
            case JsonValueKind.Object or JsonValueKind.Array when depth >= Limits.MaxPayloadDepth:
                problems.Add($"{path}: is nested too deeply (at most {Limits.MaxPayloadDepth} levels in payload)");
                break;
            case JsonValueKind.Object:
                foreach (var p in value.EnumerateObject())
                {
                    CheckValue(p.Value, $"{path}.{Truncate(p.Name)}", depth + 1, problems);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckValue(item, $"{path}[{index++}]", depth + 1, problems);
                }

                break;
        }
    }

    /// <summary>Reads a slug from the top level or the payload; both present and different is a problem.</summary>
}
