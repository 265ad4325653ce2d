using System.Collections;
using System.Text.Json;
using HhLearn.Function.Events;
using HhLearn.HubSpot;
using HhLearn.HubSpotEmulator;
using HhLearn.Cli.Local;
using HhLearn.CrmSync.Contacts;

namespace HhLearn.Function.Tests;

/// <summary>The function composed against an in-process HubSpot emulator, invoked with API Gateway events.</summary>
internal sealed class FunctionFixture : IAsyncDisposable
{
    public const string Token = "function-token";

    private readonly DirectoryInfo _catalog;

    private FunctionFixture(HubSpotEmulator.HubSpotEmulator emulator, FunctionApp app, StringWriter logText, DirectoryInfo catalog)
    {
        Emulator = emulator;
        App = app;
        LogText = logText;
        _catalog = catalog;
    }

    public HubSpotEmulator.HubSpotEmulator Emulator { get; }
    public FunctionApp App { get; }
    public StringWriter LogText { get; }

    public IReadOnlyList<JsonNode> LogLines => TestSupport.LogLines.Parse(LogText.ToString());

    /// <summary>The projection queue in store mode: nudges the function sent land here.</summary>
    public FifoQueue? Queue { get; private set; }

    /// <summary>The progress store in store mode, read from the test.</summary>
    public HhLearn.Store.ProgressStore? Store { get; private set; }

    /// <summary>
    /// The function against the emulator: in HubSpot-only direct mode, or with <paramref name="store"/> in store mode
    /// (its own table on the shared dynalite and its own projection queue on the shared local SQS).
    /// </summary>
    public static async Task<FunctionFixture> StartAsync(Dictionary<string, string>? environment = null, ICrmTokenSource? tokens = null, bool store = false)
    {
        var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { Token = Token, RequestsPerTenSeconds = 10_000 });
        Provision(emulator.Store);
        var catalog = WriteCatalog();
        var variables = new Hashtable
        {
            ["ENABLE_CRM_PROGRESS"] = "true",
            ["HUBSPOT_PRIVATE_APP_TOKEN"] = Token,
            ["HUBSPOT_BASE_URL"] = emulator.BaseUrl.ToString(),
            ["CATALOG_DIR"] = catalog.FullName,
            ["ALLOWED_ORIGINS"] = "https://learn.example.com",
            ["HUBSPOT_RATE_LIMIT"] = "250",
        };
        FifoQueue? queue = null;
        string? table = null;
        if (store)
        {
            (table, var queueUrl, queue) = await TestSupport.SharedLocalAws.NewTableAndQueueAsync();
            variables["PROGRESS_TABLE"] = table;
            variables["HHLEARN_HASH_KEY"] = TestSupport.TestHashKey.Text;
            variables["SYNC_QUEUE_URL"] = queueUrl.ToString();

            // The projection writes each batch at once (the deployed default collects for 5 s: ProjectionWindowTests and
            // the EndToEnd suite test the window); these tests are about the function, not the window.
            variables[Operations.SettingNames.ProjectionWindowSeconds] = "0";
        }

        foreach (var (key, value) in environment ?? [])
        {
            variables[key] = value;
        }

