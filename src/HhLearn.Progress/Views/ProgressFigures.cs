using HhLearn.Progress.Rules;

namespace HhLearn.Progress.Views;

/// <summary>
/// What a learner's progress adds up to, for people to read: the summary line, the completed modules, the enrolled and
/// completed courses, and the dates as <c>YYYY-MM-DD</c>. Pure: the catalog gives the totals.
/// </summary>
public static class ProgressFigures
{
    private const string NoProgressYet = "No progress yet";
    private const string InProgress = "In progress";

    /// <summary>
    /// <c>course: 2/3 modules</c> per standalone course, <c>pathway: 1/2 courses</c> per hierarchical pathway,
    /// <c>pathway: 1/1 modules</c> per legacy flat pathway, joined by <c>; </c>. Totals come from the catalog
    /// definition when there is one, else from what is recorded.
    /// </summary>
    public static string Summary(ProgressState state, LearningCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(catalog);
        if (state.IsEmpty)
        {
            return NoProgressYet;
        }

        var parts = new List<string>();
        if (state.Courses is not null)
        {
            foreach (var (slug, course) in state.Courses)
            {
                AddPart(parts, slug, CourseCounts(slug, course.Modules, catalog), "modules");
            }
        }

        foreach (var (slug, pathway) in state.Pathways)
        {
            var flat = pathway.Modules is { Count: > 0 } && pathway.Courses is not { Count: > 0 };
            if (flat)
            {
                AddPart(parts, slug, FlatCounts(slug, pathway, catalog), "modules");
            }
            else
            {
                AddPart(parts, slug, PathwayCounts(slug, pathway, catalog), "courses");
            }
        }

        if (parts.Count == 0)
        {
            return InProgress;
        }

        var summary = string.Join("; ", parts);
        return summary.Length <= Limits.MaxPropertyValueLength
            ? summary
            : string.Concat(summary.AsSpan(0, Limits.MaxPropertyValueLength - 3), "...");
    }

    /// <summary>Completed modules across hierarchical, flat and standalone progress.</summary>
    public static int CompletedModules(ProgressState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var count = 0;
        foreach (var pathway in state.Pathways.Values)
        {
            count += CountCompleted(pathway.Modules);
            if (pathway.Courses is not null)
            {
                foreach (var course in pathway.Courses.Values)
                {
                    count += CountCompleted(course.Modules);
                }
            }
        }

        if (state.Courses is not null)
        {
            foreach (var course in state.Courses.Values)
            {
                count += CountCompleted(course.Modules);
            }
        }

        return count;
    }

    /// <summary>Slugs of enrolled and of completed courses, in pathways and standalone.</summary>
    public static (ImmutableSortedSet<string> Enrolled, ImmutableSortedSet<string> Completed) Milestones(ProgressState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var enrolled = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        var completed = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);

        void Visit(ImmutableSortedDictionary<string, CourseProgress>? courses)
        {
            if (courses is null)
            {
                return;
            }

            foreach (var (slug, course) in courses)
            {
                if (course.IsEnrolled)
                {
                    enrolled.Add(slug);
                }

                if (course.IsCompleted)
                {
                    completed.Add(slug);
                }
            }
        }

        foreach (var pathway in state.Pathways.Values)
        {
            Visit(pathway.Courses);
        }

        Visit(state.Courses);
        return (enrolled.ToImmutable(), completed.ToImmutable());
    }

    public static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A stored date: <c>YYYY-MM-DD</c>, or epoch milliseconds at midnight UTC (as HubSpot returns date properties), or an ISO instant.</summary>
    public static DateOnly? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        return Stamp.TryParseInstant(text) is { } instant ? DateOnly.FromDateTime(instant.UtcDateTime) : null;
    }

    private static (int Done, int Total) CourseCounts(string slug, ImmutableSortedDictionary<string, ModuleProgress>? modules, LearningCatalog catalog)
    {
        if (catalog.CourseModules(slug) is { } required)
        {
            return (Completion.CountModules(required, modules).Done, required.Length);
        }

        return (CountCompleted(modules), modules?.Count ?? 0);
    }

    private static (int Done, int Total) FlatCounts(string slug, PathwayProgress pathway, LearningCatalog catalog)
    {
        if (catalog.PathwayCourses(slug) is { } courses)
        {
            var required = courses
                .SelectMany(c => catalog.CourseModules(c) ?? ImmutableArray<string>.Empty)
                .Distinct(StringComparer.Ordinal)
                .ToImmutableArray();
            if (required.Length > 0)
            {
                return (Completion.CountModules(required, pathway.Modules).Done, required.Length);
            }
        }

        return (CountCompleted(pathway.Modules), pathway.Modules?.Count ?? 0);
    }

    private static (int Done, int Total) PathwayCounts(string slug, PathwayProgress pathway, LearningCatalog catalog)
    {
        if (catalog.PathwayCourses(slug) is { } required)
        {
            return (Completion.CountCourses(pathway, required, catalog).Done, required.Length);
        }

        var courses = pathway.Courses;
        return (courses?.Values.Count(c => c.IsCompleted) ?? 0, courses?.Count ?? 0);
    }

    private static void AddPart(List<string> parts, string slug, (int Done, int Total) counts, string unit)
    {
        if (counts.Total > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{slug}: {counts.Done}/{counts.Total} {unit}"));
        }
    }

    private static int CountCompleted(ImmutableSortedDictionary<string, ModuleProgress>? modules)
    {
        if (modules is null)
        {
            return 0;
        }

        var count = 0;
        foreach (var module in modules.Values)
        {
            if (module.IsCompleted)
            {
                count++;
            }
        }

        return count;
    }
}
