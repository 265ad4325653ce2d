namespace HhLearn.Cli.Commands;

/// <summary><c>hhlearn emulator</c>: the HubSpot emulator on 127.0.0.1 until Ctrl-C.</summary>
internal static class EmulatorCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1", DefaultValueFactory = _ => 5081 }.IsPort();
        var token = new Option<string?>("--token") { Description = "Accepted bearer token (default: any non-empty token)" };
        var rateLimit = new Option<string>("--rate-limit") { Description = "Requests per rolling 10 seconds per token", DefaultValueFactory = _ => "100/10s" };
        var searchLag = new Option<string>("--search-lag") { Description = "How long writes take to show in search", DefaultValueFactory = _ => "2s" };
        var data = new Option<string?>("--data") { Description = "JSON file to load from and save to" };
        var errorRate = new Option<double>("--error-rate") { Description = "Share (0..1) of requests answered with a 5xx", DefaultValueFactory = _ => 0 };
        var latency = new Option<string>("--latency") { Description = "Added latency per request, e.g. 50ms", DefaultValueFactory = _ => "0" };
        var webhookUrl = new Option<string?>("--webhook-url") { Description = "Deliver webhooks (merges, deletions, GDPR deletes, email changes) to this URL" };
        var webhookSecret = new Option<string?>("--webhook-secret") { Description = "The app's client secret the deliveries are signed with (X-HubSpot-Signature-v3)" };
        var behaviour = new Option<string[]>("--behaviour")
        {
            Description = "A portal behaviour, KEY=VALUE (repeatable): mergedIdsInBatch=resolve|omit, secondaryEmailLookup=found|not-found, " +
                          "missingScopes=a,b, grantedScopes=a,b, tokenKind=private-app|service-key, requiredOnCreate=a,b, batchValidation=whole-request|per-input",
            AllowMultipleArgumentsPerToken = false,
        };
        var scopes = new Option<string?>("--scopes")
        {
            Description = "The token has only these scopes (comma-separated, e.g. crm.objects.contacts.read); 403 MISSING_SCOPES beyond them. Default: all",
        };

        var command = new Command("emulator", "Run the local HubSpot CRM v3 emulator until Ctrl-C")
        {
            port, token, rateLimit, searchLag, data, errorRate, latency, behaviour, webhookUrl, webhookSecret, scopes,
        };
        command.SetAction(async (parse, ct) =>
        {
            EmulatorOptions options;
            try
            {
                options = new EmulatorOptions
                {
                    Token = parse.GetValue(token),
                    RequestsPerTenSeconds = EmulatorOptions.ParseRateLimit(parse.GetValue(rateLimit)!),
                    SearchLag = EmulatorOptions.ParseDuration(parse.GetValue(searchLag)!),
                    DataFile = parse.GetValue(data),
                    Faults = new FaultSettings
                    {
                        ErrorRate = Math.Clamp(parse.GetValue(errorRate), 0, 1),
                        Latency = EmulatorOptions.ParseDuration(parse.GetValue(latency)!),
                    },
                    Behaviour = (parse.GetValue(behaviour) ?? []).Aggregate(
                        parse.GetValue(scopes) is { } granted ? new PortalBehaviour().With("grantedScopes", granted) : new PortalBehaviour(),
                        (current, pair) => pair.Split('=', 2) is [var key, var value] ? current.With(key.Trim(), value.Trim()) : throw new FormatException($"--behaviour '{pair}' is not KEY=VALUE")),
                };
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"hhlearn emulator: {ex.Message}");
                return 1;
            }

            using var shutdown = new Shutdown(ct);
            await using var emulator = await StartOrExplainAsync(options, parse.GetValue(port), shutdown.Token);
            if (emulator is null)
            {
                return 1;
            }

            if (parse.GetValue(webhookUrl) is { } target)
            {
                if (!Uri.TryCreate(target, UriKind.Absolute, out var targetUrl) || parse.GetValue(webhookSecret) is not { Length: > 0 } secret)
                {
                    Console.Error.WriteLine("hhlearn emulator: --webhook-url takes an absolute URL, and --webhook-secret the client secret to sign with");
                    return 1;
                }

                emulator.Webhooks.Subscription = new WebhookSubscription(targetUrl, secret);
            }

            Console.WriteLine($"HubSpot emulator listening on {emulator.BaseUrl}");
            Console.WriteLine($"  rate limit {options.RequestsPerTenSeconds}/10s, search lag {options.SearchLag.TotalSeconds}s, token {(options.Token is null ? "any" : "required")}{(options.DataFile is null ? string.Empty : $", data {options.DataFile}")}");
            Console.WriteLine($"  behaviour {options.Behaviour.ToJson().ToJsonString()}");
            Console.WriteLine($"  admin: {emulator.BaseUrl}_emulator/stats, POST {emulator.BaseUrl}_emulator/faults, POST {emulator.BaseUrl}_emulator/behaviour, POST {emulator.BaseUrl}_emulator/reset");
            await shutdown.UntilStoppedAsync();
            return 0;
        });
        return command;
    }

    internal static async Task<HubSpotEmulator.HubSpotEmulator?> StartOrExplainAsync(EmulatorOptions options, int port, CancellationToken ct)
    {
        try
        {
            return await HubSpotEmulator.HubSpotEmulator.StartAsync(options, port, ct: ct);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"hhlearn: cannot listen on 127.0.0.1:{port} ({ex.Message}); is something else using it?");
            return null;
        }
    }
}
