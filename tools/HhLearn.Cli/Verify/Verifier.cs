using System.Net.Http.Headers;
using HhLearn.Cli.Doctor;

namespace HhLearn.Cli.Verify;

/// <summary>What a verify run is pointed at.</summary>
public sealed record VerifySettings
{
    public required Uri Api { get; init; }

    /// <summary>The learner the checks act as: a synthetic email, or the one of <see cref="Bearer"/>'s token.</summary>
    public required string Email { get; init; }

    public string? Bearer { get; init; }
    public string? Origin { get; init; }
    public required string Course { get; init; }
    public required IReadOnlyList<string> Modules { get; init; }

    /// <summary>HubSpot, to see the contact: null skips those checks.</summary>
    public HubSpotClient? HubSpot { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The stack's log group, to find the run's lines in CloudWatch (with the AWS CLI); null skips it.</summary>
    public string? LogGroup { get; init; }
}

/// <summary>
/// The deployment checklist, run against a live API with one learner: CORS, tracks answered, a bad body refused with a
/// code, a read right after the tracks showing them, and HubSpot holding the contact, the enrolment, the modules, the
/// course completion and the last activity. Every check is timed and says what to look at when it fails.
/// </summary>
public sealed class Verifier(HttpClient api, VerifySettings settings, TimeProvider time)
{
    public async Task RunAsync(CheckReport report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (settings.Origin is { } origin)
        {
            await TimedAsync(report, "CORS preflight", async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Options, "events/track");
                request.Headers.Add("Origin", origin);
                request.Headers.Add("Access-Control-Request-Method", "POST");
                request.Headers.Add("Access-Control-Request-Headers", "content-type");
                using var response = await api.SendAsync(request, ct);
                var allowed = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.FirstOrDefault() : null;
                return allowed == origin
                    ? (true, $"{(int)response.StatusCode}, {origin} allowed", null)
                    : (false, $"{(int)response.StatusCode}, Access-Control-Allow-Origin {allowed ?? "absent"}", $"add {origin} to allowedOrigins and deploy");
            });
        }

        var tracked = await TimedAsync(report, "enrolment answered", () => TrackAsync(
            new JsonObject { ["eventName"] = EventNames.CourseEnrolled, ["course_slug"] = settings.Course, ["enrollment_source"] = "hhlearn-verify" }, ct));
        foreach (var module in settings.Modules)
        {
            tracked &= await TimedAsync(report, $"module {module} answered", () => TrackAsync(
                new JsonObject { ["eventName"] = EventNames.ModuleCompleted, ["payload"] = new JsonObject { ["course_slug"] = settings.Course, ["module_slug"] = module } }, ct));
        }

        await TimedAsync(report, "bad body refused", async () =>
        {
            using var response = await SendAsync(HttpMethod.Post, "events/track", "{\"eventName\":", ct);
            var code = (await ReadAsync(response, ct))?["details"]?["code"]?.ToString();
            return (int)response.StatusCode == 400 && code is { Length: > 0 }
                ? (true, $"400 {code}", null)
                : (false, $"{(int)response.StatusCode} {code ?? "without a code"}", "the API must answer 400 with details.code: check the deployed function's version");
        });

        await TimedAsync(report, "read your writes", async () =>
        {
            using var response = await SendAsync(HttpMethod.Get, settings.Bearer is null ? $"progress/read?email={Uri.EscapeDataString(settings.Email)}" : "progress/read", null, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var missing = settings.Modules.Where(m => !text.Contains($"\"{m}\"", StringComparison.Ordinal)).ToList();
            return response.IsSuccessStatusCode && missing.Count == 0
                ? (true, $"the read right after shows all {settings.Modules.Count} modules", null)
                : (false, $"{(int)response.StatusCode}, missing {string.Join(", ", missing)}", "reads must come from the progress store: is PROGRESS_TABLE set on the API function?");
        });

        if (settings.HubSpot is null)
        {
            report.Skip("HubSpot", "not checked: pass --hubspot-url (token from HUBSPOT_PRIVATE_APP_TOKEN) to see the contact");
        }
        else if (tracked)
        {
            await new HubSpotExpectations(settings.HubSpot, settings, time).CheckAsync(report, ct);
        }
    }

    private async Task<(bool Ok, string Detail, string? Todo)> TrackAsync(JsonObject body, CancellationToken ct)
    {
        if (settings.Bearer is null)
        {
            body["contactIdentifier"] = new JsonObject { ["email"] = settings.Email };
        }

        using var response = await SendAsync(HttpMethod.Post, "events/track", body.ToJsonString(), ct);
        if (response.IsSuccessStatusCode)
        {
            return (true, $"{(int)response.StatusCode} {(await ReadAsync(response, ct))?["mode"]}", null);
        }

        var answer = await response.Content.ReadAsStringAsync(ct);
        return (false, $"{(int)response.StatusCode} {answer[..Math.Min(answer.Length, 160)]}", (int)response.StatusCode switch
        {
            401 or 403 => "the API wants a token: pass --bearer with one the JWT authorizer accepts",
            404 => $"no track route at {settings.Api}events/track: check --api (the stage URL or the custom domain with its base path)",
            >= 500 => "the function failed: see its log group (invocation_failed lines) and the LambdaErrors alarm",
            _ => "see the answer's details",
        });
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (settings.Bearer is { } bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (settings.Origin is { } origin)
        {
            request.Headers.Add("Origin", origin);
        }

        return await api.SendAsync(request, ct);
    }

    internal static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Runs one check, timing it; a request that fails is a failed check saying so, never an exception.</summary>
    internal async Task<bool> TimedAsync(CheckReport report, string name, Func<Task<(bool Ok, string Detail, string? Todo)>> check)
    {
        var started = time.GetTimestamp();
        try
        {
            var (ok, detail, todo) = await check();
            report.Add(new Check(name, ok ? CheckResult.Pass : CheckResult.Fail, detail, ok ? null : todo, time.GetElapsedTime(started)));
            return ok;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            report.Fail(name, $"no answer from {settings.Api} ({ex.Message})", "check --api, the stage and the network", time.GetElapsedTime(started));
            return false;
        }
    }
}
