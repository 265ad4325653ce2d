namespace HhLearn.Progress.Events;

public enum EventKind
{
    ModuleStarted,
    ModuleCompleted,
    PathwayEnrolled,
    CourseEnrolled,
    CourseCompleted,
    PathwayCompleted,
    PageViewed,
}

/// <summary>The wire names of track events.</summary>
public static class EventNames
{
    public const string ModuleStarted = "learning_module_started";
    public const string ModuleCompleted = "learning_module_completed";
    public const string PathwayEnrolled = "learning_pathway_enrolled";
    public const string CourseEnrolled = "learning_course_enrolled";
    public const string CourseCompleted = "learning_course_completed";
    public const string PathwayCompleted = "learning_pathway_completed";
    public const string PageViewed = "learning_page_viewed";

    public static readonly IReadOnlyList<string> All =
    [
        ModuleStarted, ModuleCompleted, PathwayEnrolled, CourseEnrolled, CourseCompleted, PathwayCompleted, PageViewed,
    ];

    public static EventKind? TryParse(string name) => name switch
    {
        ModuleStarted => EventKind.ModuleStarted,
        ModuleCompleted => EventKind.ModuleCompleted,
        PathwayEnrolled => EventKind.PathwayEnrolled,
        CourseEnrolled => EventKind.CourseEnrolled,
        CourseCompleted => EventKind.CourseCompleted,
        PathwayCompleted => EventKind.PathwayCompleted,
        PageViewed => EventKind.PageViewed,
        _ => null,
    };

    public static string ToWire(this EventKind kind) => kind switch
    {
        EventKind.ModuleStarted => ModuleStarted,
        EventKind.ModuleCompleted => ModuleCompleted,
        EventKind.PathwayEnrolled => PathwayEnrolled,
        EventKind.CourseEnrolled => CourseEnrolled,
        EventKind.CourseCompleted => CourseCompleted,
        EventKind.PathwayCompleted => PathwayCompleted,
        EventKind.PageViewed => PageViewed,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
