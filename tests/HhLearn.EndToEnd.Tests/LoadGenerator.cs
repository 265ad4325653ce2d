using HhLearn.Cli.Bench;
using HhLearn.Progress.Catalog;
using HhLearn.CrmSync.Contacts;

namespace HhLearn.EndToEnd.Tests;

/// <summary>Random learner traffic over the sample catalog, and the HhLearn.Progress oracle for it.</summary>
public static class LoadGenerator
{
    public static LearningCatalog Catalog => Workload.Catalog;

    public static List<(string Email, string Body)> Events(IReadOnlyList<string> emails, int count, int seed) => Workload.Events(emails, count, seed);

    public static IReadOnlyDictionary<string, string> Oracle(IReadOnlyDictionary<string, string?> stored, IEnumerable<string> bodies) => Workload.Oracle(stored, bodies);

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static string? Short(string? text) => text is null || text.Length <= 80 ? text : text[..80] + "...";

    /// <summary>Sends the events from <paramref name="clients"/> concurrent clients; returns the statuses.</summary>
    /// <summary>
    /// Sends every event from <paramref name="clients"/> concurrent clients that behave as the site's tracker does
    /// (README, "Using it from the site"): a 503 is retried after its <c>Retry-After</c> (at most three times). A 503
    /// is the right answer of a store that is slow to answer, which dynalite on two loaded cores sometimes is; what
    /// must never happen is an event lost or any other status.
    /// </summary>
    public static async Task<List<int>> SendAsync(LocalFixture f, List<(string Email, string Body)> events, int clients)
    {
        var statuses = new List<int>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            while (Interlocked.Increment(ref next) is var i && i < events.Count)
            {
                var (status, _, response) = await f.TrackAsync(events[i].Body);
                for (var retry = 0; status == 503 && retry < 3; retry++)
                {
                    var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    await Task.Delay(wait < TimeSpan.FromSeconds(2) ? wait : TimeSpan.FromSeconds(2));
                    (status, _, response) = await f.TrackAsync(events[i].Body);
                }

                lock (statuses)
                {
                    statuses.Add(status);
                }
            }
        }));
        return statuses;
    }

    /// <summary>Learners whose HubSpot contact differs from the oracle.</summary>
    public static List<string> Mismatches(LocalFixture f, Dictionary<string, IReadOnlyDictionary<string, string?>> initial, List<(string Email, string Body)> events) =>
        Compare(initial, events, f.Contact);

    /// <summary>Learners whose progress in the store differs from the oracle.</summary>
    public static async Task<List<string>> StoreMismatchesAsync(LocalFixture f, Dictionary<string, IReadOnlyDictionary<string, string?>> initial, List<(string Email, string Body)> events)
    {
        var stored = new Dictionary<string, IReadOnlyDictionary<string, string>?>();
        foreach (var email in initial.Keys)
        {
            stored[email] = await f.StoredAsync(email);
        }

        return Compare(initial, events, email => stored[email]);
    }

    private static List<string> Compare(Dictionary<string, IReadOnlyDictionary<string, string?>> initial, List<(string Email, string Body)> events, Func<string, IReadOnlyDictionary<string, string>?> read)
    {
        var mismatches = new List<string>();
        foreach (var (email, start) in initial)
        {
            var expected = Oracle(start, events.Where(e => e.Email == email).Select(e => e.Body));
            var actual = read(email);
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
