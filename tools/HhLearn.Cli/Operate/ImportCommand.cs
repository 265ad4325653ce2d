using HhLearn.Cli.Commands;

namespace HhLearn.Cli.Operate;

/// <summary>
/// <c>hhlearn import</c>: copies every HubSpot contact's progress (written by the earlier system) into the store ahead
/// of a cutover, through HubSpot's list endpoint, 100 contacts a page, within a rate limit it leaves room beside, with
/// progress shown and the cursor of every page printed so that an interrupted run resumes where it stopped. Importing
/// merges (the state-level join): running it twice, or after learners were already active, loses nothing.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var store = new StoreConnection { NeedsHashKey = true };
        var url = new Option<string>("--hubspot-url")
        {
            Description = "HubSpot API base URL (default: HUBSPOT_BASE_URL, else https://api.hubapi.com)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SettingNames.HubSpotBaseUrl) ?? "https://api.hubapi.com",
        };
        var after = new Option<string?>("--after") { Description = "Resume after this cursor (the last one a run printed)" };
        var rate = new Option<int>("--rate-limit") { Description = "HubSpot requests per 10 s this run may use (leave room for the live projection)", DefaultValueFactory = _ => 40 }.InRange(1, 250, "from 1 to 250 (HubSpot's largest limit per 10 s)");
        var catalog = new Option<string?>("--catalog") { Description = "Catalog folder, to derive completion when merging (default: CATALOG_DIR or samples/catalog)" };
        var command = new Command("import", $"Copy every HubSpot contact's progress into the progress store (token from {Commands.ProvisionCommand.TokenVariable})") { url, after, rate, catalog };
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var token = Environment.GetEnvironmentVariable(Commands.ProvisionCommand.TokenVariable);
            if (string.IsNullOrWhiteSpace(token))
            {
                Console.Error.WriteLine($"hhlearn import: {Commands.ProvisionCommand.TokenVariable} is not set; export the private app token first");
                return 1;
            }

            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var baseUrl))
            {
                Console.Error.WriteLine($"hhlearn import: --hubspot-url '{parse.GetValue(url)}' is not an absolute URL");
                return 1;
            }

            var (client, table, problem) = store.Open(parse);
            var (learningCatalog, catalogProblem) = StoreConnection.Catalog(parse.GetValue(catalog));
            var (hashKey, keyProblem) = problem is null && catalogProblem is null ? await store.HashKeyAsync(parse, ct) : (null, null);
            if ((problem ?? catalogProblem ?? keyProblem) is not null)
            {
                Console.Error.WriteLine($"hhlearn import: {problem ?? catalogProblem ?? keyProblem}");
                client?.Dispose();
                return 1;
            }

            using (client)
            {
                using var http = new HttpClient { BaseAddress = Commands.ProvisionCommand.WithSlash(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
                await using var hubSpot = new HubSpotClient(http, new StaticTokenProvider(token), new HubSpotClientOptions { RequestsPerTenSeconds = Math.Max(1, parse.GetValue(rate)) });
                var progressStore = new ProgressStore(client!, table!, learningCatalog, TimeProvider.System, new StoreOptions { HashKey = hashKey });
                return await RunAsync(hubSpot, progressStore, parse.GetValue(after), AnsiConsole.Console, Console.Error, ct);
            }
        });
        return command;
    }

    public static async Task<int> RunAsync(HubSpotClient hubSpot, ProgressStore store, string? after, IAnsiConsole console, TextWriter errors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(errors);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { ["imported"] = 0, ["merged"] = 0, ["unchanged"] = 0, ["corrupt"] = 0, ["suppressed"] = 0, ["skipped"] = 0 };
        var cursor = after;
        var pages = 0;
        try
        {
            await console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn()).StartAsync(async progress =>
            {
                var task = progress.AddTask("contacts read: 0", maxValue: double.MaxValue);
                do
                {
                    var page = await hubSpot.ListContactsAsync(cursor, ContactWriter.ReadProperties, 100, ct);
                    foreach (var contact in page.Results)
                    {
                        counts[await ImportOneAsync(store, contact, errors, ct)]++;
                    }

                    pages++;
                    cursor = page.NextAfter;
                    var seen = counts.Values.Sum();
                    task.Description = $"contacts read: {seen} (imported {counts["imported"]}, merged {counts["merged"]}, corrupt {counts["corrupt"]})";
                    if (cursor is not null)
                    {
                        // Printed for every page: an interrupted run resumes with --after and this cursor.
                        console.MarkupLine($"[grey]page {pages} done; resume with --after {Markup.Escape(cursor)}[/]");
                    }
                }
                while (cursor is not null);

                task.StopTask();
            });
        }
        catch (Exception ex) when (ex is HubSpotApiException or StoreUnavailableException or StoreContendedException)
        {
            errors.WriteLine($"hhlearn import: stopped after {pages} page(s): {ex.Message}");
            errors.WriteLine(cursor is null ? "hhlearn import: run it again to start over (importing twice loses nothing)" : $"hhlearn import: resume with --after {cursor}");
            Summary(console, counts);
            return 1;
        }

        Summary(console, counts);
        return 0;
    }

    private static async Task<string> ImportOneAsync(ProgressStore store, HubSpotContact contact, TextWriter errors, CancellationToken ct)
    {
        var state = contact.Property(ContactPropertyNames.ProgressState);
        var email = contact.Property(ContactPropertyNames.Email) is { } raw ? Identifiers.EmailOrNull(raw) : null;
        if (string.IsNullOrWhiteSpace(state) && contact.Property(ContactPropertyNames.EnrolledCourses) is null && contact.Property(ContactPropertyNames.LastViewedAt) is null)
        {
            return "skipped";
        }

        var read = ContactProgress.Read(contact.Properties);
        if (!read.IsOk)
        {
            errors.WriteLine($"hhlearn import: contact {contact.Id}: hhl_progress_state is corrupt ({read.Error}); not imported");
            return "corrupt";
        }

        var who = new LearnerIdentity(email, email is null ? contact.Id : null);
        var (_, outcome) = await store.ImportWithOutcomeAsync(who, read.Value, contact.Id, ct);
        return outcome switch
        {
            ImportOutcome.Created => "imported",
            ImportOutcome.Merged => "merged",
            ImportOutcome.Corrupt => "corrupt",
            ImportOutcome.Suppressed => "suppressed",
            _ => "unchanged",
        };
    }

    private static void Summary(IAnsiConsole console, Dictionary<string, int> counts)
    {
        var table = new Table().Title("hhlearn import").AddColumns("contacts", "count", "meaning");
        table.AddRow("imported", counts["imported"].ToString(System.Globalization.CultureInfo.InvariantCulture), "new to the store, copied as HubSpot holds them");
        table.AddRow("merged", counts["merged"].ToString(System.Globalization.CultureInfo.InvariantCulture), "joined with what the store had; the projection writes the union back");
        table.AddRow("unchanged", counts["unchanged"].ToString(System.Globalization.CultureInfo.InvariantCulture), "the store had everything already");
        table.AddRow("suppressed", counts["suppressed"].ToString(System.Globalization.CultureInfo.InvariantCulture), "forgotten or kept out of HubSpot (hhlearn forget / suppress): not brought back");
        table.AddRow("corrupt", counts["corrupt"].ToString(System.Globalization.CultureInfo.InvariantCulture), "hhl_progress_state unreadable: listed above, not imported");
        table.AddRow("skipped", counts["skipped"].ToString(System.Globalization.CultureInfo.InvariantCulture), "no progress to import");
        console.Write(table);
    }
}
