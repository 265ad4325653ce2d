namespace HhLearn.Progress.Rules;

/// <summary>
/// Recomputes course and pathway aggregates from their parts. Started: any part started, at the
/// earliest start. Completed: only against the catalog definition, at the latest part's completion;
/// an incomplete definition revokes a stored completion. Entities unknown to the catalog keep their stored
/// completion. Unchanged entities are returned as the same instances (no allocation).
/// </summary>
public static class Aggregates
{
    public static ProgressState Recompute(ProgressState state, LearningCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(catalog);

        var pathways = state.Pathways;
        foreach (var (slug, pathway) in state.Pathways)
        {
            var updated = RecomputePathway(slug, pathway, catalog);
            if (!ReferenceEquals(updated, pathway))
            {
                pathways = pathways.SetItem(slug, updated);
            }
        }

        var courses = state.Courses is null ? null : RecomputeCourses(state.Courses, catalog);
        return ReferenceEquals(pathways, state.Pathways) && ReferenceEquals(courses, state.Courses)
            ? state
            : state with { Pathways = pathways, Courses = courses };
    }

    private static ImmutableSortedDictionary<string, CourseProgress> RecomputeCourses(
        ImmutableSortedDictionary<string, CourseProgress> courses, LearningCatalog catalog)
    {
        var result = courses;
        foreach (var (slug, course) in courses)
        {
            var updated = RecomputeCourse(slug, course, catalog);
            if (!ReferenceEquals(updated, course))
            {
                result = result.SetItem(slug, updated);
            }
        }

        return result;
    }

    public static CourseProgress RecomputeCourse(string slug, CourseProgress course, LearningCatalog catalog)
    {
        var (started, startedAt) = StartedFrom(course.Started, course.StartedAt, course.Modules);

        var completed = course.Completed;
        var completedAt = course.CompletedAt;
        if (catalog.CourseModules(slug) is { } required)
        {
            var (done, latest) = Completion.CountModules(required, course.Modules);
            completed = done == required.Length;
            completedAt = completed == true ? latest : null;
        }

        return started == course.Started && startedAt == course.StartedAt &&
               completed == course.Completed && completedAt == course.CompletedAt
            ? course
            : course with { Started = started, StartedAt = startedAt, Completed = completed, CompletedAt = completedAt };
    }

    private static PathwayProgress RecomputePathway(string slug, PathwayProgress pathway, LearningCatalog catalog)
    {
        var courses = pathway.Courses is null ? null : RecomputeCourses(pathway.Courses, catalog);
        var current = ReferenceEquals(courses, pathway.Courses) ? pathway : pathway with { Courses = courses };

        var (started, startedAt) = StartedFrom(current.Started, current.StartedAt, current.Modules);
        if (current.Courses is not null)
        {
            foreach (var course in current.Courses.Values)
            {
                if (course.IsStarted)
                {
                    started = true;
                    startedAt = Stamp.Earliest(startedAt, course.StartedAt);
                }
            }
        }

        var completed = current.Completed;
        var completedAt = current.CompletedAt;
        if (catalog.PathwayCourses(slug) is { } required)
        {
            var (done, latest) = Completion.CountCourses(current, required, catalog);
            completed = done == required.Length;
            completedAt = completed == true ? latest : null;
        }

        return started == current.Started && startedAt == current.StartedAt &&
               completed == current.Completed && completedAt == current.CompletedAt
            ? current
            : current with { Started = started, StartedAt = startedAt, Completed = completed, CompletedAt = completedAt };
    }

    private static (bool? Started, Stamp? StartedAt) StartedFrom(
        bool? started, Stamp? startedAt, ImmutableSortedDictionary<string, ModuleProgress>? modules)
    {
        if (modules is null)
        {
            return (started, startedAt);
        }

        foreach (var module in modules.Values)
        {
            if (module.IsStarted || module.IsCompleted)
            {
                started = true;
                startedAt = Stamp.Earliest(startedAt, module.StartedAt ?? module.CompletedAt);
            }
        }

        return (started, startedAt);
    }
}
