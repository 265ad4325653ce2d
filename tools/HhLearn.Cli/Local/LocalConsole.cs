using System.Reflection;

namespace HhLearn.Cli.Local;

/// <summary>
/// The local console at <c>/_local/</c>: a page built on the reference browser client (<c>clients/browser/hhlearn.js</c>)
/// to click through the catalog as a learner and see, side by side, the API's answers, the stored progress, the
/// HubSpot contact and the queue. Also the local switches the browser tests use (<c>/_local/faults</c>).
/// </summary>
internal static class LocalConsole
{
    public static void Map(WebApplication app, string? catalogDir, HubSpotEmulator.HubSpotEmulator? emulator, ProgressStore? store, LocalFaults faults)
    {
        app.MapGet("/_local/", () => Resource("index.html", "text/html; charset=utf-8"));
        app.MapGet("/_local/console.js", () => Resource("console.js", "text/javascript; charset=utf-8"));
        app.MapGet("/_local/hhlearn.js", () => Resource("hhlearn.js", "text/javascript; charset=utf-8"));
        app.MapGet("/_local/catalog", () => Results.Text(Catalog(catalogDir).ToJsonString(), "application/json"));
        app.MapGet("/_local/hubspot", (string? email) =>
        {
            if (emulator is null)
            {
                return Results.StatusCode(501);
            }

            var contact = emulator.Store.AllContacts().FirstOrDefault(c => string.Equals(c.Properties.GetValueOrDefault("email"), email?.Trim(), StringComparison.OrdinalIgnoreCase));
            return contact.Id is null
                ? Results.NotFound()
                : Results.Text(new JsonObject { ["id"] = contact.Id, ["properties"] = new JsonObject(contact.Properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) }.ToJsonString(), "application/json");
        });
        app.MapGet("/_local/learner", async (string? email) =>
        {
            if (store is null || email is null || Progress.Events.Identifiers.EmailOrNull(email) is not { } normalized)
            {
                return Results.NotFound();
            }

            var learner = await store.ReadAsync(new Progress.Events.LearnerIdentity(normalized, null), CancellationToken.None);
            return learner is null
                ? Results.NotFound()
                : Results.Text(new JsonObject
                {
                    ["key"] = learner.Key, ["contactId"] = learner.ContactId, ["version"] = learner.Version, ["projectedVersion"] = learner.ProjectedVersion,
                    ["behindSince"] = learner.DueSince, ["importPending"] = learner.ImportPending, ["blocked"] = learner.Blocked, ["updatedAt"] = learner.UpdatedAt,
                }.ToJsonString(), "application/json");
        });
        app.MapGet("/_local/faults", () => Results.Text(faults.ToJson().ToJsonString(), "application/json"));
        app.MapPost("/_local/faults", async (HttpContext context) =>
        {
            if (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) is not JsonObject body)
            {
                return Results.BadRequest();
            }

            faults.Apply(body);
            return Results.Text(faults.ToJson().ToJsonString(), "application/json");
        });
    }

    private static IResult Resource(string name, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"console/{name}")
            ?? throw new InvalidOperationException($"the console resource {name} is not embedded");
        using var reader = new StreamReader(stream);
        return Results.Text(reader.ReadToEnd(), contentType);
    }

    /// <summary>The catalog files as they are (with their titles): <c>{"pathways":[...],"courses":[...]}</c>.</summary>
    private static JsonObject Catalog(string? directory)
    {
        JsonArray Read(string kind)
        {
            var result = new JsonArray();
            var folder = directory is null ? null : Path.Combine(directory, kind);
            if (folder is null || !Directory.Exists(folder))
            {
                return result;
            }

            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                try
                {
                    if (JsonNode.Parse(File.ReadAllText(file)) is JsonObject item)
                    {
                        result.Add(item);
                    }
                }
                catch (System.Text.Json.JsonException)
                {
                    // The function reports bad catalog files (catalog_file_skipped); the console shows the rest.
                }
            }

            return result;
        }

        return new JsonObject { ["pathways"] = Read("pathways"), ["courses"] = Read("courses") };
    }
}

/// <summary>Faults of the local stack's own services, switched on and off through <c>/_local/faults</c>.</summary>
public sealed class LocalFaults(LocalSqs? sqs, Dynalite? dynalite)
{
    private bool _storeUnavailable;

    /// <summary>The local SQS answers every call with 503 ServiceUnavailable (the queue is down).</summary>
    public bool QueueUnavailable
    {
        get => sqs?.Unavailable ?? false;
        set
        {
            if (sqs is not null)
            {
                sqs.Unavailable = value;
            }
        }
    }

    /// <summary>The local DynamoDB stops answering (its process is paused): calls time out, as in an outage.</summary>
    public bool StoreUnavailable
    {
        get => _storeUnavailable;
        set
        {
            if (dynalite is null || value == _storeUnavailable)
            {
                return;
            }

            if (value)
            {
                dynalite.Pause();
            }
            else
            {
                dynalite.Resume();
            }

            _storeUnavailable = value;
        }
    }

    public void Apply(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body["queueUnavailable"] is JsonValue queue && queue.TryGetValue<bool>(out var queueDown))
        {
            QueueUnavailable = queueDown;
        }

        if (body["storeUnavailable"] is JsonValue store && store.TryGetValue<bool>(out var storeDown))
        {
            StoreUnavailable = storeDown;
        }
    }

    public JsonObject ToJson() => new() { ["queueUnavailable"] = QueueUnavailable, ["storeUnavailable"] = StoreUnavailable };
}
