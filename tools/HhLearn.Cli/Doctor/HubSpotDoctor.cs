using System.Net.Http.Headers;

namespace HhLearn.Cli.Doctor;

/// <summary>
/// What a deploy needs from HubSpot, checked with the token it will use: that HubSpot takes the token, what kind it
/// is, its scopes (introspection where the token kind offers it, else harmless probes), HhLearn's properties, and the
/// portal's rate limit against the one the stack is configured for. Only reads, and requests HubSpot refuses.
/// </summary>
public sealed class HubSpotDoctor(HttpClient http, string token, string apiVersion, int configuredLimit)
{
    /// <summary>The scopes HhLearn needs, and what for.</summary>
    public static readonly IReadOnlyList<(string Scope, string For)> RequiredScopes =
    [
        ("crm.objects.contacts.read", "find learners' contacts"),
        ("crm.objects.contacts.write", "create and update contacts"),
        ("crm.schemas.contacts.read", "check HhLearn's properties"),
        ("crm.schemas.contacts.write", "hhlearn provision creates the properties"),
    ];

    private readonly HubSpotClientOptions _paths = new() { ApiVersion = apiVersion };

    public async Task RunAsync(CheckReport report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        HttpResponseMessage first;
        try
        {
            first = await SendAsync(HttpMethod.Get, $"{_paths.ContactsPath}?limit=1", null, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            report.Fail("HubSpot reachable", $"no answer from {http.BaseAddress} ({ex.Message})", "check --hubspot-url and the network");
            return;
        }

        using (first)
        {
            if (first.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                report.Fail("token accepted", "HubSpot refused the token (401)",
                    "create a Service Key (Settings > Integrations > Service Keys) or copy the app's access token, and store it again");
                return;
            }

            if ((int)first.StatusCode == 404 && apiVersion != HubSpotClientOptions.LegacyApiVersion)
            {
                report.Fail("API version", $"HubSpot does not serve {apiVersion} ({(int)first.StatusCode})", "pass --api-version v3, or deploy with -c hubspotApiVersion=v3");
                return;
            }

            report.Pass("token accepted", $"HubSpot answered {(int)first.StatusCode} to a contacts read");
            var scopes = await ScopesAsync(report, first, ct);
            var missing = RequiredScopes.Where(r => !scopes.Contains(r.Scope)).ToList();
            if (missing.Count == 0)
            {
                report.Pass("scopes", string.Join(", ", RequiredScopes.Select(r => r.Scope)));
            }
            else
            {
                report.Fail("scopes", "missing " + string.Join(", ", missing.Select(m => $"{m.Scope} (to {m.For})")),
                    "add them to the Service Key or app (its Scopes tab); the same token keeps working");
            }

            await PropertiesAsync(report, scopes.Contains("crm.schemas.contacts.read"), ct);
            RateLimit(report, first.Headers);
        }
    }

    /// <summary>The token's scopes: from the private-app introspection endpoint, else one harmless request per scope.</summary>
    private async Task<HashSet<string>> ScopesAsync(CheckReport report, HttpResponseMessage first, CancellationToken ct)
    {
        using (var info = await SendAsync(HttpMethod.Post, "oauth/v2/private-apps/get/access-token-info", new JsonObject { ["tokenKey"] = token }, ct))
        {
            if (info.IsSuccessStatusCode && await ReadAsync(info, ct) is { } body && body["scopes"] is JsonArray listed)
            {
                report.Pass("token kind", $"a private app's or project-based app's access token (portal {body["hubId"]}, app {body["appId"]})");
                return listed.Select(s => s?.ToString() ?? string.Empty).ToHashSet(StringComparer.Ordinal);
            }
        }

        // Not a private app token (a Service Key has no documented introspection): each scope is probed with a
        // request it guards that changes nothing (a write with nothing in it, which HubSpot refuses as invalid).
        report.Pass("token kind", "not a private app token (a Service Key?): scopes probed with requests that change nothing");
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        if (!await MissingScopeAsync(first))
        {
            scopes.Add("crm.objects.contacts.read");
        }

        (string Scope, HttpMethod Method, string Path, JsonObject? Body)[] probes =
        [
            ("crm.objects.contacts.write", HttpMethod.Post, $"{_paths.ContactsPath}/batch/update", new JsonObject { ["inputs"] = new JsonArray() }),
            ("crm.schemas.contacts.read", HttpMethod.Get, $"{_paths.PropertiesPath}/{ContactPropertySchema.All[0].Name}", null),
            ("crm.schemas.contacts.write", HttpMethod.Post, $"{_paths.PropertiesPath}/groups", new JsonObject()),
        ];
        foreach (var (scope, method, path, body) in probes)
        {
            using var response = await SendAsync(method, path, body, ct);
            if (!await MissingScopeAsync(response))
            {
                scopes.Add(scope);
            }
        }

        return scopes;
    }

    private async Task PropertiesAsync(CheckReport report, bool canRead, CancellationToken ct)
    {
        if (!canRead)
        {
            report.Skip("properties", "not checked: the token cannot read property definitions (crm.schemas.contacts.read)");
            return;
        }

        var missing = new List<string>();
        var wrong = new List<string>();
        foreach (var wanted in ContactPropertySchema.All)
        {
            using var response = await SendAsync(HttpMethod.Get, $"{_paths.PropertiesPath}/{wanted.Name}", null, ct);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                missing.Add(wanted.Name);
            }
            else if (await ReadAsync(response, ct) is { } found && ((string?)found["type"] != wanted.Type || (string?)found["fieldType"] != wanted.FieldType))
            {
                wrong.Add($"{wanted.Name} is {found["type"]}/{found["fieldType"]}, not {wanted.Type}/{wanted.FieldType}");
            }
        }

        if (missing.Count > 0)
        {
            report.Fail("properties", $"{missing.Count} of {ContactPropertySchema.All.Count} missing ({string.Join(", ", missing)})", "run hhlearn provision with the same token");
        }
        else if (wrong.Count > 0)
        {
            report.Fail("properties", string.Join("; ", wrong), "HubSpot would refuse HhLearn's values: archive them in HubSpot and run hhlearn provision");
        }
        else
        {
            report.Pass("properties", $"all {ContactPropertySchema.All.Count} exist with the right types");
        }
    }

