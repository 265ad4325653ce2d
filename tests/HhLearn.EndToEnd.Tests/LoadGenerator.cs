using System.Text.Json.Nodes;
using HhLearn.CrmSync;
using HhLearn.Progress.Catalog;
using HhLearn.Progress.Contact;
using HhLearn.Progress.Events;
using HhLearn.Progress.Rules;

namespace HhLearn.EndToEnd.Tests;

/// <summary>Random learner traffic over the sample catalog, and the HhLearn.Progress oracle for it.</summary>
public static class LoadGenerator
{
    private static readonly (string Pathway, string Course, string[] Modules)[] Hierarchical =
    [
        ("cloud-foundations", "intro-to-cloud", ["what-is-cloud", "regions-and-zones", "shared-responsibility"]),
        ("cloud-foundations", "networking-basics", ["ip-addressing", "subnets"]),
    ];

    private static readonly string[] GitModules = ["commits", "branches", "merging"];

    public static LearningCatalog Catalog { get; } = CatalogFiles.Load(Cli.Local.BootstrapCommand.RepoPath("samples", "catalog")!).Catalog;

    /// <summary>Track bodies with distinct timestamps in the past and event ids; only kinds whose effect does not depend on order.</summary>
    public static List<(string Email, string Body)> Events(IReadOnlyList<string> emails, int count, int seed)
    {
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

    /// <summary>What the contact must hold: the stored properties with every event applied (in any order: the result is the same).</summary>
    public static IReadOnlyDictionary<string, string> Oracle(IReadOnlyDictionary<string, string?> stored, IEnumerable<string> bodies)
    {
        var learner = ContactProgress.Read(stored).Learner!;
        foreach (var body in bodies)
        {
            var result = ProgressEngine.Apply(learner, TrackEventParser.Parse(body).Event!, Catalog, DateTimeOffset.UtcNow);
            learner = result.Learner ?? learner;
        }

        return ContactProgress.Build(learner, Catalog, DateTimeOffset.UtcNow).Properties;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static string? Short(string? text) => text is null || text.Length <= 80 ? text : text[..80] + "...";

    /// <summary>Sends the events from <paramref name="clients"/> concurrent clients; returns the statuses.</summary>
    public static async Task<List<int>> SendAsync(LocalFixture f, List<(string Email, string Body)> events, int clients)
    {
        var statuses = new List<int>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < events.Count)
            {
                var (status, _, _) = await f.TrackAsync(events[i].Body);
                lock (statuses)
                {
                    statuses.Add(status);
                }
            }
        }));
        return statuses;
    }

    /// <summary>Learners whose stored progress differs from the oracle.</summary>
    public static List<string> Mismatches(LocalFixture f, Dictionary<string, IReadOnlyDictionary<string, string?>> initial, List<(string Email, string Body)> events)
    {
        var mismatches = new List<string>();
        foreach (var (email, start) in initial)
        {
            var expected = Oracle(start, events.Where(e => e.Email == email).Select(e => e.Body));
            var actual = f.Contact(email);
            foreach (var name in new[] { ContactPropertyNames.ProgressState, ContactPropertyNames.EnrolledCourses, ContactPropertyNames.CompletedCourses, ContactPropertyNames.TotalProgress, ContactPropertyNames.LastViewedAt })
            {
                // HubSpot stores "" as no value: an empty list reads back as absent.
                if (NullIfEmpty(expected.GetValueOrDefault(name)) != NullIfEmpty(actual?.GetValueOrDefault(name)))
                {
                    mismatches.Add($"{email}: {name}: expected '{Short(expected.GetValueOrDefault(name))}', got '{Short(actual?.GetValueOrDefault(name))}'");
                }
            }
        }

        return mismatches;
    }
}
