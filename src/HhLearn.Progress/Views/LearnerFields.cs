using HhLearn.Progress.Rules;

namespace HhLearn.Progress.Views;

/// <summary>The values a learner is made of, each kept as text by whoever stores the learner (under its own names).</summary>
public enum LearnerField
{
    /// <summary>The progress document (JSON), the one required value.</summary>
    State,
    EnrolledCourses,
    CompletedCourses,
    TotalProgress,
    LastActivity,
    LastViewedType,
    LastViewedSlug,
    LastViewedAt,
}

/// <summary>
/// A learner as text and back: the one encoding of <see cref="LearnerProgress"/> that every place holding a learner
/// (the progress store, a CRM contact) names in its own vocabulary. Nothing derived (no summary, no dates of writing):
/// <see cref="Read"/> of what <see cref="Write"/> gave is the same learner.
/// </summary>
public static class LearnerFields
{
    /// <summary>The learner's own values, only those it has (the state always).</summary>
    public static IReadOnlyDictionary<LearnerField, string> Write(LearnerProgress learner)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var values = new SortedDictionary<LearnerField, string> { [LearnerField.State] = ProgressStateJson.Write(learner.State) };
        if (!learner.StoredEnrolledCourses.IsEmpty)
        {
            values[LearnerField.EnrolledCourses] = JoinList(learner.StoredEnrolledCourses);
        }

        if (!learner.StoredCompletedCourses.IsEmpty)
        {
            values[LearnerField.CompletedCourses] = JoinList(learner.StoredCompletedCourses);
        }

        if (learner.StoredTotalProgress is { } total)
        {
            values[LearnerField.TotalProgress] = total;
        }

        if (learner.LastActivity is { } last)
        {
            values[LearnerField.LastActivity] = ProgressFigures.FormatDate(last);
        }

        if (learner.LastViewed is { } view)
        {
            values[LearnerField.LastViewedType] = view.Type;
            values[LearnerField.LastViewedSlug] = view.Slug;
            values[LearnerField.LastViewedAt] = view.At.Text;
        }

        return values;
    }

    /// <summary>The learner from its values (<paramref name="value"/> answers null for one not held). Corrupt state is a result, not an exception.</summary>
    public static Result<LearnerProgress, string> Read(Func<LearnerField, string?> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var read = ProgressStateJson.Read(value(LearnerField.State));
        if (!read.IsOk)
        {
            return Result<LearnerProgress, string>.Fail(read.Error);
        }

        PageView? lastViewed = null;
        if (value(LearnerField.LastViewedType) is { Length: > 0 } type &&
            value(LearnerField.LastViewedSlug) is { Length: > 0 } slug &&
            value(LearnerField.LastViewedAt) is { Length: > 0 } at)
        {
            var parsed = Stamp.TryParseInstant(at);
            lastViewed = new PageView(type, slug, parsed is { } p ? Stamp.From(p) : new Stamp(at, null));
        }

        return Result<LearnerProgress, string>.Ok(new LearnerProgress
        {
            State = read.Value,
            StoredEnrolledCourses = SplitList(value(LearnerField.EnrolledCourses)),
            StoredCompletedCourses = SplitList(value(LearnerField.CompletedCourses)),
            StoredTotalProgress = value(LearnerField.TotalProgress) is { Length: > 0 } total ? total : null,
            LastActivity = ProgressFigures.ParseDate(value(LearnerField.LastActivity)),
            LastViewed = lastViewed,
        });
    }

    /// <summary>Whether two learners hold the same values (what a store would write for them is the same).</summary>
    public static bool Same(LearnerProgress a, LearnerProgress b) => SameValues(Write(a), Write(b));

    /// <summary>Whether two sets of a learner's values, under any one vocabulary's names, are the same.</summary>
    public static bool SameValues<TName>(IReadOnlyDictionary<TName, string> a, IReadOnlyDictionary<TName, string> b)
        where TName : notnull
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && string.Equals(kv.Value, other, StringComparison.Ordinal));
    }

    /// <summary>Course slugs as one value: <c>;</c>-joined.</summary>
    public static string JoinList(IEnumerable<string> slugs) => string.Join(';', slugs);

    private static ImmutableSortedSet<string> SplitList(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? ImmutableSortedSet.Create<string>(StringComparer.Ordinal)
            : text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToImmutableSortedSet(StringComparer.Ordinal);
}