    /// <summary>HubSpot's rate-limit headers (per app and portal) against the stack's <c>hubspotRateLimit</c>.</summary>
    private void RateLimit(CheckReport report, HttpResponseHeaders headers)
    {
        static long? Number(HttpResponseHeaders headers, string name) =>
            headers.TryGetValues(name, out var values) && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

        if (Number(headers, "X-HubSpot-RateLimit-Max") is not { } max)
        {
            report.Skip("rate limit", "HubSpot sent no rate-limit headers for this token; check the plan's limit in HubSpot's docs");
            return;
        }

        var interval = Number(headers, "X-HubSpot-RateLimit-Interval-Milliseconds") ?? 10_000;
        var perTenSeconds = (int)(max * 10_000 / Math.Max(1, interval));
        var daily = Number(headers, "X-HubSpot-RateLimit-Daily") is { } d ? string.Create(CultureInfo.InvariantCulture, $"; {Number(headers, "X-HubSpot-RateLimit-Daily-Remaining") ?? d} of {d} left today") : string.Empty;
        if (configuredLimit > perTenSeconds)
        {
            report.Fail("rate limit", $"the portal allows {perTenSeconds} requests per 10 s, the stack is set for {configuredLimit}{daily}", $"deploy with -c hubspotRateLimit={perTenSeconds}");
        }
        else
        {
            report.Pass("rate limit", $"the portal allows {perTenSeconds} requests per 10 s, the stack uses {configuredLimit}{daily}" +
                (perTenSeconds > configuredLimit ? $" (-c hubspotRateLimit={perTenSeconds} would use all of it)" : string.Empty));
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request, ct);
    }

    private static async Task<bool> MissingScopeAsync(HttpResponseMessage response) =>
        response.StatusCode == System.Net.HttpStatusCode.Forbidden && (await ReadAsync(response, CancellationToken.None))?["category"]?.ToString() == "MISSING_SCOPES";

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken ct)
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
}
