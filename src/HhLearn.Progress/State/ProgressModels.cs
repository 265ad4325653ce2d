namespace HhLearn.Progress.State;

/// <summary>One module's progress. Null flags mean "absent in the stored JSON" and are not written.</summary>
public sealed record ModuleProgress
{
    public static readonly ModuleProgress New = new();

    public bool? Started { get; init; }
    public Stamp? StartedAt { get; init; }
    public bool? Completed { get; init; }
    public Stamp? CompletedAt { get; init; }
    public ExtraFields Extra { get; init; } = ExtraFields.Empty;

    public bool IsStarted => Started == true;
    public bool IsCompleted => Completed == true;
}

/// <summary>
/// What a pathway and a course both hold: enrolment (when, and from where), start and completion, and the unknown
/// fields found beside them. Null flags mean "absent in the stored JSON" and are not written.
/// </summary>
public abstract record EnrollableProgress
{
    public bool? Enrolled { get; init; }
    public Stamp? EnrolledAt { get; init; }
    public string? EnrollmentSource { get; init; }
    public bool? Started { get; init; }
    public Stamp? StartedAt { get; init; }
    public bool? Completed { get; init; }
    public Stamp? CompletedAt { get; init; }
    public ExtraFields Extra { get; init; } = ExtraFields.Empty;

    public bool IsEnrolled => Enrolled == true;
    public bool IsStarted => Started == true;
    public bool IsCompleted => Completed == true;

    /// <summary><paramref name="target"/> with this one's shared fields (a pathway's or course's own parts stay as they are).</summary>
    public T CopySharedTo<T>(T target)
        where T : EnrollableProgress
    {
        ArgumentNullException.ThrowIfNull(target);
        return (T)((EnrollableProgress)target with
        {
            Enrolled = Enrolled, EnrolledAt = EnrolledAt, EnrollmentSource = EnrollmentSource,
            Started = Started, StartedAt = StartedAt, Completed = Completed, CompletedAt = CompletedAt, Extra = Extra,
        });
    }
}

/// <summary>A course, inside a pathway or standalone.</summary>
public sealed record CourseProgress : EnrollableProgress
{
    public static readonly CourseProgress New = new();

    /// <summary>Null when the stored course has no <c>modules</c> key.</summary>
    public ImmutableSortedDictionary<string, ModuleProgress>? Modules { get; init; }

    public ModuleProgress? Module(string slug) =>
        Modules is not null && Modules.TryGetValue(slug, out var module) ? module : null;
}

/// <summary>A pathway: hierarchical (<c>courses</c>) or legacy flat (<c>modules</c>); both may be present.</summary>
public sealed record PathwayProgress : EnrollableProgress
{
    public static readonly PathwayProgress New = new();

    public ImmutableSortedDictionary<string, CourseProgress>? Courses { get; init; }
    public ImmutableSortedDictionary<string, ModuleProgress>? Modules { get; init; }

    public CourseProgress? Course(string slug) =>
        Courses is not null && Courses.TryGetValue(slug, out var course) ? course : null;

    public ModuleProgress? FlatModule(string slug) =>
        Modules is not null && Modules.TryGetValue(slug, out var module) ? module : null;
}

/// <summary>
/// The whole <c>hhl_progress_state</c> document: every top-level key except <c>courses</c> is a
/// pathway; <c>courses</c> holds standalone courses; top-level values that are not objects are kept as extras.
/// </summary>
public sealed record ProgressState
{
    public const string StandaloneCoursesKey = "courses";

    public static readonly ProgressState Empty = new();

    public ImmutableSortedDictionary<string, PathwayProgress> Pathways { get; init; } =
        ImmutableSortedDictionary.Create<string, PathwayProgress>(StringComparer.Ordinal);

    /// <summary>Null when the stored state has no top-level <c>courses</c> key.</summary>
    public ImmutableSortedDictionary<string, CourseProgress>? Courses { get; init; }

    public ExtraFields Extra { get; init; } = ExtraFields.Empty;

    public bool IsEmpty => Pathways.IsEmpty && (Courses is null || Courses.IsEmpty) && Extra.IsEmpty;

    public PathwayProgress? Pathway(string slug) => Pathways.TryGetValue(slug, out var p) ? p : null;

    public CourseProgress? StandaloneCourse(string slug) =>
        Courses is not null && Courses.TryGetValue(slug, out var c) ? c : null;

    public static ImmutableSortedDictionary<string, T> NewMap<T>() =>
        ImmutableSortedDictionary.Create<string, T>(StringComparer.Ordinal);
}
