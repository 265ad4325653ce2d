using HhLearn.Progress.State;

namespace HhLearn.Progress.Contact;

public enum AggregateKind
{
    Pathway,
    Course,
}

/// <summary>GET /progress/aggregate: where one pathway or course stands.</summary>
public sealed record AggregateView(bool Started, bool Completed, bool Enrolled, string? EnrolledAt);

public sealed record PathwayEnrollment(string Slug, string? EnrolledAt, string? EnrollmentSource);

/// <summary>A course enrolment; <see cref="PathwaySlug"/> is null for a standalone course.</summary>
public sealed record CourseEnrollment(string Slug, string? PathwaySlug, string? EnrolledAt, string? EnrollmentSource);

public sealed record EnrollmentsView(IReadOnlyList<PathwayEnrollment> Pathways, IReadOnlyList<CourseEnrollment> Courses);

/// <summary>The read views behind design.md section 5.</summary>
public static class ProgressViews
{
    public static readonly AggregateView NotFound = new(false, false, false, null);

    /// <summary>A course is looked up standalone first, then inside pathways (in slug order).</summary>
    public static AggregateView Aggregate(ProgressState state, AggregateKind kind, string slug)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (kind == AggregateKind.Pathway)
        {
            return state.Pathway(slug) is { } p
                ? new AggregateView(p.IsStarted, p.IsCompleted, p.IsEnrolled, p.EnrolledAt?.Text)
                : NotFound;
        }

        var course = state.StandaloneCourse(slug) ?? state.Pathways.Values.Select(p => p.Course(slug)).FirstOrDefault(c => c is not null);
        return course is null
            ? NotFound
            : new AggregateView(course.IsStarted, course.IsCompleted, course.IsEnrolled, course.EnrolledAt?.Text);
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
