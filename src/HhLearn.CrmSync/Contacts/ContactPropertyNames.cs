namespace HhLearn.CrmSync.Contacts;

/// <summary>The HubSpot contact properties this service owns (docs/architecture.md section 4).</summary>
public static class ContactPropertyNames
{
    public const string Email = "email";
    public const string LifecycleStage = "lifecyclestage";

    /// <summary>HubSpot's name properties: set on create from a verified token's <c>given_name</c> and <c>family_name</c>.</summary>
    public const string FirstName = "firstname";
    public const string LastName = "lastname";
    public const string ProgressState = "hhl_progress_state";
    public const string ProgressUpdatedAt = "hhl_progress_updated_at";
    public const string ProgressSummary = "hhl_progress_summary";
    public const string EnrolledCourses = "hhl_enrolled_courses";
    public const string CompletedCourses = "hhl_completed_courses";
    public const string TotalProgress = "hhl_total_progress";
    public const string LastActivity = "hhl_last_activity";
    public const string LastViewedType = "hhl_last_viewed_type";
    public const string LastViewedSlug = "hhl_last_viewed_slug";
    public const string LastViewedAt = "hhl_last_viewed_at";

    /// <summary>HubSpot's own: the contact's other emails (a merged-away contact's email among them), <c>;</c>-separated.</summary>
    public const string AdditionalEmails = "hs_additional_emails";

    /// <summary>HubSpot's own: the ids of contacts merged into this one, <c>;</c>-separated.</summary>
    public const string MergedObjectIds = "hs_merged_object_ids";

    public const string GroupName = "learning_milestones";
    public const string GroupLabel = "Learning Milestones";

    /// <summary>What a contact read must ask for to apply events and answer the read routes.</summary>
    public static readonly IReadOnlyList<string> ReadSet =
    [
        Email, ProgressState, ProgressUpdatedAt, ProgressSummary, EnrolledCourses, CompletedCourses,
        TotalProgress, LastActivity, LastViewedType, LastViewedSlug, LastViewedAt,
    ];
}
