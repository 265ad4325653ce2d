using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HhLearn.HubSpotEmulator;

/// <summary>
/// The running emulator: HubSpot's contacts, properties and behavioral events endpoints with HubSpot's shapes,
/// validation, 409s, batch 207s, search lag, rate limits and injectable faults, on 127.0.0.1.
/// Admin endpoints under <c>/_emulator/</c>: <c>faults</c>, <c>stats</c>, <c>reset</c>, <c>contacts</c> (list, set up, delete),
/// <c>merge</c>, <c>events</c>.
/// </summary>
public sealed partial class HubSpotEmulator : IAsyncDisposable
{
    private const string LegacyContacts = "/crm/v3/objects/contacts";
    private const string LegacyProperties = "/crm/v3/properties/contacts";

    /// <summary>A date version in a path (<c>2026-03</c>, <c>2026-09</c>): HubSpot ships one every March and September.</summary>
    private const string VersionSegment = "{apiVersion}";

    /// <summary>
    /// Both path forms HubSpot serves, with the same semantics: the legacy numeric <c>/crm/v3/...</c> (HubSpot's Node SDK 14
    /// still calls it) and the date-versioned <c>/crm/objects/2026-09/...</c>. Stats count both under the legacy name.
    /// </summary>
    private static readonly (string Contacts, string Properties)[] PathForms =
    [
        (LegacyContacts, LegacyProperties),
        ($"/crm/objects/{VersionSegment}/contacts", $"/crm/properties/{VersionSegment}/contacts"),
    ];

    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _faultLock = new();
    private readonly Task _persistence;
    private EmulatorOptions _options;
    private long _savedVersion = -1;

    private HubSpotEmulator(WebApplication app, EmulatorOptions options, TimeProvider time)
    {
        _app = app;
        _options = options;
        _time = time;
        Store = new ContactStore(time, () => _options);
        Webhooks = new WebhookDelivery(Store, time);
        Gate = new Gatekeeper(time, () => _options, TakeFailNext);
        if (options.DataFile is { } file && File.Exists(file))
        {
            Store.Import(JsonNode.Parse(File.ReadAllText(file))!.AsObject());
        }

        _savedVersion = Store.Version;
        _persistence = options.DataFile is null ? Task.CompletedTask : PersistLoopAsync(options.DataFile, _stop.Token);
    }

    public ContactStore Store { get; }

    /// <summary>The webhook deliveries to a subscribed app (<c>POST /_emulator/webhooks</c>).</summary>
    public WebhookDelivery Webhooks { get; }
    public Gatekeeper Gate { get; }
    public EmulatorStats Stats { get; } = new();
    public EmulatorOptions Options => _options;
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Starts on 127.0.0.1; port 0 takes a free port (see <see cref="BaseUrl"/>).</summary>
    public static async Task<HubSpotEmulator> StartAsync(EmulatorOptions? options = null, int port = 0, TimeProvider? time = null, CancellationToken ct = default)
    {
        var app = LoopbackWebApp.Create(port, 32 * 1024 * 1024, adminPath: "/_emulator");
        var emulator = new HubSpotEmulator(app, options ?? new EmulatorOptions(), time ?? TimeProvider.System);
        emulator.Map(app);
        await app.StartAsync(ct);
        emulator.BaseUrl = LoopbackWebApp.Address(app);
        return emulator;
    }

    public void SetFaults(FaultSettings faults)
    {
        lock (_faultLock)
        {
            _options = _options with { Faults = faults };
        }
    }

    /// <summary>Rotates the accepted private app token: requests with the old one get HubSpot's 401.</summary>
    public void SetToken(string token)
    {
        lock (_faultLock)
        {
            _options = _options with { Token = token };
        }
    }

    /// <summary>Makes the next <paramref name="count"/> API requests fail with <paramref name="status"/>.</summary>
    public void FailNext(int status, int count, string policy = "TEN_SECONDLY_ROLLING") =>
        SetFaults(_options.Faults with { FailNextStatus = status, FailNextCount = count, FailNextPolicy = policy });

