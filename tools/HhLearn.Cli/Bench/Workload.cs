namespace HhLearn.Cli.Bench;

/// <summary>
/// Learner traffic over the sample catalog (events whose effect does not depend on order, each with a distinct
/// past timestamp and an event id), and the HhLearn.Progress oracle that says what HubSpot must hold afterwards.
/// </summary>
public static class Workload
{
    private static readonly (string Pathway, string Course, string[] Modules)[] Hierarchical =
    [
        ("cloud-foundations", "intro-to-cloud", ["what-is-cloud", "regions-and-zones", "shared-responsibility"]),
        ("cloud-foundations", "networking-basics", ["ip-addressing", "subnets"]),
    ];

    private static readonly string[] GitModules = ["commits", "branches", "merging"];

    public static LearningCatalog Catalog { get; } = CatalogFiles.Load(Local.BootstrapCommand.SampleCatalog()!).Catalog;

    public static List<(string Email, string Body)> Events(IReadOnlyList<string> emails, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(emails);
        var random = new Random(seed);
        var now = DateTimeOffset.UtcNow.AddHours(-1);
        var list = new List<(string, string)>();
        for (var i = 0; i < count; i++)
        {
            var email = emails[random.Next(emails.Count)];
            var ts = now.AddSeconds(-random.Next(0, 86_400)).AddMilliseconds(random.Next(1000)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var payload = new JsonObject { ["ts"] = ts };
            var body = new JsonObject { ["eventId"] = $"load-{seed}-{i}", ["contactIdentifier"] = new JsonObject { ["email"] = email }, ["payload"] = payload };
            switch (random.Next(6))
            {
                case 0 or 1 or 2:
                    var (pathway, course, modules) = Hierarchical[random.Next(Hierarchical.Length)];
                    body["eventName"] = random.Next(3) == 0 ? EventNames.ModuleStarted : EventNames.ModuleCompleted;
                    payload["pathway_slug"] = pathway;
                    payload["course_slug"] = course;
                    payload["module_slug"] = modules[random.Next(modules.Length)];
                    break;
                case 3:
                    body["eventName"] = EventNames.ModuleCompleted;
                    payload["course_slug"] = "git-essentials";
                    payload["module_slug"] = GitModules[random.Next(GitModules.Length)];
                    break;
                case 4:
                    body["eventName"] = EventNames.CourseEnrolled;
                    body["course_slug"] = random.Next(2) == 0 ? "git-essentials" : "networking-basics";
                    body["pathway_slug"] = (string?)body["course_slug"] == "networking-basics" ? "cloud-foundations" : null;
                    body["enrollment_source"] = random.Next(2) == 0 ? "course_page" : "email";
                    break;
                default:
                    body["eventName"] = EventNames.PageViewed;
                    payload["content_type"] = "module";
                    payload["slug"] = GitModules[random.Next(GitModules.Length)];
                    break;
            }

            list.Add((email, body.ToJsonString()));
        }

        return list;
    }

    /// <summary>The local stack every bench runs on: 4 function instances, 2 projectors, HubSpot's smallest limit, short timers.</summary>
    public static LocalOptions Stack(EmulatorOptions emulator, bool direct, Action<string> log) => new()
    {
        Port = 0,
        EmulatorPort = 0,
        Emulator = emulator,
        Direct = direct,
        Concurrency = 4,
        QueueConcurrency = 2,
        RateLimit = 100,
        FunctionTimeout = TimeSpan.FromSeconds(10),
        Queue = new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(12), MaxReceiveCount = 5 },
        SweepEvery = TimeSpan.FromSeconds(10),
        SweepAfter = TimeSpan.FromSeconds(30),
        Log = log,
    };

    /// <summary>The function's log lines appended to <paramref name="path"/> (<c>HHLEARN_BENCH_LOG</c>), or dropped.</summary>
    public static Action<string> LogTo(string? path) => path is { Length: > 0 }
        ? line => { lock (typeof(Workload)) { File.AppendAllText(path, line + "\n"); } }
        : _ => { };

    /// <summary>The properties the contact must hold: the stored ones with every event applied.</summary>
    public static IReadOnlyDictionary<string, string> Oracle(IReadOnlyDictionary<string, string?> stored, IEnumerable<string> bodies)
    {
        var learner = ProgressEngine.ApplyAll(ContactProgress.Read(stored).Value!, bodies.Select(b => TrackEventParser.Parse(b).Value!), Catalog, DateTimeOffset.UtcNow).Learner;
        return ContactProgress.Build(learner, Catalog, DateTimeOffset.UtcNow).Properties;
    }

    /// <summary>
    /// Events whose effect is missing from every contact of their learner. Applying an event is idempotent, so an
    /// event is in a state exactly when applying it again changes nothing.
    /// </summary>
    public static int LostEvents(IReadOnlyList<(string Id, IReadOnlyDictionary<string, string> Properties)> contacts, IEnumerable<(string Email, string Body)> events)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var byEmail = contacts.GroupBy(c => c.Properties.GetValueOrDefault("email") ?? string.Empty, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(c => ContactProgress.Read(c.Properties.ToDictionary(kv => kv.Key, kv => (string?)kv.Value)).Value).OfType<LearnerProgress>().ToList(), StringComparer.OrdinalIgnoreCase);
        var lost = 0;
        foreach (var (email, body) in events)
        {
            var e = TrackEventParser.Parse(body).Value!;
            var found = byEmail.TryGetValue(email, out var learners) && learners.Any(l =>
            {
                var again = ProgressEngine.Apply(l, e, Catalog, DateTimeOffset.UtcNow);
                return again.IsApplied &&
                       Progress.State.ProgressStateJson.Write(again.Learner.State) == Progress.State.ProgressStateJson.Write(l.State) &&
                       again.Learner.LastViewed == l.LastViewed;
            });
            lost += found ? 0 : 1;
        }

        return lost;
    }

    /// <summary>What the progress store holds for these learners, as contacts (email and property values), for <see cref="LostEvents"/>.</summary>
    public static async Task<IReadOnlyList<(string Id, IReadOnlyDictionary<string, string> Properties)>> StoredAsync(Store.ProgressStore store, IEnumerable<string> emails, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var found = await store.GetManyAsync(emails.Select(Store.ProgressTable.KeyOfEmail).ToList(), ct);
        return found.Values.Where(l => l.Email is not null)
            .Select(l => ("store", (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(ContactProgress.Build(l.Learner, Catalog, DateTimeOffset.UtcNow).Properties) { ["email"] = l.Email! }))
            .ToList();
    }

    public static int DuplicateContacts(IReadOnlyList<(string Id, IReadOnlyDictionary<string, string> Properties)> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        return contacts.Count - contacts.Select(c => c.Properties.GetValueOrDefault("email")).Distinct(StringComparer.OrdinalIgnoreCase).Count();
    }
}
