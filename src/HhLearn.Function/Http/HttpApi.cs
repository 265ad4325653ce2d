using System.Text;
using System.Text.Json;
using HhLearn.CrmSync;
using HhLearn.Function.Config;
using HhLearn.Function.Events;
using HhLearn.HubSpot;
using HhLearn.Progress.Contact;
using HhLearn.Progress.Events;
using Req = HhLearn.Function.Events.APIGatewayHttpApiV2ProxyRequest;
using Res = HhLearn.Function.Events.APIGatewayHttpApiV2ProxyResponse;

namespace HhLearn.Function.Http;

/// <summary>
/// The HTTP API of design.md section 5: routing, CORS, identity (JWT claims win; a different identifier is
/// refused with 403), validation, and the answer shapes. Bad input always gets a 4xx with a code.
/// </summary>
public sealed class HttpApi(FunctionConfig config, IEventIntake? intake, ProgressSync? sync, ISyncLog log, TimeProvider time)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private static readonly Dictionary<string, string> Routes = new(StringComparer.Ordinal)
    {
        ["/events/track"] = "POST",
        ["/progress/read"] = "GET",
        ["/progress/aggregate"] = "GET",
        ["/enrollments/list"] = "GET",
    };

    private bool SyncOn => config.CrmEnabled && sync is not null;

    public async Task<Res> HandleAsync(Req request, string requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var method = (request.RequestContext?.Http?.Method ?? "GET").ToUpperInvariant();
        var path = NormalisePath(request);
        var origin = Header(request, "origin");

        Res response;
        if (!Routes.TryGetValue(path, out var allowed))
        {
            response = HttpResults.Error(404, $"No route for {path}", HttpResults.NotFound, $"path: no route {Truncate(path)}");
        }
        else if (method == "OPTIONS")
        {
            return Preflight(origin);
        }
        else if (method != allowed)
        {
            response = HttpResults.WithHeader(
                HttpResults.Error(405, $"{path} takes {allowed}", HttpResults.MethodNotAllowed, $"method: {Truncate(method)} is not allowed; use {allowed}"),
                "allow", $"{allowed}, OPTIONS");
        }
        else
        {
            response = path switch
            {
                "/events/track" => await TrackAsync(request, requestId, ct),
                "/progress/read" => await ReadAsync(request, requestId, ct),
                "/progress/aggregate" => await AggregateAsync(request, requestId, ct),
                _ => await EnrollmentsAsync(request, requestId, ct),
            };
        }

        return WithCors(response, origin);
    }

    private async Task<Res> TrackAsync(Req request, string requestId, CancellationToken ct)
    {
        var contentType = Header(request, "content-type");
        if (contentType is not null && !IsJsonOrText(contentType))
        {
            return HttpResults.Error(415, "Send the event as application/json", HttpResults.UnsupportedMediaType, $"content-type: {Truncate(contentType)} is not application/json or text/plain");
        }

        var parsed = Body(request) is { } bytes ? TrackEventParser.Parse(bytes) : EventParseResult.Invalid(
            ValidationError.Of(ErrorCodes.InvalidJson, "Body is not valid JSON", "body: is not valid base64 or UTF-8"));
        if (!parsed.IsValid)
        {
            log.Write(LogLevel.Warn, LogEvents.ValidationFailed, parsed.Error.Message,
                new LogContext { RequestId = requestId, Error = parsed.Error.Code, Fields = [KeyValuePair.Create<string, object?>("details", parsed.Error.Details)] });
            return HttpResults.Invalid(parsed.Error);
        }

        var e = parsed.Event;
        if (!SyncOn || intake is null)
        {
            return HttpResults.Track(200, new TrackAnswer { Status = "logged", Mode = "anonymous" });
        }

        var (who, refusal) = Identify(request, e.Email, e.ContactId);
        if (refusal is not null)
        {
            return refusal;
        }

        // A completion of something the catalog does not define can never be confirmed: refuse it now, in both modes.
        if (UnknownToCatalog(e) is { } unknown)
        {
            log.Write(LogLevel.Warn, LogEvents.EventRejected, unknown.Message, new LogContext { RequestId = requestId, EmailHash = who.EmailHash, EventName = e.Name, Error = unknown.Code });
            return HttpResults.Invalid(unknown);
        }

        if (who.IsEmpty)
        {
            return HttpResults.Track(200, new TrackAnswer { Status = "logged", Mode = "anonymous" });
        }

        IntakeOutcome outcome;
        try
        {
            outcome = await intake.SubmitAsync(e with { Email = who.Email, ContactId = who.ContactId }, who, time.GetUtcNow(), requestId, ct);
        }
        catch (Queue.QueueUnavailableException ex)
        {
            log.Write(LogLevel.Error, LogEvents.QueueSendFailed, "the sync queue did not take the event; the client was asked to retry",
                new LogContext { RequestId = requestId, EmailHash = who.EmailHash, EventName = e.Name, EventId = e.EventId, Error = ex.InnerException?.GetType().Name });
            return HttpResults.WithHeader(
                HttpResults.Error(503, "The event could not be queued; retry it", HttpResults.QueueUnavailable, "queue: unavailable, nothing was stored"), "retry-after", "2");
        }
        catch (Exception ex) when (ex is HubSpotApiException or PermanentSyncException)
        {
            if (ex is HubSpotApiException api)
            {
                log.Write(LogLevel.Error, LogEvents.CrmSyncFailed, "CRM sync failed; the event was not applied",
                    new LogContext
                    {
                        RequestId = requestId, EmailHash = who.EmailHash, ContactId = who.ContactId, EventName = e.Name, EventId = e.EventId,
                        CorrelationId = api.CorrelationId, Error = $"{api.StatusCode} {api.Category ?? api.GetType().Name}",
                        Fields = [KeyValuePair.Create<string, object?>("replay", TrackEventJson.WithoutIdentity(e))],
                    });
            }

            return HttpResults.TrackFailure(ex);
        }

        return outcome switch
        {
            IntakeQueued queued => HttpResults.Track(202, new TrackAnswer { Status = "queued", Mode = "authenticated", EventId = queued.EventId }),
            IntakeSynced { Outcome: TrackRejected rejected } => HttpResults.Invalid(rejected.Error),
            IntakeSynced { Outcome: TrackPersisted persisted } => HttpResults.Track(200, new TrackAnswer
            {
                Status = "persisted",
                Mode = "authenticated",
                Backend = persisted.Backend == ProgressBackend.Events ? "events" : "properties",
                ContactId = persisted.ContactId,
            }),
            _ => throw new InvalidOperationException($"unexpected intake outcome {outcome.GetType().Name}"),
        };
    }

    private ValidationError? UnknownToCatalog(TrackEvent e) => e.Kind switch
    {
        EventKind.CourseCompleted when sync!.Catalog.CourseModules(e.CourseSlug!) is null =>
            ValidationError.Of(ErrorCodes.InvalidEventData, $"Course '{e.CourseSlug}' is not in the catalog, so its completion cannot be confirmed", $"course_slug: '{e.CourseSlug}' is not in the catalog"),
        EventKind.PathwayCompleted when sync!.Catalog.PathwayCourses(e.PathwaySlug!) is null =>
            ValidationError.Of(ErrorCodes.InvalidEventData, $"Pathway '{e.PathwaySlug}' is not in the catalog, so its completion cannot be confirmed", $"pathway_slug: '{e.PathwaySlug}' is not in the catalog"),
        _ => null,
    };

    private async Task<Res> ReadAsync(Req request, string requestId, CancellationToken ct)
    {
        var (who, refusal) = QueryIdentity(request);
        if (refusal is not null || who is null)
        {
            return refusal ?? HttpResults.Anonymous();
        }

        try
        {
            var record = await sync!.ReadAsync(who, requestId, ct);
            if (record is null)
            {
                return HttpResults.Json(200, new ProgressReadAnswer { Progress = EmptyObject(), Summary = "No progress yet" }, FunctionJsonContext.Default.ProgressReadAnswer);
            }

            using var state = JsonDocument.Parse(Progress.State.ProgressStateJson.Write(record.Learner.State));
            var view = record.Learner.LastViewed;
            return HttpResults.Json(200, new ProgressReadAnswer
            {
                Progress = state.RootElement.Clone(),
                UpdatedAt = record.UpdatedAt,
                Summary = record.Summary ?? ContactProgress.Summary(record.Learner.State, sync.Catalog),
                LastViewed = view is null ? null : new LastViewedAnswer { Type = view.Type, Slug = view.Slug, At = view.At.Text },
            }, FunctionJsonContext.Default.ProgressReadAnswer);
        }
        catch (Exception ex) when (ex is HubSpotApiException or PermanentSyncException)
        {
            return HttpResults.ReadFailure(ex);
        }
    }

    private async Task<Res> AggregateAsync(Req request, string requestId, CancellationToken ct)
    {
        var query = Query(request);
        var problems = new List<string>();
        AggregateKind? kind = query.GetValueOrDefault("type") switch
        {
            "pathway" => AggregateKind.Pathway,
            "course" => AggregateKind.Course,
            null => Problem(problems, "type: is required (pathway or course)"),
            _ => Problem(problems, "type: must be pathway or course"),
        };
        var slug = query.GetValueOrDefault("slug");
        if (slug is null)
        {
            problems.Add("slug: is required");
        }
        else if (Slugs.Problem(slug) is { } slugProblem)
        {
            problems.Add($"slug: {slugProblem}");
        }

        var (who, refusal) = QueryIdentity(request, problems);
        if (problems.Count > 0)
        {
            return HttpResults.Invalid(new ValidationError(ErrorCodes.SchemaValidationFailed, "Query failed validation", problems));
        }

        if (refusal is not null || who is null)
        {
            return refusal ?? HttpResults.Anonymous();
        }

        try
        {
            var record = await sync!.ReadAsync(who, requestId, ct);
            var view = record is null ? ProgressViews.NotFound : ProgressViews.Aggregate(record.Learner.State, kind!.Value, slug!);
            return HttpResults.Json(200, new AggregateAnswer { Started = view.Started, Completed = view.Completed, Enrolled = view.Enrolled, EnrolledAt = view.EnrolledAt },
                FunctionJsonContext.Default.AggregateAnswer);
        }
        catch (Exception ex) when (ex is HubSpotApiException or PermanentSyncException)
        {
            return HttpResults.ReadFailure(ex);
        }
    }

    private async Task<Res> EnrollmentsAsync(Req request, string requestId, CancellationToken ct)
    {
        var (who, refusal) = QueryIdentity(request);
        if (refusal is not null || who is null)
        {
            return refusal ?? HttpResults.Anonymous();
        }

        try
        {
            var record = await sync!.ReadAsync(who, requestId, ct);
            var view = record is null ? new EnrollmentsView([], []) : ProgressViews.Enrollments(record.Learner.State);
            return HttpResults.Json(200, new EnrollmentsAnswer
            {
                Enrollments = new EnrollmentLists
                {
                    Pathways = view.Pathways.Select(p => new PathwayEnrollmentAnswer { Slug = p.Slug, EnrolledAt = p.EnrolledAt, EnrollmentSource = p.EnrollmentSource }).ToList(),
                    Courses = view.Courses.Select(c => new CourseEnrollmentAnswer { Slug = c.Slug, PathwaySlug = c.PathwaySlug, EnrolledAt = c.EnrolledAt, EnrollmentSource = c.EnrollmentSource }).ToList(),
                },
            }, FunctionJsonContext.Default.EnrollmentsAnswer);
        }
        catch (Exception ex) when (ex is HubSpotApiException or PermanentSyncException)
        {
            return HttpResults.ReadFailure(ex);
        }
    }

    /// <summary>
    /// The identity of a read: query <c>email</c>/<c>contactId</c>, or the JWT claims. Null (anonymous) when sync is
    /// off or nobody is named; a refusal when the query contradicts the token or is malformed.
    /// </summary>
    private (LearnerIdentity? Who, Res? Refusal) QueryIdentity(Req request, List<string>? problems = null)
    {
        var query = Query(request);
        var ownProblems = problems ?? [];
        string? email = null;
        if (query.GetValueOrDefault("email") is { } rawEmail)
        {
            var normalized = EmailAddress.Normalize(rawEmail);
            if (rawEmail.Length > Limits.MaxEmailLength || !EmailAddress.IsValid(normalized))
            {
                ownProblems.Add("email: is not a valid email address");
            }
            else
            {
                email = normalized;
            }
        }

        string? contactId = null;
        if (query.GetValueOrDefault("contactId") is { } rawId)
        {
            if (rawId.Length is 0 or > Limits.MaxContactIdLength || !rawId.All(char.IsAsciiDigit))
            {
                ownProblems.Add("contactId: must be a numeric HubSpot contact id");
            }
            else
            {
                contactId = rawId.TrimStart('0');
            }
        }

        if (problems is null && ownProblems.Count > 0)
        {
            return (null, HttpResults.Invalid(new ValidationError(ErrorCodes.SchemaValidationFailed, "Query failed validation", ownProblems)));
        }

        if (!SyncOn)
        {
            return (null, null);
        }

        var (who, refusal) = Identify(request, email, contactId);
        return refusal is not null ? (null, refusal) : (who.IsEmpty ? null : who, null);
    }

    /// <summary>JWT claims, when API Gateway's authorizer verified a token, win; a different identifier in the request is refused.</summary>
    private (LearnerIdentity Who, Res? Refusal) Identify(Req request, string? email, string? contactId)
    {
        var claims = request.RequestContext?.Authorizer?.Jwt?.Claims;
        if (claims is null)
        {
            return (new LearnerIdentity(email, contactId), null);
        }

        var claimEmail = claims.TryGetValue("email", out var e) && EmailAddress.Normalize(e) is var n && EmailAddress.IsValid(n) ? n : null;
        var claimId = claims.TryGetValue(config.ContactIdClaim, out var id) && id.Length is > 0 and <= Limits.MaxContactIdLength && id.All(char.IsAsciiDigit) ? id.TrimStart('0') : null;
        if (claimEmail is null && claimId is null)
        {
            return (new LearnerIdentity(null, null), HttpResults.Error(401, "The token carries no email claim", HttpResults.IdentityMissing, "authorization: token has no email claim"));
        }

        if ((email is not null && email != claimEmail) || (contactId is not null && contactId != claimId))
        {
            return (new LearnerIdentity(null, null), HttpResults.Error(403, "The request names a different learner than the token", HttpResults.IdentityMismatch,
                "contactIdentifier: does not match the authenticated learner"));
        }

        return (new LearnerIdentity(claimEmail, claimId), null);
    }

    private Res Preflight(string? origin)
    {
        if (origin is null || !OriginAllowed(origin))
        {
            return HttpResults.Error(403, "Origin not allowed", HttpResults.OriginNotAllowed, "origin: is not in ALLOWED_ORIGINS");
        }

        var response = WithCors(new Res { StatusCode = 204, Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) }, origin);
        response.Headers!["access-control-allow-methods"] = "GET, POST, OPTIONS";
        response.Headers["access-control-allow-headers"] = "content-type, authorization";
        response.Headers["access-control-max-age"] = "600";
        return response;
    }

    private Res WithCors(Res response, string? origin)
    {
        if (origin is not null && OriginAllowed(origin))
        {
            response.Headers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            response.Headers["access-control-allow-origin"] = config.AllowedOrigins.Contains("*") ? "*" : origin;
            response.Headers["vary"] = "Origin";
        }

        return response;
    }

    private bool OriginAllowed(string origin) =>
        config.AllowedOrigins.Contains("*") || config.AllowedOrigins.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);

    private static AggregateKind? Problem(List<string> problems, string problem)
    {
        problems.Add(problem);
        return null;
    }

    /// <summary>The path without a named stage prefix (<c>/prod/events/track</c> on a stage called prod).</summary>
    private static string NormalisePath(Req request)
    {
        var path = request.RawPath ?? request.RequestContext?.Http?.Path ?? "/";
        var stage = request.RequestContext?.Stage;
        if (stage is not null && stage != "$default" && path.StartsWith($"/{stage}/", StringComparison.Ordinal))
        {
            path = path[(stage.Length + 1)..];
        }

        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    private static string? Header(Req request, string name)
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
    private static Dictionary<string, string> Query(Req request)
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

    private static byte[]? Body(Req request)
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

    private static bool IsJsonOrText(string contentType)
    {
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return media is "application/json" or "text/plain" || (media.StartsWith("application/", StringComparison.Ordinal) && media.EndsWith("+json", StringComparison.Ordinal));
    }

    private static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }

    private static string Truncate(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 97), "...");
}
