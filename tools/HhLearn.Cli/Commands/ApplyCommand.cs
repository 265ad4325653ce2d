using HhLearn.Progress.State;

namespace HhLearn.Cli.Commands;

/// <summary>
/// <c>hhlearn apply</c>: offline replay. Applies track-event bodies, one per line, to one contact's stored
/// properties and prints the resulting state, the properties the service would write, and every rejected line.
/// </summary>
internal static class ApplyCommand
{
    public sealed record Options(string CatalogDir, string? PropertiesFile, DateTimeOffset? Now, string Events);

    public static Command Create(TimeProvider clock)
    {
        var catalog = new Option<string?>("--catalog")
        {
            Description = "Catalog directory (courses/*.json, pathways/*.json); default: CATALOG_DIR, else the sample catalog",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SettingNames.CatalogDir) ?? Local.BootstrapCommand.SampleCatalog(),
        };
        var properties = new Option<string?>("--properties")
        {
            Description = "JSON object of the contact's stored property values, as HubSpot returns them (default: a new contact)",
        };
        var now = new Option<string?>("--now") { Description = "Server time as ISO-8601 (default: the clock)" };
        var events = new Argument<string>("events")
        {
            Description = "File of track-event bodies, one JSON object per line, or - for standard input",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "-",
        };

        var command = new Command("apply", "Replay track events offline against one contact and print the result")
        {
            catalog, properties, now, events,
        };
        command.SetAction(parse =>
        {
            var nowText = parse.GetValue(now);
            DateTimeOffset? nowValue = null;
            if (nowText is not null)
            {
                nowValue = Stamp.TryParseInstant(nowText);
                if (nowValue is null)
                {
                    Console.Error.WriteLine($"hhlearn apply: --now '{nowText}' is not an ISO-8601 date-time");
                    return 1;
                }
            }

            if (parse.GetValue(catalog) is not { } catalogDir)
            {
                Console.Error.WriteLine("hhlearn apply: no catalog: pass --catalog DIR");
                return 1;
            }

            var options = new Options(catalogDir, parse.GetValue(properties), nowValue, parse.GetValue(events) ?? "-");
            return Run(options, Console.In, Console.Out, Console.Error, clock);
        });
        return command;
    }

    public static int Run(Options options, TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider clock)
    {
        CatalogReadResult catalog;
        try
        {
            catalog = CatalogFiles.Load(options.CatalogDir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"hhlearn apply: {ex.Message}");
            return 1;
        }

        foreach (var problem in catalog.Problems)
        {
            stderr.WriteLine($"hhlearn apply: catalog file {problem.Name} skipped: {problem.Problem}");
        }

        var stored = ReadProperties(options.PropertiesFile, stderr);
        if (stored is null)
        {
            return 1;
        }

        var read = ContactProgress.Read(stored);
        if (!read.IsOk)
        {
            stderr.WriteLine($"hhlearn apply: stored hhl_progress_state is corrupt ({read.Error}); nothing applied");
            return 1;
        }

        TextReader input;
        try
        {
            input = options.Events == "-" ? stdin : new StreamReader(options.Events, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"hhlearn apply: cannot read events: {ex.Message}");
            return 1;
        }

        var now = options.Now ?? clock.GetUtcNow();
        var rejected = new List<(int Line, ValidationError Error)>();
        var events = new List<(int Line, TrackEvent Event)>();
        using (input == stdin ? null : input)
        {
            var lineNumber = 0;
            while (input.ReadLine() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var parsed = TrackEventParser.Parse(line);
                if (parsed.IsOk)
                {
                    events.Add((lineNumber, parsed.Value));
                }
                else
                {
                    rejected.Add((lineNumber, parsed.Error));
                }
            }
        }

        var fold = ProgressEngine.ApplyAll(read.Value, events.Select(e => e.Event), catalog.Catalog, now);
        var learner = fold.Learner;
        rejected.AddRange(fold.Rejected.Select(r => (events[r.Index].Line, r.Error)));
        rejected.Sort((a, b) => a.Line.CompareTo(b.Line));
        var warnings = fold.Warnings.Select(w => (events[w.Index].Line, w.Warning)).ToList();
        var update = ContactProgress.Build(learner, catalog.Catalog, now);
        WriteResult(stdout, learner.State, update, rejected, warnings);
        if (update.StateTooLarge)
        {
            stderr.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"hhlearn apply: hhl_progress_state would be {update.StateLength} characters, over HubSpot's {Limits.MaxPropertyValueLength}; the service would refuse to write it"));
            return 1;
        }

        return 0;
    }

    private static Dictionary<string, string?>? ReadProperties(string? file, TextWriter stderr)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (file is null)
        {
            return result;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                stderr.WriteLine($"hhlearn apply: {file} must hold a JSON object of property values");
                return null;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                result[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
            }

            return result;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            stderr.WriteLine($"hhlearn apply: cannot read {file}: {ex.Message.Split('\n')[0]}");
            return null;
        }
    }

    private static void WriteResult(
        TextWriter stdout,
        ProgressState state,
        ContactUpdate update,
        List<(int Line, ValidationError Error)> rejected,
        List<(int Line, ApplyWarning Warning)> warnings)
    {
        var result = new JsonObject
        {
            ["state"] = JsonNode.Parse(ProgressStateJson.Write(state)),
            ["properties"] = new JsonObject(update.Properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["rejected"] = new JsonArray([.. rejected.Select(r => new JsonObject
            {
                ["line"] = r.Line, ["code"] = r.Error.Code, ["error"] = r.Error.Message, ["details"] = new JsonArray([.. r.Error.Details.Select(d => (JsonNode?)d)]),
            })]),
            ["warnings"] = new JsonArray([.. warnings.Select(w => new JsonObject { ["line"] = w.Line, ["code"] = w.Warning.Code, ["message"] = w.Warning.Message })]),
        };
        stdout.WriteLine(result.ToJsonString(Output));
    }

    private static readonly JsonSerializerOptions Output = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