    private bool TakeFailNext()
    {
        lock (_faultLock)
        {
            if (_options.Faults.FailNextCount <= 0)
            {
                return false;
            }

            _options = _options with { Faults = _options.Faults with { FailNextCount = _options.Faults.FailNextCount - 1 } };
            return true;
        }
    }

    public void Configure(Func<EmulatorOptions, EmulatorOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _options = change(_options);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _persistence;
        await Webhooks.DisposeAsync();
        Save();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stop.Dispose();
    }

    private void Map(WebApplication app)
    {
        app.UseRouting();
        app.Use(GateAsync);

        foreach (var (contacts, properties) in PathForms)
        {
            app.MapGet(contacts, (HttpRequest r) => Answer(Store.List(r.Query["after"].FirstOrDefault(),
                int.TryParse(r.Query["limit"].FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var limit) ? limit : 10, PropertyList(r))));
            app.MapGet(contacts + "/{id}", (string id, HttpRequest r) => Answer(Store.Get(id, ByEmail(r), PropertyList(r))));
            app.MapMethods(contacts + "/{id}", ["PATCH"], (string id, HttpContext c) => WithBody(c, b => Store.Update(id, ByEmail(c.Request), b["properties"] as JsonObject)));
            app.MapPost(contacts, (HttpContext c) => WithBody(c, b => Store.Create(b["properties"] as JsonObject)));
            app.MapPost(contacts + "/batch/read", (HttpContext c) => WithBatch(c, (b, inputs) =>
                Store.BatchRead(inputs, b["idProperty"]?.ToString(), (b["properties"] as JsonArray)?.Select(p => p!.ToString()).ToList())));
            app.MapPost(contacts + "/batch/create", (HttpContext c) => WithBatch(c, (_, inputs) => Store.BatchCreate(inputs)));
            app.MapPost(contacts + "/batch/update", (HttpContext c) => WithBatch(c, (_, inputs) => Store.BatchUpdate(inputs)));
            app.MapPost(contacts + "/batch/upsert", (HttpContext c) => WithBatch(c, (_, inputs) => Store.BatchUpsert(inputs)));
            app.MapPost(contacts + "/search", (HttpContext c) => WithBody(c, Store.Search));
            app.MapPost(contacts + "/gdpr-delete", (HttpContext c) => WithBody(c, b =>
                b["objectId"]?.ToString() is { } id ? Store.GdprDelete(id, b["idProperty"]?.ToString()) : Invalid("objectId is required")));
            app.MapPost(contacts + "/merge", (HttpContext c) => WithBody(c, b => Store.Merge(b["primaryObjectId"]?.ToString(), b["objectIdToMerge"]?.ToString())));
            app.MapDelete(contacts + "/{id}", (string id) => Answer(Store.Archive(id)));

            app.MapGet(properties, () => Answer(Store.ListProperties()));
            app.MapGet(properties + "/{name}", (string name) => Answer(Store.GetProperty(name)));
            app.MapPost(properties, (HttpContext c) => WithBody(c, Store.CreateProperty));
            app.MapPost(properties + "/batch/create", (HttpContext c) => WithBatch(c, (_, inputs) => Store.BatchCreateProperties(inputs)));
            app.MapPost(properties + "/groups", (HttpContext c) => WithBody(c, Store.CreateGroup));
        }

        app.MapPost("/oauth/v2/private-apps/get/access-token-info", (HttpContext c) => WithBody(c, TokenInfo));
        app.MapPost("/events/v3/send", (HttpContext c) => WithBody(c, Store.SendEvent));

        app.MapGet("/_emulator/health", () => Answer(new ApiAnswer(200, new JsonObject { ["status"] = "ok" })));
        app.MapGet("/_emulator/stats", () => Answer(new ApiAnswer(200, StatsJson())));
        app.MapGet("/_emulator/faults", () => Answer(new ApiAnswer(200, FaultsJson())));
        app.MapPost("/_emulator/faults", (HttpContext c) => WithBody(c, ApplyFaults));
        app.MapGet("/_emulator/webhooks", () => Answer(new ApiAnswer(200, WebhooksJson())));
        app.MapPost("/_emulator/webhooks", (HttpContext c) => WithBody(c, body =>
        {
            if (!Uri.TryCreate(body["targetUrl"]?.ToString(), UriKind.Absolute, out var target) || body["clientSecret"]?.ToString() is not { Length: > 0 } secret)
            {
                return Invalid("targetUrl (an absolute URL) and clientSecret are required");
            }

            Webhooks.Subscription = new WebhookSubscription(target, secret, string.Equals(body["mode"]?.ToString(), "unordered", StringComparison.Ordinal));
            return new ApiAnswer(200, WebhooksJson());
        }));
        app.MapGet("/_emulator/behaviour", () => Answer(new ApiAnswer(200, _options.Behaviour.ToJson())));
        app.MapPost("/_emulator/behaviour", (HttpContext c) => WithBody(c, body =>
        {
            try
            {
                _options = _options with { Behaviour = _options.Behaviour.With(body) };
                return new ApiAnswer(200, _options.Behaviour.ToJson());
            }
            catch (FormatException ex)
            {
                return Invalid(ex.Message);
            }
        }));
        app.MapPost("/_emulator/reset", () =>
        {
            Store.Reset();
            Stats.Reset();
            Gate.Reset();
            _options = _options with { Faults = new FaultSettings(), Behaviour = new PortalBehaviour() };
            return Answer(new ApiAnswer(200, new JsonObject { ["status"] = "reset" }));
        });
        app.MapGet("/_emulator/contacts", () => Answer(new ApiAnswer(200, new JsonObject
        {
            ["results"] = new JsonArray(Store.AllContacts().Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.Id,
                ["properties"] = new JsonObject(c.Properties.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            }).ToArray()),
        })));
        app.MapPost("/_emulator/contacts", (HttpContext c) => WithBody(c, body => AdminRequests.Seed(Store, body)));
        app.MapPost("/_emulator/merge", (HttpContext c) => WithBody(c, b => Store.Merge(b["primaryObjectId"]?.ToString(), b["objectIdToMerge"]?.ToString())));
        app.MapDelete("/_emulator/contacts/{id}", (string id) => Answer(Store.GdprDelete(id, null)));
        app.MapPost("/_emulator/contacts/{id}/restore", (string id) => Answer(Store.Restore(id)));
        app.MapGet("/_emulator/events", () => Answer(new ApiAnswer(200, new JsonObject { ["results"] = new JsonArray(Store.Events().Select(e => (JsonNode)e).ToArray()) })));
    }

    private async Task GateAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (path.StartsWith("/_emulator/", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var endpoint = context.GetEndpoint() as RouteEndpoint;
        var version = context.Request.RouteValues["apiVersion"] as string ?? (path.StartsWith("/crm/v3/", StringComparison.Ordinal) ? "v3" : null);
        if (version is not null && version != "v3" && !System.Text.RegularExpressions.Regex.IsMatch(version, "^20[0-9]{2}-(03|09)$"))
        {
            // Not a version HubSpot ships (a March or September date): as HubSpot, an unknown path.
            endpoint = null;
            version = null;
        }

        var name = $"{context.Request.Method} {CanonicalRoute(endpoint?.RoutePattern.RawText) ?? "(unknown route)"}";
        if (version is not null)
        {
            Stats.RecordVersion(version);
        }

        // Counted before the answer leaves, so that a client never sees an answer the stats do not show yet.
        context.Response.OnStarting(() =>
        {
            Stats.Record(name, context.Response.StatusCode);
            return Task.CompletedTask;
        });

        if (_options.Faults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(_options.Faults.Latency, _time, context.RequestAborted);
        }

        var search = path.EndsWith("/search", StringComparison.Ordinal);
        var verdict = Gate.Check(context.Request.Headers.Authorization.ToString(), search);
        if (verdict is not null)
        {
            foreach (var (header, value) in verdict.Headers)
            {
                context.Response.Headers[header] = value;
            }

            if (verdict.Status != 0)
            {
                await EmulatorJson.WriteAsync(context, verdict.Status, verdict.Body);
                return;
            }
        }

        if (endpoint is null)
        {
            await EmulatorJson.WriteAsync(context, 404, EmulatorJson.Error($"Unknown endpoint {context.Request.Method} {path}", "OBJECT_NOT_FOUND"));
            return;
        }

        if (path.StartsWith("/crm/", StringComparison.Ordinal) && PortalBehaviour.ScopeFor(context.Request.Method, path) is var scope &&
            _options.Behaviour.Lacks(scope))
        {
            // HubSpot refuses the whole request when the token lacks a scope the call needs.
            await EmulatorJson.WriteAsync(context, 403, EmulatorJson.Error(
                "This app hasn't been granted all required scopes to make this call.", "MISSING_SCOPES", body =>
                    body["errors"] = new JsonArray(new JsonObject
                    {
                        ["message"] = "One or more of the following scopes are required.",
                        ["context"] = new JsonObject { ["requiredScopes"] = new JsonArray(scope) },
                    })));
            return;
        }

        await next(context);
    }

    private static JsonResult Answer(ApiAnswer answer) => new JsonResult(answer.Status, answer.Body);

    private JsonObject WebhooksJson() => new()
    {
        ["targetUrl"] = Webhooks.Subscription?.TargetUrl.ToString(),
        ["mode"] = Webhooks.Subscription?.Unordered == true ? "unordered" : "normal",
        ["delivered"] = Webhooks.Delivered,
        ["failed"] = Webhooks.Failed,
    };

    /// <summary>A route template under the name the stats use: a date-versioned route counts as its legacy form.</summary>
    private static string? CanonicalRoute(string? template) =>
        template?.Replace($"/crm/objects/{VersionSegment}/", "/crm/v3/objects/", StringComparison.Ordinal)
            .Replace($"/crm/properties/{VersionSegment}/", "/crm/v3/properties/", StringComparison.Ordinal);

    private static ApiAnswer Invalid(string message) => new(400, EmulatorJson.Error(message, "VALIDATION_ERROR"));

    private static bool ByEmail(HttpRequest request) => string.Equals(request.Query["idProperty"], "email", StringComparison.Ordinal);

    /// <summary><c>?properties=a,b</c> or <c>?properties=a&amp;properties=b</c>, as HubSpot accepts both.</summary>
    private static List<string>? PropertyList(HttpRequest request)
    {
        var values = request.Query["properties"];
        return values.Count == 0
            ? null
            : values.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
    }

    /// <summary>Parses the JSON body, runs the handler and writes its answer (a RequestDelegate).</summary>
    private static async Task WithBody(HttpContext context, Func<JsonObject, ApiAnswer> handle)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await Answer(Invalid($"Invalid input JSON on line {ex.LineNumber + 1}, column {ex.BytePositionInLine + 1}: {ex.Message.Split('.')[0]}")).ExecuteAsync(context);
            return;
        }

        await Answer(body is JsonObject obj ? handle(obj) : Invalid("Invalid input JSON: expected an object")).ExecuteAsync(context);
    }

    private static Task WithBatch(HttpContext context, Func<JsonObject, JsonArray, ApiAnswer> handle) =>
        WithBody(context, body =>
        {
            if (body["inputs"] is not JsonArray inputs)
            {
                return Invalid("inputs is required");
            }

            // HubSpot batch endpoints take at most 100 inputs.
            return inputs.Count > 100 ? Invalid("Too many inputs: at most 100 are allowed") : handle(body, inputs);
        });

    private async Task PersistLoopAsync(string file, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                Save();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the final save happens in DisposeAsync.
        }
    }

    private void Save()
    {
        if (_options.DataFile is not { } file || Store.Version == _savedVersion)
        {
            return;
        }

        var version = Store.Version;
        var temp = file + ".tmp";
        File.WriteAllText(temp, Store.Export().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, file, overwrite: true);
        _savedVersion = version;
    }
}

/// <summary>A host lifetime that leaves process signals alone.</summary>
public sealed class EmbeddedLifetime : Microsoft.Extensions.Hosting.IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
