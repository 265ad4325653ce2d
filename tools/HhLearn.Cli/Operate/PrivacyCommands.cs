using Amazon.DynamoDBv2.Model;

namespace HhLearn.Cli.Operate;

/// <summary>
/// Personal data in the store: <c>hhlearn suppress</c> (keep a learner out of HubSpot, or let them back in),
/// <c>hhlearn forget</c> (erase them, and optionally their HubSpot contact) and <c>hhlearn export</c> (everything the
/// store holds about them, as JSON: a data-subject access request).
/// </summary>
internal static class PrivacyCommands
{
    /// <summary>The learner named by <c>--email</c> or <c>--contact-id</c>.</summary>
    private sealed class LearnerOptions
    {
        public Option<string?> Email { get; } = new("--email") { Description = "The learner's email" };
        public Option<string?> ContactId { get; } = new("--contact-id") { Description = "The learner's HubSpot contact id (for a learner known only by it)" };

        public void AddTo(Command command)
        {
            command.Options.Add(Email);
            command.Options.Add(ContactId);
        }

        public (LearnerIdentity? Who, string? Problem) Read(ParseResult parse)
        {
            var email = parse.GetValue(Email);
            var contactId = parse.GetValue(ContactId);
            if (email is null == contactId is null)
            {
                return (null, "name the learner with --email E or --contact-id ID");
            }

            if (email is not null)
            {
                return Identifiers.EmailOrNull(email) is { } valid ? (new LearnerIdentity(valid, null), null) : (null, $"'{email}' is not a valid email address");
            }

            return Identifiers.ContactIdOrNull(contactId) is { } id ? (new LearnerIdentity(null, id), null) : (null, $"'{contactId}' is not a HubSpot contact id");
        }
    }

    public static Command Suppress()
    {
        var store = new StoreConnection { NeedsHashKey = true };
        var learner = new LearnerOptions();
        var lift = new Option<bool>("--lift") { Description = "Let the learner back into HubSpot (they asked to be back): the projection finds or creates their contact again" };
        var command = new Command("suppress", "Keep a learner out of HubSpot (their events are still stored), or --lift that") { lift };
        learner.AddTo(command);
        store.AddTo(command);
        command.SetAction(async (parse, ct) => await WithStoreAsync("suppress", parse, store, learner,
            (progress, who) => SuppressAsync(progress, who, parse.GetValue(lift), AnsiConsole.Console, ct), ct));
        return command;
    }

    public static async Task<int> SuppressAsync(ProgressStore progress, LearnerIdentity who, bool lift, IAnsiConsole console, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(console);
        var table = new Table().Title("hhlearn suppress").AddColumns("learner", "result");
        var code = 0;
        if (lift)
        {
            var lifted = await progress.LiftSuppressionAsync(who, ct);
            table.AddRow(Name(who), lifted ? "suppression lifted; the projection writes the learner to HubSpot within a minute" : "was not suppressed; nothing changed");
            code = lifted ? 0 : 2;
        }
        else if (await progress.ReadAsync(who, ct) is not { } stored)
        {
            await progress.SuppressAsync(ProgressTable.KeyOf(who), SuppressionReasons.Operator, ct);
            table.AddRow(Name(who), "not in the store; a suppression record keeps them out of HubSpot if they come");
        }
        else
        {
            await progress.SuppressAsync(stored.Key, SuppressionReasons.Operator, ct);
            table.AddRow(Name(who), "suppressed: stored and answered as usual, never sent to HubSpot (hhlearn suppress --lift undoes it)");
        }

        console.Write(table);
        return code;
    }

    public static Command Forget()
    {
        var store = new StoreConnection { NeedsHashKey = true };
        var learner = new LearnerOptions();
        var hubspot = new Option<bool>("--hubspot") { Description = $"Also ask HubSpot to delete the contact for good (its GDPR delete; token from {Commands.ProvisionCommand.TokenVariable})" };
        var url = new Option<string>("--hubspot-url")
        {
            Description = "HubSpot API base URL (default: HUBSPOT_BASE_URL, else https://api.hubapi.com)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SettingNames.HubSpotBaseUrl) ?? "https://api.hubapi.com",
        };
        var command = new Command("forget", "Erase a learner from the progress store (and with --hubspot their HubSpot contact); a suppression record keeps them out of HubSpot") { hubspot, url };
        learner.AddTo(command);
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var token = Environment.GetEnvironmentVariable(Commands.ProvisionCommand.TokenVariable);
            if (parse.GetValue(hubspot) && (string.IsNullOrWhiteSpace(token) || !Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out _)))
            {
                Console.Error.WriteLine($"hhlearn forget: --hubspot needs {Commands.ProvisionCommand.TokenVariable} and an absolute --hubspot-url");
                return 1;
            }

