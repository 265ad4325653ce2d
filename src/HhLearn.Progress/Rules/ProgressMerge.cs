namespace HhLearn.Progress.Rules;

/// <summary>
/// Joins two progress documents of one learner into one, by the same rules events are applied by: every flag that
/// is set in either stays set, starts and a module's completion keep the earliest time, enrolment keeps the earliest
/// enrolment and its source, page views the latest, and course and pathway aggregates are derived again from their
/// parts with the catalog. The join is commutative, associative and idempotent, and it agrees with applying events
/// (<c>Merge(Apply(a, e), b) == Apply(Merge(a, b), e)</c>; <c>Merge(Fold(E1), Fold(E2)) == Fold(E1 + E2)</c>), so
/// progress imported late from HubSpot, or two records found to be one person, lose nothing whatever the order.
/// </summary>
public static class ProgressMerge
{
    public static LearnerProgress Merge(LearnerProgress a, LearnerProgress b, LearningCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(catalog);
        return new LearnerProgress
        {
            State = Merge(a.State, b.State, catalog),
            StoredEnrolledCourses = a.StoredEnrolledCourses.Union(b.StoredEnrolledCourses),
            StoredCompletedCourses = a.StoredCompletedCourses.Union(b.StoredCompletedCourses),
            StoredTotalProgress = Larger(a.StoredTotalProgress, b.StoredTotalProgress),
            LastActivity = a.LastActivity is { } x && b.LastActivity is { } y ? (x > y ? x : y) : a.LastActivity ?? b.LastActivity,
            LastViewed = PageView.Latest(a.LastViewed, b.LastViewed),
        };
    }

    public static ProgressState Merge(ProgressState a, ProgressState b, LearningCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var merged = new ProgressState
        {
            Pathways = Maps(a.Pathways, b.Pathways, Pathway)!,
            Courses = Maps(a.Courses, b.Courses, Course),
            Extra = Extras(a.Extra, b.Extra),
        };
        return Aggregates.Recompute(merged, catalog);
    }

    private static PathwayProgress Pathway(PathwayProgress a, PathwayProgress b) =>
        Shared(new PathwayProgress { Courses = Maps(a.Courses, b.Courses, Course), Modules = Maps(a.Modules, b.Modules, Module) }, a, b);

    // A course's completion is derived again from its modules when the catalog defines it; otherwise the latest stored one stands.
    private static CourseProgress Course(CourseProgress a, CourseProgress b) =>
        Shared(new CourseProgress { Modules = Maps(a.Modules, b.Modules, Module) }, a, b);

    /// <summary>The fields pathways and courses share, joined: the earliest enrolment and start, the latest completion.</summary>
    private static T Shared<T>(T merged, EnrollableProgress a, EnrollableProgress b)
        where T : EnrollableProgress
    {
        var (enrolled, at, source) = Enrollment(a.Enrolled, a.EnrolledAt, a.EnrollmentSource, b.Enrolled, b.EnrolledAt, b.EnrollmentSource);
        return new Joined
        {
            Enrolled = enrolled,
            EnrolledAt = at,
            EnrollmentSource = source,
            Started = Flag(a.Started, b.Started),
            StartedAt = Stamp.Earliest(a.StartedAt, b.StartedAt),
            Completed = Flag(a.Completed, b.Completed),
            CompletedAt = Stamp.Latest(a.CompletedAt, b.CompletedAt),
            Extra = Extras(a.Extra, b.Extra),
        }.CopySharedTo(merged);
    }

    private sealed record Joined : EnrollableProgress;

    private static ModuleProgress Module(ModuleProgress a, ModuleProgress b) => new()
    {
        Started = Flag(a.Started, b.Started),
        StartedAt = Stamp.Earliest(a.StartedAt, b.StartedAt),
        Completed = Flag(a.Completed, b.Completed),
        CompletedAt = Stamp.Earliest(a.CompletedAt, b.CompletedAt),
        Extra = Extras(a.Extra, b.Extra),
    };

    /// <summary>null &lt; false &lt; true: a flag set on either side stays set.</summary>
    private static bool? Flag(bool? a, bool? b) => a == true || b == true ? true : a == false || b == false ? false : null;

    /// <summary>
    /// The earliest enrolment wins with its source, as when events are applied: an enrolment beats none, one with a
    /// readable time beats one without, then the earlier time, then a named source before none, then the text.
    /// </summary>
    private static (bool? Enrolled, Stamp? At, string? Source) Enrollment(bool? enrolledA, Stamp? atA, string? sourceA, bool? enrolledB, Stamp? atB, string? sourceB)
    {
        var cmp = CompareEnrollments(enrolledA, atA, sourceA, enrolledB, atB, sourceB);
        var (at, source) = cmp <= 0 ? (atA, sourceA) : (atB, sourceB);
        return (Flag(enrolledA, enrolledB), at, source);
    }

    private static int CompareEnrollments(bool? enrolledA, Stamp? atA, string? sourceA, bool? enrolledB, Stamp? atB, string? sourceB)
    {
        var cmp = (enrolledB == true).CompareTo(enrolledA == true);
        if (cmp != 0)
        {
            return cmp;
        }

        cmp = (atB?.Value is not null).CompareTo(atA?.Value is not null);
        if (cmp != 0)
        {
            return cmp;
        }

        if (atA is { } x && atB is { } y)
        {
            cmp = Stamp.Compare(x, y);
            if (cmp != 0)
            {
                return cmp;
            }
        }
        else if (atA is null != atB is null)
        {
            return atA is null ? 1 : -1;
        }

        return sourceA is null ? (sourceB is null ? 0 : 1) : sourceB is null ? -1 : string.CompareOrdinal(sourceA, sourceB);
    }

    private static ImmutableSortedDictionary<string, T>? Maps<T>(ImmutableSortedDictionary<string, T>? a, ImmutableSortedDictionary<string, T>? b, Func<T, T, T> merge)
    {
        if (a is null || b is null)
        {
            return a ?? b;
        }

        var result = a;
        foreach (var (key, value) in b)
        {
            result = result.SetItem(key, result.TryGetValue(key, out var mine) ? merge(mine, value) : value);
        }

        return result;
    }

    /// <summary>Unknown fields of both; where both have one, the larger JSON text, so the choice never depends on order.</summary>
    private static ExtraFields Extras(ExtraFields a, ExtraFields b)
    {
        if (b.IsEmpty || SameFields(a, b))
        {
            return a;
        }

        if (a.IsEmpty)
        {
            return b;
        }

        var fields = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, value) in a.Fields.Concat(b.Fields))
        {
            if (!fields.TryGetValue(key, out var existing) || string.CompareOrdinal(value.GetRawText(), existing.GetRawText()) > 0)
            {
                fields[key] = value;
            }
        }

        return ExtraFields.Of(fields);
    }

    private static bool SameFields(ExtraFields a, ExtraFields b) =>
        a.Fields.Length == b.Fields.Length &&
        a.Fields.Zip(b.Fields).All(p => p.First.Key == p.Second.Key && p.First.Value.GetRawText() == p.Second.Value.GetRawText());

    private static string? Larger(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a ?? b;
        }

        var numbers = (decimal.TryParse(a, System.Globalization.CultureInfo.InvariantCulture, out var x), decimal.TryParse(b, System.Globalization.CultureInfo.InvariantCulture, out var y));
        var cmp = numbers is (true, true) && x != y ? x.CompareTo(y) : string.CompareOrdinal(a, b);
        return cmp >= 0 ? a : b;
    }
}
