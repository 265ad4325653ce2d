using HhLearn.Progress.Views;
using Res = HhLearn.Function.Events.APIGatewayHttpApiV2ProxyResponse;

namespace HhLearn.Function.Http;

/// <summary>
/// The HTTP API (README, "The HTTP API"): routing, CORS, identity (JWT claims win; a different identifier is
/// refused with 403), validation, and the answer shapes. Bad input always gets a 4xx with a code.
/// </summary>
public sealed class HttpApi(FunctionConfig config, IProgressBackend? backend, ISyncLog log, TimeProvider time, CrmSync.Webhooks.WebhookReceiver? webhooks = null)
{
    /// <summary>HubSpot's webhook deliveries (server to server: no identity, no CORS; the v3 signature authenticates).</summary>
    public const string WebhookPath = "/hubspot/webhooks";

    private readonly IdentityRules _identity = new(config);
    private readonly CorsPolicy _cors = new(config.AllowedOrigins);

    private static readonly Dictionary<string, string> Routes = new(StringComparer.Ordinal)
    {
        ["/events/track"] = "POST",
        ["/progress/read"] = "GET",
        ["/progress/aggregate"] = "GET",
        ["/enrollments/list"] = "GET",
    };

    private bool SyncOn => config.CrmEnabled && backend is not null;

