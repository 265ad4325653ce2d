namespace HhLearn.Cli.Commands;

/// <summary><c>hhlearn local</c>: the whole service on this machine, as AWS would run it.</summary>
internal static class LocalCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port of the HTTP API on 127.0.0.1", DefaultValueFactory = _ => 5080 }.IsPort();
        var hubSpotUrl = new Option<string?>("--hubspot-url") { Description = "Use this HubSpot (token from HUBSPOT_PRIVATE_APP_TOKEN) instead of the built-in emulator" };
        var emulatorPort = new Option<int>("--emulator-port") { Description = "Port of the built-in HubSpot emulator", DefaultValueFactory = _ => 5081 }.IsPort();
        var concurrency = new Option<int>("--concurrency") { Description = "Function instances", DefaultValueFactory = _ => 4 }.InRange(1, 64);
        var bootstrap = new Option<string?>("--bootstrap") { Description = "The function to run: an AOT bootstrap binary or a bootstrap.dll (default: the AOT build if published, else JIT)" };
        var catalog = new Option<string?>("--catalog") { Description = "Catalog directory (default: samples/catalog)" };
        var quiet = new Option<bool>("--quiet") { Description = "Do not print the function's log lines" };
        var webhookSecret = new Option<string?>("--webhook-secret")
        {
            Description = "Take HubSpot's webhooks at /hubspot/webhooks, signed with this client secret; the built-in emulator delivers its merges, deletions and email changes there",
        };
        var direct = new Option<bool>("--direct") { Description = "The original's HubSpot-only direct mode: no progress store, each event written to HubSpot before the answer" };
        var storeUrl = new Option<string?>("--store-url") { Description = "Another DynamoDB endpoint for the progress store (default: dynalite, in memory, started here)" };
        var allowOrigin = new Option<string[]>("--allow-origin")
        {
            Description = "A page origin that may call the API with credentials (repeatable; default: any http://127.0.0.1:* and http://localhost:* page)",
            AllowMultipleArgumentsPerToken = false,
        };

        var window = new Option<int>("--projection-window")
        {
            Description = "Seconds the projection collects learners before writing them to HubSpot (0 writes at once)",
            DefaultValueFactory = _ => 5,
        }.InRange(0, 60);

        var command = new Command("local", "Run the whole service locally: API Gateway emulation, the Lambda function, and the HubSpot emulator")
        {
            port, hubSpotUrl, emulatorPort, concurrency, bootstrap, catalog, quiet, direct, storeUrl, allowOrigin, webhookSecret, window,
        };
        command.SetAction(async (parse, ct) =>
        {
            Uri? external = null;
            if (parse.GetValue(hubSpotUrl) is { } url)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out external))
                {
                    Console.Error.WriteLine($"hhlearn local: --hubspot-url '{url}' is not an absolute URL");
                    return 1;
                }

                if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ProvisionCommand.TokenVariable)))
                {
                    Console.Error.WriteLine($"hhlearn local: --hubspot-url needs {ProvisionCommand.TokenVariable}");
                    return 1;
                }
            }

            Uri? store = null;
            if (parse.GetValue(storeUrl) is { } storeText && !Uri.TryCreate(storeText, UriKind.Absolute, out store))
            {
                Console.Error.WriteLine($"hhlearn local: --store-url '{storeText}' is not an absolute URL");
                return 1;
            }

            if (parse.GetValue(catalog) is { } catalogDir && !Directory.Exists(catalogDir))
            {
                // Without its catalog the function would start, but no course could ever be inferred complete.
                Console.Error.WriteLine($"hhlearn local: --catalog '{catalogDir}' does not exist (a folder with courses/*.json and pathways/*.json)");
                return 1;
            }

            var origins = parse.GetValue(allowOrigin) is { Length: > 0 } given ? given : [.. Operations.CorsPolicy.LocalDefault];
            foreach (var problem in origins.Select(Operations.CorsPolicy.Problem).OfType<string>())
            {
                Console.Error.WriteLine($"hhlearn local: --allow-origin {problem}");
                return 1;
            }

            var isQuiet = parse.GetValue(quiet);
            var options = new LocalOptions
            {
                Port = parse.GetValue(port),
                HubSpotUrl = external is null ? null : ProvisionCommand.WithSlash(external),
                HubSpotToken = Environment.GetEnvironmentVariable(ProvisionCommand.TokenVariable),
                EmulatorPort = parse.GetValue(emulatorPort),
                Concurrency = Math.Clamp(parse.GetValue(concurrency), 1, 64),
                Bootstrap = parse.GetValue(bootstrap),
                CatalogDir = parse.GetValue(catalog),
                ProjectionWindow = TimeSpan.FromSeconds(parse.GetValue(window)),
                Log = isQuiet ? _ => { } : Console.WriteLine,
                Steps = step => Console.WriteLine($"hhlearn local: {step}..."),
                Direct = parse.GetValue(direct),
                StoreUrl = store,
                AllowedOrigins = origins,
                WebhookSecret = parse.GetValue(webhookSecret),
            };

            using var shutdown = new Shutdown(ct);
            LocalService stack;
            try
            {
                stack = await LocalService.StartAsync(options, shutdown.Token);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"hhlearn local: cannot start ({ex.Message}); is another hhlearn local or emulator running? Use --port / --emulator-port.");
                return 1;
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine($"hhlearn local: {ex.Message}");
                return 1;
            }

            await using (stack)
            {
                PrintBanner(stack);
                await shutdown.UntilStoppedAsync();
            }

            return 0;
        });
        return command;
    }

    private static void PrintBanner(LocalService stack)
    {
        var api = stack.ApiUrl.ToString().TrimEnd('/');
        Console.WriteLine("HhLearn is running locally.");
        Console.WriteLine($"  console    {api}/_local/  (click through the catalog as a learner; see the answers, the stored progress and the HubSpot contact)");
        Console.WriteLine($"  API        {api}/  (API Gateway HTTP API emulation; stats at {api}/_local/stats)");
        Console.WriteLine($"  CORS       pages from {string.Join(", ", stack.Options.AllowedOrigins)} may call it with credentials (--allow-origin)");
        Console.WriteLine(stack.Emulator is null
            ? $"  HubSpot    {stack.HubSpotUrl}"
            : $"  HubSpot    {stack.HubSpotUrl}  (built-in emulator, token {LocalService.EmulatorToken}; {stack.HubSpotUrl}_emulator/contacts)");
        Console.WriteLine($"  function   {stack.Options.Concurrency} x {stack.Bootstrap.Kind.ToUpperInvariant()} bootstrap ({string.Join(' ', [stack.Bootstrap.FileName, .. stack.Bootstrap.Arguments])})");
        if (stack.Bootstrap.Kind == "jit" && BootstrapCommand.AotPath() is { } stale)
        {
            Console.WriteLine($"             (the AOT build {stale} is older than the sources; publish it again to run it)");
        }
        if (stack.Options.Direct)
        {
            Console.WriteLine("  mode       direct: HubSpot only (each event is written to HubSpot before the API answers; no progress store)");
        }
        else
        {
            Console.WriteLine($"  store      {stack.Options.StoreUrl?.ToString() ?? stack.Dynalite!.Endpoint + " (dynalite, in memory)"}  table {stack.Options.Table}");
            Console.WriteLine($"  tools      export HHLEARN_HASH_KEY={stack.HashKeyText} AWS_ENDPOINT_URL_DYNAMODB={stack.Options.StoreUrl?.ToString() ?? stack.Dynalite!.Endpoint.ToString()} PROGRESS_TABLE={stack.Options.Table}");
            Console.WriteLine("             (then hhlearn forget|suppress|export|reproject|import work on this stack's table)");
            Console.WriteLine($"  projection {stack.Sqs!.QueueUrl(LocalService.QueueName)}  ({stack.Options.QueueConcurrency} projectors, batches of 10, a {stack.Options.ProjectionWindow?.TotalSeconds ?? 5:0} s window, DLQ after {stack.Options.Queue.MaxReceiveCount} receives; sweeper every {stack.Options.SweepEvery.TotalSeconds:0} s)");
        }
        Console.WriteLine();
        Console.WriteLine("Try:");
        Console.WriteLine($$$"""  curl -s -X POST {{{api}}}/events/track -H 'content-type: application/json' -d '{"eventName":"learning_module_completed","contactIdentifier":{"email":"ada@example.com"},"payload":{"pathway_slug":"cloud-foundations","course_slug":"intro-to-cloud","module_slug":"what-is-cloud"}}'""");
        Console.WriteLine($"  curl -s '{api}/progress/read?email=ada%40example.com'");
    }
}
