using HhLearn.Progress;

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

    /// <summary>The store's names and the HubSpot property names the same values had in the legacy layout.</summary>
    private static readonly Dictionary<string, string> LegacyNames = new(StringComparer.Ordinal)
    {
        [State] = ContactPropertyNames.ProgressState,
        [EnrolledCourses] = ContactPropertyNames.EnrolledCourses,
        [CompletedCourses] = ContactPropertyNames.CompletedCourses,
        [TotalProgress] = ContactPropertyNames.TotalProgress,
        [LastActivity] = ContactPropertyNames.LastActivity,
        [LastViewedType] = ContactPropertyNames.LastViewedType,
        [LastViewedSlug] = ContactPropertyNames.LastViewedSlug,
        [LastViewedAt] = ContactPropertyNames.LastViewedAt,
    };

    private static readonly Dictionary<string, string> OursByLegacy = LegacyNames.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    /// <summary>The learner's own values (nothing derived) under the store's names.</summary>
    public static IReadOnlyDictionary<string, string> Encode(LearnerProgress learner) =>
        ContactProgress.Snapshot(learner).ToDictionary(kv => OursByLegacy[kv.Key], kv => kv.Value, StringComparer.Ordinal);

    /// <summary>The learner from values under the store's names; a corrupt document is a result, not an exception.</summary>
    public static Result<LearnerProgress, string> Decode(IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return DecodeLegacy(values.Where(kv => LegacyNames.ContainsKey(kv.Key)).ToDictionary(kv => LegacyNames[kv.Key], kv => kv.Value, StringComparer.Ordinal));
    }

    /// <summary>The learner from an item of the legacy layout (values under HubSpot's property names).</summary>
    public static Result<LearnerProgress, string> DecodeLegacy(IReadOnlyDictionary<string, string?> values) => ContactProgress.Read(values);
}
