using System.Globalization;
using HhLearn.Progress;
using HhLearn.Progress.Views;

namespace HhLearn.CrmSync.Contacts;

/// <summary>
/// Maps between a HubSpot contact's property values (all strings) and <see cref="LearnerProgress"/>: the learner's
/// values under the <c>hhl_*</c> names (docs/architecture.md section 4), plus what the contact shows people (the
/// summary, the milestones counted from the state, the date of writing).
/// </summary>
public static class ContactProgress
{
    /// <summary>The property that holds each of the learner's values.</summary>
    public static string PropertyOf(LearnerField field) => field switch
    {
        LearnerField.State => ContactPropertyNames.ProgressState,
        LearnerField.EnrolledCourses => ContactPropertyNames.EnrolledCourses,
        LearnerField.CompletedCourses => ContactPropertyNames.CompletedCourses,
        LearnerField.TotalProgress => ContactPropertyNames.TotalProgress,
        LearnerField.LastActivity => ContactPropertyNames.LastActivity,
        LearnerField.LastViewedType => ContactPropertyNames.LastViewedType,
        LearnerField.LastViewedSlug => ContactPropertyNames.LastViewedSlug,
        LearnerField.LastViewedAt => ContactPropertyNames.LastViewedAt,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    /// <summary>Reads stored values as HubSpot returns them. Corrupt state is a result, not an exception.</summary>
    public static Result<LearnerProgress, string> Read(IReadOnlyDictionary<string, string?> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return LearnerFields.Read(field => properties.TryGetValue(PropertyOf(field), out var value) ? value : null);
    }

    /// <summary>
    /// Every property of docs/architecture.md section 4 for <paramref name="learner"/>. <paramref name="writeTime"/> dates
    /// <c>hhl_progress_updated_at</c>. An empty state keeps the stored milestone values.
    /// </summary>
    public static ContactUpdate Build(LearnerProgress learner, LearningCatalog catalog, DateTimeOffset writeTime)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentNullException.ThrowIfNull(catalog);
        var state = learner.State;
        var own = LearnerFields.Write(learner);
        var properties = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in own)
        {
            properties[PropertyOf(field)] = value;
        }

        properties[ContactPropertyNames.ProgressUpdatedAt] = ProgressFigures.FormatDate(DateOnly.FromDateTime(writeTime.UtcDateTime));
        properties[ContactPropertyNames.ProgressSummary] = ProgressFigures.Summary(state, catalog);

        // The milestones shown on the contact: what the state says, joined with what was stored before (an empty state
        // keeps the stored values as they are).
        var (enrolled, completed) = ProgressFigures.Milestones(state);
        var enrolledList = LearnerFields.JoinList(learner.StoredEnrolledCourses.Union(enrolled));
        var completedList = LearnerFields.JoinList(learner.StoredCompletedCourses.Union(completed));
        if (!state.IsEmpty || enrolledList.Length > 0)
        {
            properties[ContactPropertyNames.EnrolledCourses] = enrolledList;
        }

        if (!state.IsEmpty || completedList.Length > 0)
        {
            properties[ContactPropertyNames.CompletedCourses] = completedList;
        }

        if (!state.IsEmpty)
        {
            properties[ContactPropertyNames.TotalProgress] = ProgressFigures.CompletedModules(state).ToString(CultureInfo.InvariantCulture);
        }

        return new ContactUpdate(properties, own[LearnerField.State].Length);
    }
}
