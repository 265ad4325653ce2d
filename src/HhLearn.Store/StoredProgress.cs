using HhLearn.Progress;
using HhLearn.Progress.Views;

namespace HhLearn.Store;

/// <summary>
/// How a learner's progress is laid out in the store's item: a map under names the store owns (attribute
/// <see cref="ProgressTable.Learner"/>), independent of HubSpot's property names, so that a CRM's vocabulary changing
/// never needs a data migration. Items written before this layout hold the same values under HubSpot's property names
/// (attribute <see cref="ProgressTable.LegacyValues"/>): they are read as they are, and every write moves them to this
/// layout (and removes the old map), so the table migrates itself as learners are written; <c>hhlearn recompute</c>
/// writes every learner.
/// </summary>
public static class StoredProgress
{
    /// <summary>The progress document (JSON), the one required value.</summary>
    public const string State = "state";
    public const string EnrolledCourses = "enrolled_courses";
    public const string CompletedCourses = "completed_courses";
    public const string TotalProgress = "total_progress";
    public const string LastActivity = "last_activity";
    public const string LastViewedType = "last_viewed_type";
    public const string LastViewedSlug = "last_viewed_slug";
    public const string LastViewedAt = "last_viewed_at";

    /// <summary>The store's name of each of the learner's values.</summary>
    private static readonly Dictionary<LearnerField, string> Names = new()
    {
        [LearnerField.State] = State,
        [LearnerField.EnrolledCourses] = EnrolledCourses,
        [LearnerField.CompletedCourses] = CompletedCourses,
        [LearnerField.TotalProgress] = TotalProgress,
        [LearnerField.LastActivity] = LastActivity,
        [LearnerField.LastViewedType] = LastViewedType,
        [LearnerField.LastViewedSlug] = LastViewedSlug,
        [LearnerField.LastViewedAt] = LastViewedAt,
    };

    /// <summary>
    /// The names the same values had in the legacy layout: the CRM property names of that time, frozen here as part of
    /// the store's own history (a CRM renaming its properties later changes nothing in the table).
    /// </summary>
    private static readonly Dictionary<LearnerField, string> LegacyNames = new()
    {
        [LearnerField.State] = "hhl_progress_state",
        [LearnerField.EnrolledCourses] = "hhl_enrolled_courses",
        [LearnerField.CompletedCourses] = "hhl_completed_courses",
        [LearnerField.TotalProgress] = "hhl_total_progress",
        [LearnerField.LastActivity] = "hhl_last_activity",
        [LearnerField.LastViewedType] = "hhl_last_viewed_type",
        [LearnerField.LastViewedSlug] = "hhl_last_viewed_slug",
        [LearnerField.LastViewedAt] = "hhl_last_viewed_at",
    };

    /// <summary>The learner's own values (nothing derived) under the store's names.</summary>
    public static IReadOnlyDictionary<string, string> Encode(LearnerProgress learner) =>
        LearnerFields.Write(learner).ToDictionary(kv => Names[kv.Key], kv => kv.Value, StringComparer.Ordinal);

    /// <summary>The learner from values under the store's names; a corrupt document is a result, not an exception.</summary>
    public static Result<LearnerProgress, string> Decode(IReadOnlyDictionary<string, string?> values) => Read(values, Names);

    /// <summary>The learner from an item of the legacy layout (the values under the CRM's property names of that time).</summary>
    public static Result<LearnerProgress, string> DecodeLegacy(IReadOnlyDictionary<string, string?> values) => Read(values, LegacyNames);

    /// <summary>The legacy layout's name of <paramref name="field"/> (tests write legacy items with it).</summary>
    public static string LegacyName(LearnerField field) => LegacyNames[field];

    private static Result<LearnerProgress, string> Read(IReadOnlyDictionary<string, string?> values, Dictionary<LearnerField, string> names)
    {
        ArgumentNullException.ThrowIfNull(values);
        return LearnerFields.Read(field => values.TryGetValue(names[field], out var value) ? value : null);
    }
}