        var (config, problems) = FunctionConfig.FromEnvironment(variables);
        Assert.Empty(problems);
        var logText = new StringWriter();
        var app = FunctionApp.Create(config, new JsonLineLog(logText, TimeProvider.System), TimeProvider.System, tokens);
        return new FunctionFixture(emulator, app, logText, catalog)
        {
            Queue = queue,
            Store = table is null ? null : new HhLearn.Store.ProgressStore(HhLearn.Store.ProgressStore.CreateClient(), table, Progress.Catalog.LearningCatalog.Empty, TimeProvider.System,
                new HhLearn.Store.StoreOptions { HashKey = TestSupport.TestHashKey.Key }),
        };
    }

    /// <summary>Hands the nudges waiting on the projection queue to the function, as the event source mapping does, until none is left.</summary>
    public async Task<List<JsonNode>> ProjectAsync()
    {
        var answers = new List<JsonNode>();
        while (await Queue!.ReceiveAsync(10, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None) is { Count: > 0 } batch)
        {
            var sqsEvent = new JsonObject
            {
                ["Records"] = new JsonArray(batch.Select(m => (JsonNode)new JsonObject
                {
                    ["messageId"] = m.MessageId, ["receiptHandle"] = m.ReceiptHandle, ["body"] = m.Body,
                    ["attributes"] = new JsonObject { ["MessageGroupId"] = m.GroupId, ["ApproximateReceiveCount"] = m.ReceiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    ["eventSource"] = "aws:sqs",
                }).ToArray()),
            };
            var bytes = await App.HandleAsync(Encoding.UTF8.GetBytes(sqsEvent.ToJsonString()), new LambdaContext("sqs-" + Guid.NewGuid().ToString("N")[..8], DateTimeOffset.UtcNow.AddSeconds(30), null, null));
            var answer = JsonNode.Parse(bytes.Span)!;
            answers.Add(answer);
            var failed = answer["batchItemFailures"]!.AsArray().Select(f => (string?)f!["itemIdentifier"]).ToHashSet();
            foreach (var message in batch.Where(m => !failed.Contains(m.MessageId)))
            {
                Queue.Delete(message.ReceiptHandle);
            }

            if (failed.Count > 0)
            {
                break;
            }
        }

        return answers;
    }

    public static void Provision(ContactStore store) => TestSupport.EmulatorSetup.Provision(store);

    private static DirectoryInfo WriteCatalog()
    {
        var dir = Directory.CreateTempSubdirectory("hhlearn-catalog-");
        Directory.CreateDirectory(Path.Combine(dir.FullName, "courses"));
        Directory.CreateDirectory(Path.Combine(dir.FullName, "pathways"));
        File.WriteAllText(Path.Combine(dir.FullName, "courses", "course-a.json"), """{"slug":"course-a","modules":["a1","a2"]}""");
        File.WriteAllText(Path.Combine(dir.FullName, "courses", "course-b.json"), """{"slug":"course-b","modules":["b1"]}""");
        File.WriteAllText(Path.Combine(dir.FullName, "courses", "course-c.json"), """{"slug":"course-c","modules":["c1","c2","c3"]}""");
        File.WriteAllText(Path.Combine(dir.FullName, "pathways", "path-x.json"), """{"slug":"path-x","courses":["course-a","course-b"]}""");
        return dir;
    }

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    /// <summary>An API Gateway v2 event as AWS sends it.</summary>
    public static string Request(string method, string path, string? body = null, string? query = null,
        Dictionary<string, string>? headers = null, Dictionary<string, string>? claims = null, bool base64 = false)
    {
        var request = JsonNode.Parse(Fixture("track-module-completed.json"))!.AsObject();
        request["routeKey"] = $"{method} {path}";
        request["rawPath"] = path;
        request["rawQueryString"] = query ?? string.Empty;
        request.Remove("queryStringParameters");
        request["headers"] = new JsonObject((headers ?? new Dictionary<string, string> { ["content-type"] = "application/json" })
            .Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        request["requestContext"]!["http"]!["method"] = method;
        request["requestContext"]!["http"]!["path"] = path;
        request["requestContext"]!["routeKey"] = $"{method} {path}";
        if (claims is not null)
        {
            request["requestContext"]!["authorizer"] = new JsonObject
            {
                ["jwt"] = new JsonObject { ["claims"] = new JsonObject(claims.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))), ["scopes"] = new JsonArray() },
            };
        }

        if (body is null)
        {
            request.Remove("body");
            request["isBase64Encoded"] = false;
        }
        else
        {
            request["body"] = base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(body)) : body;
            request["isBase64Encoded"] = base64;
        }

        return request.ToJsonString();
    }

    public async Task<Answer> InvokeAsync(string eventJson)
    {
        var bytes = await App.HandleAsync(Encoding.UTF8.GetBytes(eventJson), new LambdaContext("req-" + Guid.NewGuid().ToString("N")[..8], DateTimeOffset.UtcNow.AddSeconds(30), null, null));
        var response = JsonSerializer.Deserialize(bytes.Span, FunctionJsonContext.Default.APIGatewayHttpApiV2ProxyResponse)!;
        return new Answer(response.StatusCode, response.Body is { Length: > 0 } b ? JsonNode.Parse(b) : null, response.Headers ?? []) { Text = response.Body };
    }

    public Task<Answer> TrackAsync(string body, Dictionary<string, string>? claims = null) =>
        InvokeAsync(Request("POST", "/events/track", body, claims: claims));

    public Task<Answer> GetAsync(string path, string query, Dictionary<string, string>? claims = null) =>
        InvokeAsync(Request("GET", path, query: query, claims: claims, headers: new Dictionary<string, string> { ["accept"] = "application/json" }));

    public IReadOnlyDictionary<string, string>? Contact(string email) =>
        Emulator.Store.AllContacts().FirstOrDefault(c => c.Properties.GetValueOrDefault("email") == email).Properties;

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Emulator.DisposeAsync();
        _catalog.Delete(recursive: true);
    }
}

internal sealed record Answer(int Status, JsonNode? Body, Dictionary<string, string> Headers)
{
    /// <summary>The body as sent.</summary>
    public string? Text { get; init; }

    public string? Code => (string?)Body?["details"]?["code"];
}