            return await WithStoreAsync("forget", parse, store, learner, async (progress, who) =>
            {
                if (!parse.GetValue(hubspot))
                {
                    return await ForgetAsync(progress, who, null, AnsiConsole.Console, ct);
                }

                using var http = new HttpClient { BaseAddress = Commands.ProvisionCommand.WithSlash(new Uri(parse.GetValue(url)!)) };
                await using var client = new HubSpotClient(http, new StaticTokenProvider(token!));
                return await ForgetAsync(progress, who, client, AnsiConsole.Console, ct);
            }, ct);
        });
        return command;
    }

    /// <summary>Erases the learner from the store, and from HubSpot when <paramref name="hubSpot"/> is given.</summary>
    public static async Task<int> ForgetAsync(ProgressStore progress, LearnerIdentity who, HubSpotClient? hubSpot, IAnsiConsole console, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(console);
        var outcome = await progress.ForgetAsync(who, ct);
        var table = new Table().Title("hhlearn forget").AddColumns("what", "result");
        table.AddRow("store records erased", outcome.ErasedKeys.Count.ToString(CultureInfo.InvariantCulture));
        table.AddRow("suppression records kept (a keyed hash per identifier: email, contact id; no email)", "yes: not sent to HubSpot if they come back, by email or by contact id");
        table.AddRow("HubSpot contact", hubSpot is not null
            ? await DeleteInHubSpotAsync(hubSpot, outcome, ct)
            : outcome.ContactId is null ? "not asked (--hubspot)" : $"not asked (--hubspot): contact {outcome.ContactId} is still there");
        console.Write(table);
        return 0;
    }

    public static Command Export()
    {
        var store = new StoreConnection { NeedsHashKey = true };
        var learner = new LearnerOptions();
        var command = new Command("export", "Print everything the progress store holds about a learner, as JSON");
        learner.AddTo(command);
        store.AddTo(command);
        command.SetAction(async (parse, ct) => await WithStoreAsync("export", parse, store, learner,
            (progress, who) => ExportAsync(progress, who, Console.Out, Console.Error, ct), ct));
        return command;
    }

    /// <summary>Writes everything the store holds about the learner to <paramref name="output"/> as JSON; 2 when it holds nothing.</summary>
    public static async Task<int> ExportAsync(ProgressStore progress, LearnerIdentity who, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        var items = await progress.ExportAsync(who, ct);
        var document = new JsonObject
        {
            ["exportedAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["store"] = progress.TableName,
            ["records"] = new JsonArray(items.Select(i => (JsonNode)ToJson(i)).ToArray()),
        };
        await output.WriteLineAsync(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        if (items.Count == 0)
        {
            await errors.WriteLineAsync("hhlearn export: the store holds nothing about this learner");
            return 2;
        }

        return 0;
    }

    private static async Task<string> DeleteInHubSpotAsync(HubSpotClient client, ForgetOutcome outcome, CancellationToken ct)
    {
        var targets = (outcome.ContactId is { } id ? [(id, false)] : outcome.Emails.Select(e => (e, true))).ToList();
        var deleted = 0;
        foreach (var (target, byEmail) in targets)
        {
            try
            {
                await client.GdprDeleteContactAsync(target, byEmail, ct);
                deleted++;
            }
            catch (HubSpotNotFoundException)
            {
                // Already gone: nothing to delete.
            }
            catch (HubSpotApiException ex)
            {
                return $"HubSpot refused or failed ({ex.StatusCode} {ex.Category}); the store is erased: run again with --hubspot to retry HubSpot";
            }
        }

        return deleted > 0 ? "deleted for good (HubSpot's GDPR delete)" : "HubSpot had no such contact";
    }

    private static async Task<int> WithStoreAsync(string name, ParseResult parse, StoreConnection connection, LearnerOptions learner, Func<ProgressStore, LearnerIdentity, Task<int>> run, CancellationToken ct)
    {
        var (who, problem) = learner.Read(parse);
        var (client, table, storeProblem) = who is null ? (null, null, null) : connection.Open(parse);
        var (hashKey, keyProblem) = problem is null && storeProblem is null ? await connection.HashKeyAsync(parse, ct) : (null, null);
        if ((problem ?? storeProblem ?? keyProblem) is { } message)
        {
            Console.Error.WriteLine($"hhlearn {name}: {message}");
            client?.Dispose();
            return 1;
        }

        using (client)
        {
            try
            {
                var store = new ProgressStore(client!, table!, Progress.Catalog.LearningCatalog.Empty, TimeProvider.System, new StoreOptions { HashKey = hashKey });
                await store.CheckHashKeyAsync(ct);
                return await run(store, who!);
            }
            catch (HashKeyMismatchException ex)
            {
                Console.Error.WriteLine($"hhlearn {name}: {ex.Message}; nothing was done");
                return 1;
            }
            catch (Exception ex) when (ex is StoreUnavailableException or StoreContendedException)
            {
                Console.Error.WriteLine($"hhlearn {name}: the store did not answer ({ex.Message}); nothing or only part was done: run it again");
                return 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 130;
            }
        }
    }

    private static string Name(LearnerIdentity who) => who.Email is not null ? $"{Operations.EmailHash.Of(who.Email)} (email hash)" : $"contact id {who.ContactId}";

    private static JsonObject ToJson(Dictionary<string, AttributeValue> item) =>
        new(item.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value))));

    private static JsonNode? ToJson(AttributeValue value) => value switch
    {
        { S: { } s } => s,
        { N: { } n } => JsonValue.Create(decimal.Parse(n, CultureInfo.InvariantCulture)),
        { BOOL: { } b } => b,
        { M: { Count: > 0 } m } => new JsonObject(m.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
        { SS: { Count: > 0 } ss } => new JsonArray(ss.Select(s => (JsonNode)s).ToArray()),
        _ => null,
    };
}
