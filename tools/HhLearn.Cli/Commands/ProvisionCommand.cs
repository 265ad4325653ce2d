namespace HhLearn.Cli.Commands;

/// <summary>
/// <c>hhlearn provision</c>: creates the <c>learning_milestones</c> group and every contact property of
/// docs/architecture.md section 4. Idempotent: existing properties are checked, and a type or fieldType mismatch is
/// reported (exit code 2) rather than ignored.
/// </summary>
internal static class ProvisionCommand
{
    public const string TokenVariable = SettingNames.HubSpotToken;

    public static Command Create()
    {
        var url = new Option<string>("--hubspot-url")
        {
            Description = "HubSpot API base URL (default: HUBSPOT_BASE_URL, else https://api.hubapi.com)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SettingNames.HubSpotBaseUrl) ?? "https://api.hubapi.com",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check and report; create nothing" };
        var command = new Command("provision", $"Create the CRM properties HhLearn writes (token from {TokenVariable})") { url, dryRun };
        command.SetAction(async (parse, ct) =>
        {
            var token = Environment.GetEnvironmentVariable(TokenVariable);
            if (string.IsNullOrWhiteSpace(token))
            {
                Console.Error.WriteLine($"hhlearn provision: {TokenVariable} is not set; export the private app token first");
                return 1;
            }

            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var baseUrl))
            {
                Console.Error.WriteLine($"hhlearn provision: --hubspot-url '{parse.GetValue(url)}' is not an absolute URL");
                return 1;
            }

            return await RunAsync(baseUrl, token, parse.GetValue(dryRun), AnsiConsole.Console, Console.Error, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(Uri baseUrl, string token, bool dryRun, IAnsiConsole console, TextWriter errors, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = WithSlash(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        await using var client = new HubSpotClient(http, new StaticTokenProvider(token), new HubSpotClientOptions
        {
            MaxAttempts = 3,
            TotalBudget = TimeSpan.FromSeconds(30),
        });

        var table = new Table().Title(dryRun ? "HubSpot properties (dry run: nothing created)" : "HubSpot properties")
            .AddColumns("property", "type / fieldType", "result");
        var mismatches = 0;
        try
        {
            table.AddRow(ContactPropertyNames.GroupName, "group", Markup.Escape(await EnsureGroupAsync(client, dryRun, ct)));
            foreach (var wanted in ContactPropertySchema.All)
            {
                var existing = await client.GetPropertyAsync(wanted.Name, ct);
                string result;
                if (existing is null)
                {
                    result = dryRun ? "would be created" : await CreateAsync(client, wanted, ct);
                }
                else if (existing.Type == wanted.Type && existing.FieldType == wanted.FieldType)
                {
                    result = "exists, matches";
                }
                else
                {
                    mismatches++;
                    result = $"MISMATCH: HubSpot has {existing.Type} / {existing.FieldType}";
                }

                table.AddRow(wanted.Name, $"{wanted.Type} / {wanted.FieldType}", Markup.Escape(result));
            }
        }
        catch (HubSpotApiException ex) when (ex.StatusCode is 0)
        {
            errors.WriteLine($"hhlearn provision: cannot reach HubSpot at {baseUrl} ({ex.Message})");
            return 1;
        }
        catch (HubSpotUnauthorizedException)
        {
            errors.WriteLine($"hhlearn provision: HubSpot refused the token ({TokenVariable}): 401");
            return 1;
        }
        catch (HubSpotForbiddenException ex)
        {
            errors.WriteLine($"hhlearn provision: the token lacks scopes {string.Join(", ", ex.RequiredScopes)} (needs crm.schemas.contacts.write)");
            return 1;
        }
        catch (HubSpotApiException ex)
        {
            errors.WriteLine($"hhlearn provision: HubSpot answered {ex.StatusCode} {ex.Category}: {ex.Message} (correlationId {ex.CorrelationId})");
            return 1;
        }

        console.Write(table);
        if (mismatches > 0)
        {
            console.WriteLine($"{mismatches} propert{(mismatches == 1 ? "y has" : "ies have")} the wrong type or fieldType in HubSpot. HhLearn would write values they reject; fix them in HubSpot (archive and re-create) and run provision again.");
            return 2;
        }

        return 0;
    }

    private static async Task<string> EnsureGroupAsync(HubSpotClient client, bool dryRun, CancellationToken ct)
    {
        if (dryRun)
        {
            return "would be created if missing";
        }

        try
        {
            await client.CreatePropertyGroupAsync(new HubSpotPropertyGroup { Name = ContactPropertyNames.GroupName, Label = ContactPropertyNames.GroupLabel }, ct);
            return "created";
        }
        catch (HubSpotConflictException)
        {
            return "exists";
        }
    }

    private static async Task<string> CreateAsync(HubSpotClient client, PropertyDefinition wanted, CancellationToken ct)
    {
        try
        {
            await client.CreatePropertyAsync(new HubSpotProperty
            {
                Name = wanted.Name,
                Label = wanted.Label,
                Type = wanted.Type,
                FieldType = wanted.FieldType,
                GroupName = ContactPropertyNames.GroupName,
                Description = wanted.Description,
                FormField = false,
            }, ct);
            return "created";
        }
        catch (HubSpotConflictException)
        {
            // Created by someone else between our read and our create.
            return "exists (created concurrently)";
        }
    }

    internal static Uri WithSlash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
}
