namespace HhLearn.Progress.Views;

public enum AggregateKind
{
    Pathway,
    Course,
}

/// <summary>
/// GET /progress/aggregate: where one pathway or course stands, as counts (the site's pages print
/// <c>completed</c> and compute <c>completed / total</c>): for a course its modules started and completed, for a
/// pathway its courses (or, in the legacy flat model, its modules). A completed part counts as started.
/// </summary>
public sealed record AggregateView(int Started, int Completed, bool Enrolled, string? EnrolledAt);

public sealed record PathwayEnrollment(string Slug, string? EnrolledAt, string? EnrollmentSource);

/// <summary>A course enrolment; <see cref="PathwaySlug"/> is null for a standalone course.</summary>
public sealed record CourseEnrollment(string Slug, string? PathwaySlug, string? EnrolledAt, string? EnrollmentSource);

public sealed record EnrollmentsView(IReadOnlyList<PathwayEnrollment> Pathways, IReadOnlyList<CourseEnrollment> Courses);

/// <summary>The read views behind the HTTP contract (README, "The HTTP API").</summary>
public static class ProgressViews
{
    public static readonly AggregateView NotFound = new(0, 0, false, null);

    /// <summary>A course is looked up standalone first, then inside pathways (in slug order).</summary>
    public static AggregateView Aggregate(ProgressState state, AggregateKind kind, string slug)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (kind == AggregateKind.Pathway)
        {
            if (state.Pathway(slug) is not { } p)
            {
                return NotFound;
            }

            // Hierarchical pathways count their courses; a legacy flat pathway (modules only) counts its modules.
            var (started, completed) = p.Courses is { Count: > 0 } courses
                ? Count(courses.Values, c => c.IsStarted || c.IsCompleted, c => c.IsCompleted)
                : Count(p.Modules?.Values ?? [], m => m.IsStarted || m.IsCompleted, m => m.IsCompleted);
            return new AggregateView(started, completed, p.IsEnrolled, p.EnrolledAt?.Text);
        }

        var course = state.StandaloneCourse(slug) ?? state.Pathways.Values.Select(p => p.Course(slug)).FirstOrDefault(c => c is not null);
        if (course is null)
        {
            return NotFound;
        }

        var (modulesStarted, modulesCompleted) = Count(course.Modules?.Values ?? [], m => m.IsStarted || m.IsCompleted, m => m.IsCompleted);
        return new AggregateView(modulesStarted, modulesCompleted, course.IsEnrolled, course.EnrolledAt?.Text);
    }

    private static (int Started, int Completed) Count<T>(IEnumerable<T> parts, Func<T, bool> started, Func<T, bool> completed)
    {
        int s = 0, c = 0;
        foreach (var part in parts)
        {
            s += started(part) ? 1 : 0;
            c += completed(part) ? 1 : 0;
        }

        return (s, c);
    }

    public static EnrollmentsView Enrollments(ProgressState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var pathways = new List<PathwayEnrollment>();
        var courses = new List<CourseEnrollment>();
        foreach (var (slug, pathway) in state.Pathways)
        {
            if (pathway.IsEnrolled)
            {
                pathways.Add(new PathwayEnrollment(slug, pathway.EnrolledAt?.Text, pathway.EnrollmentSource));
            }

            foreach (var (courseSlug, course) in pathway.Courses ?? ProgressState.NewMap<CourseProgress>())
            {
                if (course.IsEnrolled)
                {
                    courses.Add(new CourseEnrollment(courseSlug, slug, course.EnrolledAt?.Text, course.EnrollmentSource));
                }
            }
        }

        foreach (var (courseSlug, course) in state.Courses ?? ProgressState.NewMap<CourseProgress>())
        {
            if (course.IsEnrolled)
            {
                courses.Add(new CourseEnrollment(courseSlug, null, course.EnrolledAt?.Text, course.EnrollmentSource));
            }
        }

        return new EnrollmentsView(pathways, courses);
    }
}
