namespace HhLearn.Progress.Rules;

/// <summary>The latest page view: what <c>hhl_last_viewed_*</c> hold.</summary>
public sealed record PageView(string Type, string Slug, Stamp At)
{
    /// <summary>The later view wins; equal times are ordered by type then slug so that order never matters.</summary>
    public static PageView? Latest(PageView? a, PageView? b)
    {
        if (a is null)
        {
            return b;
        }

        if (b is null)
        {
            return a;
        }

        // A real time beats an unparseable stored one; otherwise by time, then text.
        var cmp = (a.At.Value is null) != (b.At.Value is null)
            ? (a.At.Value is null ? -1 : 1)
            : Stamp.Compare(a.At, b.At);
        if (cmp == 0)
        {
            cmp = string.CompareOrdinal(a.Type, b.Type);
        }

        if (cmp == 0)
        {
            cmp = string.CompareOrdinal(a.Slug, b.Slug);
        }

        return cmp >= 0 ? a : b;
    }
}

/// <summary>
/// Everything the service keeps on one contact: the progress state plus the stored milestone values
/// that new values are merged with.
/// </summary>
public sealed record LearnerProgress
{
    public static readonly LearnerProgress New = new();

    public ProgressState State { get; init; } = ProgressState.Empty;

    /// <summary>Course slugs already in <c>hhl_enrolled_courses</c>; the new list is their union with the state's.</summary>
    public ImmutableSortedSet<string> StoredEnrolledCourses { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public ImmutableSortedSet<string> StoredCompletedCourses { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>The stored <c>hhl_total_progress</c>, kept when the state is empty.</summary>
    public string? StoredTotalProgress { get; init; }

    /// <summary>The UTC date of the latest event applied (<c>hhl_last_activity</c>).</summary>
    public DateOnly? LastActivity { get; init; }

    public PageView? LastViewed { get; init; }
}