    public async Task<Res> HandleAsync(Req request, string requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var method = ApiRequest.Method(request);
        var path = ApiRequest.Path(request);
        var origin = ApiRequest.Header(request, "origin");

        if (path == WebhookPath && webhooks is not null)
        {
            return method == "POST"
                ? await WebhookAsync(request, requestId, ct)
                : HttpResults.WithHeader(HttpResults.Error(405, $"{path} takes POST", HttpResults.MethodNotAllowed, $"method: {Truncate(method)} is not allowed; use POST"), "allow", "POST");
        }

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

    private async Task<Res> WebhookAsync(Req request, string requestId, CancellationToken ct)
    {
        if (ApiRequest.Body(request) is not { } body)
        {
            return HttpResults.Error(400, "The body is not valid base64", "WEBHOOK_BODY_INVALID", "body: is not valid base64");
        }

        // The URI as HubSpot called it: the scheme API Gateway was called with, the host, the raw path and query.
        var scheme = ApiRequest.Header(request, "x-forwarded-proto") ?? "https";
        var host = request.RequestContext?.DomainName ?? ApiRequest.Header(request, "host") ?? string.Empty;
        var query = string.IsNullOrEmpty(request.RawQueryString) ? string.Empty : "?" + request.RawQueryString;
        var uri = $"{scheme}://{host}{request.RawPath}{query}";
        var answer = await webhooks!.ReceiveAsync("POST", uri, body, ApiRequest.Header(request, "x-hubspot-request-timestamp"),
            ApiRequest.Header(request, "x-hubspot-signature-v3"), requestId, ct);
        return answer.Status == 200
            ? HttpResults.Json(200, new WebhookReceivedAnswer { Received = answer.Received, Ignored = answer.Ignored }, FunctionJsonContext.Answers.WebhookReceivedAnswer)
            : HttpResults.Error(answer.Status, answer.Message ?? "refused", answer.Code ?? "WEBHOOK_REFUSED", $"webhook: {answer.Message}");
    }

    private async Task<Res> TrackAsync(Req request, string requestId, CancellationToken ct)
    {
        var contentType = ApiRequest.Header(request, "content-type");
        if (contentType is not null && !ApiRequest.IsJsonOrText(contentType))
        {
            return HttpResults.Error(415, "Send the event as application/json", HttpResults.UnsupportedMediaType, $"content-type: {Truncate(contentType)} is not application/json or text/plain");
        }

        var parsed = ApiRequest.Body(request) is { } bytes ? TrackEventParser.Parse(bytes) : Progress.Result<TrackEvent, ValidationError>.Fail(
            ValidationError.Of(ErrorCodes.InvalidJson, "Body is not valid JSON", "body: is not valid base64 or UTF-8"));
        if (!parsed.IsOk)
        {
            log.Write(LogLevel.Warn, LogEvents.ValidationFailed, parsed.Error.Message,
                new LogContext { RequestId = requestId, Error = parsed.Error.Code, Fields = [KeyValuePair.Create<string, object?>("details", parsed.Error.Details)] });
            return HttpResults.Invalid(parsed.Error);
        }

        var e = parsed.Value;
        if (!SyncOn)
        {
            return HttpResults.Track(200, new TrackAnswer { Status = "logged", Mode = "anonymous" });
        }

        var (who, refusal) = _identity.Identify(request, e.Email, e.ContactId);
        if (refusal is not null)
        {
            return refusal;
        }

        // A completion of something the catalog does not define can never be confirmed: refuse it now.
        if (UnknownToCatalog(e) is { } unknown)
        {
            log.Write(LogLevel.Warn, LogEvents.EventRejected, unknown.Message, new LogContext { RequestId = requestId, EmailHash = who.EmailHash, EventName = e.Name, Error = unknown.Code });
            return HttpResults.Invalid(unknown);
        }

        if (who.IsEmpty)
        {
            return HttpResults.Track(200, new TrackAnswer { Status = "logged", Mode = "anonymous" });
        }

        TrackOutcome outcome;
        try
        {
            outcome = await backend!.TrackAsync(e with { Email = who.Email, ContactId = who.ContactId }, who, time.GetUtcNow(), requestId, ct);
        }
        catch (Exception ex) when (ex is ProgressUnavailableException or PermanentSyncException)
        {
            return HttpResults.TrackFailure(ex);
        }

        return outcome switch
        {
            TrackRejected rejected => HttpResults.Invalid(rejected.Error),
            TrackPersisted persisted => HttpResults.Track(200, new TrackAnswer
            {
                Status = "persisted",
                Mode = "authenticated",
                Backend = persisted.Backend,
                ContactId = persisted.ContactId,
                EventId = e.EventId,
            }),
            _ => throw new InvalidOperationException($"unexpected track outcome {outcome.GetType().Name}"),
        };
    }

    private ValidationError? UnknownToCatalog(TrackEvent e) => e.Kind switch
    {
        EventKind.CourseCompleted when backend!.Catalog.CourseModules(e.CourseSlug!) is null =>
            ValidationError.Of(ErrorCodes.InvalidEventData, $"Course '{e.CourseSlug}' is not in the catalog, so its completion cannot be confirmed", $"course_slug: '{e.CourseSlug}' is not in the catalog"),
        EventKind.PathwayCompleted when backend!.Catalog.PathwayCourses(e.PathwaySlug!) is null =>
            ValidationError.Of(ErrorCodes.InvalidEventData, $"Pathway '{e.PathwaySlug}' is not in the catalog, so its completion cannot be confirmed", $"pathway_slug: '{e.PathwaySlug}' is not in the catalog"),
        _ => null,
    };

    private async Task<Res> ReadAsync(Req request, string requestId, CancellationToken ct)
    {
        var (who, refusal) = QueryIdentity(request, []);
        if (refusal is not null || who is null)
        {
            return refusal ?? HttpResults.Anonymous();
        }

        try
        {
            // Nobody by this name (no progress, no contact): anonymous, so the page falls back to its local progress.
            if (await backend!.ReadAsync(who, requestId, ct) is not { } record)
            {
                return HttpResults.Anonymous();
            }

            using var state = JsonDocument.Parse(Progress.State.ProgressStateJson.Write(record.Learner.State));
            var view = record.Learner.LastViewed;
            return HttpResults.Json(200, new ProgressReadAnswer
            {
                Progress = state.RootElement.Clone(),
                UpdatedAt = record.UpdatedAt,
                Summary = record.Summary ?? ProgressFigures.Summary(record.Learner.State, backend.Catalog),
                LastViewed = view is null ? null : new LastViewedAnswer { Type = view.Type, Slug = view.Slug, At = view.At.Text },
            }, FunctionJsonContext.Answers.ProgressReadAnswer);
        }
        catch (Exception ex) when (ex is ProgressUnavailableException or PermanentSyncException)
        {
            return HttpResults.ReadFailure(ex);
        }
    }

    private async Task<Res> AggregateAsync(Req request, string requestId, CancellationToken ct)
    {
        var query = ApiRequest.Query(request);
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
        if (refusal is not null || who is null)
        {
            return refusal ?? HttpResults.Anonymous();
        }

        try
        {
            if (await backend!.ReadAsync(who, requestId, ct) is not { } record)
            {
                return HttpResults.Anonymous();
            }

            var view = ProgressViews.Aggregate(record.Learner.State, kind!.Value, slug!);
            return HttpResults.Json(200, new AggregateAnswer { Started = view.Started, Completed = view.Completed, Enrolled = view.Enrolled, EnrolledAt = view.EnrolledAt },
                FunctionJsonContext.Answers.AggregateAnswer);
        }
        catch (Exception ex) when (ex is ProgressUnavailableException or PermanentSyncException)
        {
            return HttpResults.ReadFailure(ex);
        }
    }

    private async Task<Res> EnrollmentsAsync(Req request, string requestId, CancellationToken ct)
    {
        var (who, refusal) = QueryIdentity(request, [], identityRequired: true);
        if (refusal is not null || who is null)
        {
            return refusal ?? HttpResults.Anonymous();
        }

        try
        {
            // Unlike the other reads, the original answers an unknown learner here with 404, and the pages rely on it.
            if (await backend!.ReadAsync(who, requestId, ct) is not { } record)
            {
                return HttpResults.Error(404, "No learner with this identifier", SyncErrorCodes.ContactNotFound, "contactIdentifier: names no known learner");
            }

            var view = ProgressViews.Enrollments(record.Learner.State);
            return HttpResults.Json(200, new EnrollmentsAnswer
            {
                Enrollments = new EnrollmentLists
                {
                    Pathways = view.Pathways.Select(p => new PathwayEnrollmentAnswer { Slug = p.Slug, EnrolledAt = p.EnrolledAt, EnrollmentSource = p.EnrollmentSource }).ToList(),
                    Courses = view.Courses.Select(c => new CourseEnrollmentAnswer { Slug = c.Slug, PathwaySlug = c.PathwaySlug, EnrolledAt = c.EnrolledAt, EnrollmentSource = c.EnrollmentSource }).ToList(),
                },
            }, FunctionJsonContext.Answers.EnrollmentsAnswer);
        }
        catch (Exception ex) when (ex is ProgressUnavailableException or PermanentSyncException)
        {
            return HttpResults.ReadFailure(ex);
        }
    }

    /// <summary>
    /// The identity of a read: query <c>email</c>/<c>contactId</c>, or the JWT claims. Null (anonymous) when sync is
    /// off or nobody is named (a 400 instead when <paramref name="identityRequired"/>); a refusal when the query is
    /// malformed (together with the route's own <paramref name="problems"/>) or contradicts the token.
    /// </summary>
    private (LearnerIdentity? Who, Res? Refusal) QueryIdentity(Req request, List<string> problems, bool identityRequired = false)
    {
        var (email, contactId) = IdentityRules.FromQuery(ApiRequest.Query(request), problems);
        if (problems.Count > 0)
        {
            return (null, HttpResults.Invalid(new ValidationError(ErrorCodes.SchemaValidationFailed, "Query failed validation", problems)));
        }

        if (!SyncOn)
        {
            return (null, null);
        }

        var (who, refusal) = _identity.Identify(request, email, contactId);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        if (who.IsEmpty && identityRequired)
        {
            return (null, HttpResults.Invalid(ValidationError.Of(ErrorCodes.SchemaValidationFailed, "email or contactId is required", "email: is required (or contactId)")));
        }

        return (who.IsEmpty ? null : who, null);
    }

    private Res Preflight(string? origin)
    {
        var headers = _cors.PreflightHeaders(origin);
        if (headers.Count == 0)
        {
            return HttpResults.Error(403, "Origin not allowed", HttpResults.OriginNotAllowed, "origin: is not in ALLOWED_ORIGINS");
        }

        return new Res { StatusCode = 204, Headers = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase) };
    }

    private Res WithCors(Res response, string? origin)
    {
        var headers = _cors.ResponseHeaders(origin);
        if (headers.Count > 0)
        {
            response.Headers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in headers)
            {
                response.Headers[name] = value;
            }
        }

        return response;
    }

    private static AggregateKind? Problem(List<string> problems, string problem)
    {
        problems.Add(problem);
        return null;
    }

    private static string Truncate(string text) => ApiRequest.Truncate(text);
}
