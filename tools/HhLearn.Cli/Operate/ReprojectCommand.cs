namespace HhLearn.Cli.Operate;

/// <summary>
/// <c>hhlearn reproject</c>: marks learners behind so that the projection writes them to HubSpot again (after a change
/// to the properties, a cleanup in HubSpot, or to lift a block after fixing its cause). The sweeper nudges them within
/// a minute; nothing else changes in the store.
/// </summary>
internal static class ReprojectCommand
{
    public static Command Create()
    {
        var store = new StoreConnection();
        var all = new Option<bool>("--all") { Description = "Every learner in the store" };
        var emails = new Option<string[]>("--email") { Description = "A learner by email (repeatable)", AllowMultipleArgumentsPerToken = false };
        var contactIds = new Option<string[]>("--contact-id") { Description = "A learner known by HubSpot contact id (repeatable)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("reproject", "Mark learners behind so that the projection writes them to HubSpot again") { all, emails, contactIds };
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var named = (parse.GetValue(emails) ?? []).Select(e => (Identifiers.EmailOrNull(e), e)).ToList();
            foreach (var (_, raw) in named.Where(n => n.Item1 is null))
            {
                Console.Error.WriteLine($"hhlearn reproject: '{raw}' is not a valid email address");
                return 1;
            }

            var ids = (parse.GetValue(contactIds) ?? []).Select(i => (Identifiers.ContactIdOrNull(i), i)).ToList();
            foreach (var (_, raw) in ids.Where(n => n.Item1 is null))
            {
                Console.Error.WriteLine($"hhlearn reproject: '{raw}' is not a HubSpot contact id");
                return 1;
            }

            if (!parse.GetValue(all) && named.Count == 0 && ids.Count == 0)
            {
                Console.Error.WriteLine("hhlearn reproject: say which learners: --all, --email E or --contact-id ID");
                return 1;
            }

            var (client, table, problem) = store.Open(parse);
            if (problem is not null)
            {
                Console.Error.WriteLine($"hhlearn reproject: {problem}");
                return 1;
            }

            using (client)
            {
                var progressStore = new ProgressStore(client!, table!, Progress.Catalog.LearningCatalog.Empty, TimeProvider.System);
                var who = named.Select(n => new LearnerIdentity(n.Item1, null)).Concat(ids.Select(i => new LearnerIdentity(null, i.Item1))).ToList();
                return await RunAsync(progressStore, parse.GetValue(all), who, AnsiConsole.Console, Console.Error, ct);
            }
        });
        return command;
    }

    public static async Task<int> RunAsync(ProgressStore store, bool all, IReadOnlyList<LearnerIdentity> learners, IAnsiConsole console, TextWriter errors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(learners);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(errors);

        // Behind "since" well in the past: the next sweep takes them, whatever its minimum age.
        var since = DateTimeOffset.UtcNow.AddDays(-1);
        int marked = 0, missing = 0, unblocked = 0, suppressed = 0;
        try
        {
            if (all)
            {
                await console.Status().StartAsync("Marking every learner behind...", async status =>
                {
                    await foreach (var page in store.ScanAsync(100, ct))
                    {
                        foreach (var learner in page)
                        {
                            if (learner.Suppressed is not null)
                            {
                                suppressed++;
                                continue;
                            }

                            unblocked += learner.Blocked is null ? 0 : 1;
                            marked += await store.MarkBehindAsync(learner.Key, since, ct) ? 1 : 0;
                        }

                        status.Status($"Marking every learner behind... {marked}");
                    }
                });
            }

            foreach (var who in learners)
            {
                var found = await store.ReadAsync(who, ct);
                if (found?.Suppressed is not null)
                {
                    suppressed++;
                    errors.WriteLine($"hhlearn reproject: {Name(who)} is suppressed ({found.Suppressed}): lift it with hhlearn suppress --lift first");
                }
                else if (found is { } learner && await store.MarkBehindAsync(learner.Key, since, ct))
                {
                    marked++;
                    unblocked += learner.Blocked is null ? 0 : 1;
                }
                else
                {
                    missing++;
                    errors.WriteLine($"hhlearn reproject: the store has no learner {Name(who)}");
                }
            }
        }
        catch (Exception ex) when (ex is StoreUnavailableException or StoreContendedException)
        {
            errors.WriteLine($"hhlearn reproject: the store did not answer ({ex.Message}); {marked} marked so far, run it again");
            return 1;
        }

        var table = new Table().Title("hhlearn reproject").AddColumns("learners", "count");
        table.AddRow("marked behind (the sweeper nudges them within a minute)", marked.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("of which were blocked (block lifted)", unblocked.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("suppressed, left alone (hhlearn suppress --lift)", suppressed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("not in the store", missing.ToString(System.Globalization.CultureInfo.InvariantCulture));
        console.Write(table);
        return missing > 0 ? 2 : 0;
    }

    private static string Name(LearnerIdentity who) => who.Email is not null ? $"{Operations.EmailHash.Of(who.Email)} (email hash)" : $"with contact id {who.ContactId}";
}
