using HhLearn.Progress.State;

namespace HhLearn.Cli.Operate;

/// <summary>
/// <c>hhlearn recompute --catalog DIR</c>: after a catalog change (a course gained or lost modules), derives every
/// learner's course and pathway completion again from their modules, writes the learners whose completion changed
/// (with the store's conditional write, so a learner active meanwhile loses nothing), and lets the projection carry the
/// change to HubSpot.
/// </summary>
internal static class RecomputeCommand
{
    public static Command Create()
    {
        var store = new StoreConnection();
        var catalog = new Option<string?>("--catalog") { Description = "The new catalog folder (courses/*.json, pathways/*.json)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would change; write nothing" };
        var command = new Command("recompute", "Derive every learner's completion again after a catalog change") { catalog, dryRun };
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var (learningCatalog, catalogProblem) = StoreConnection.Catalog(parse.GetValue(catalog));
            var (client, table, problem) = store.Open(parse);
            if ((problem ?? catalogProblem) is { } refusal)
            {
                Console.Error.WriteLine($"hhlearn recompute: {refusal}");
                client?.Dispose();
                return 1;
            }

            using (client)
            {
                return await RunAsync(new ProgressStore(client!, table!, learningCatalog, TimeProvider.System), learningCatalog, parse.GetValue(dryRun), AnsiConsole.Console, Console.Error, ct);
            }
        });
        return command;
    }

    public static async Task<int> RunAsync(ProgressStore store, LearningCatalog catalog, bool dryRun, IAnsiConsole console, TextWriter errors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(errors);
        int examined = 0, changed = 0, corrupt = 0;
        try
        {
            await console.Status().StartAsync("Recomputing completion...", async status =>
            {
                await foreach (var page in store.ScanAsync(100, ct))
                {
                    foreach (var learner in page)
                    {
                        examined++;
                        if (learner.Corruption is not null)
                        {
                            corrupt++;
                            continue;
                        }

                        var recomputed = Aggregates.Recompute(learner.Learner.State, catalog);
                        if (ProgressStateJson.Write(recomputed) == ProgressStateJson.Write(learner.Learner.State))
                        {
                            continue;
                        }

                        changed++;
                        if (!dryRun)
                        {
                            // Through the store's conditional write, on the learner as it is then: nothing written meanwhile is lost.
                            var who = new LearnerIdentity(learner.Email, learner.Email is null ? learner.ContactId : null);
                            await store.ApplyAsync(who, current => ApplyResult.Applied(current with { State = Aggregates.Recompute(current.State, catalog) }, [], DateTimeOffset.UtcNow), ct);
                        }
                    }

                    status.Status($"Recomputing completion... {examined} learners, {changed} changed");
                }
            });
        }
        catch (Exception ex) when (ex is StoreUnavailableException or StoreContendedException)
        {
            errors.WriteLine($"hhlearn recompute: the store did not answer ({ex.Message}); run it again (it is idempotent)");
            return 1;
        }

        var table = new Table().Title(dryRun ? "hhlearn recompute (dry run: nothing written)" : "hhlearn recompute").AddColumns("learners", "count");
        table.AddRow("examined", examined.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow(dryRun ? "would change" : "changed (the projection writes them to HubSpot)", changed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("corrupt (left as they are)", corrupt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        console.Write(table);
        return 0;
    }
}
