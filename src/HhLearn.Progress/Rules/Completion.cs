namespace HhLearn.Progress.Rules;

/// <summary>Counting rules shared by aggregates, explicit completion checks and the summary.</summary>
public static class Completion
{
    /// <summary>How many of <paramref name="required"/> are completed in <paramref name="modules"/>, and the latest completion.</summary>
    public static (int Done, Stamp? LatestAt) CountModules(
        ImmutableArray<string> required, ImmutableSortedDictionary<string, ModuleProgress>? modules)
    {
        var done = 0;
        Stamp? latest = null;
        if (modules is null)
        {
            return (0, null);
        }

        foreach (var slug in required)
        {
            if (modules.TryGetValue(slug, out var module) && module.IsCompleted)
            {
                done++;
                latest = Stamp.Latest(latest, module.CompletedAt);
            }
        }

        return (done, latest);
    }

    /// <summary>
    /// Whether course <paramref name="course"/> counts as completed inside <paramref name="pathway"/>: its course
    /// entry is completed, or (legacy flat pathways) every module of its definition is completed in the flat modules.
    /// </summary>
    public static (bool Done, Stamp? At) CourseInPathway(PathwayProgress pathway, string course, LearningCatalog catalog)
    {
        if (pathway.Course(course) is { IsCompleted: true } entry)
        {
            return (true, entry.CompletedAt);
        }

        if (pathway.Modules is { Count: > 0 } && catalog.CourseModules(course) is { } required)
        {
            var (done, latest) = CountModules(required, pathway.Modules);
            if (done == required.Length)
            {
                return (true, latest);
            }
        }

        return (false, null);
    }

    /// <summary>Completed courses of a pathway's definition.</summary>
    public static (int Done, Stamp? LatestAt) CountCourses(
        PathwayProgress pathway, ImmutableArray<string> required, LearningCatalog catalog)
    {
        var done = 0;
        Stamp? latest = null;
        foreach (var course in required)
        {
            var (isDone, at) = CourseInPathway(pathway, course, catalog);
            if (isDone)
            {
                done++;
                latest = Stamp.Latest(latest, at);
            }
        }

        return (done, latest);
    }
}
