namespace HhLearn.CrmSync.Contacts;

/// <summary>A HubSpot property definition: name, label, type and fieldType as the properties API takes them.</summary>
public sealed record PropertyDefinition(string Name, string Label, string Type, string FieldType, string Description);

public static class ContactPropertySchema
{
    public static readonly IReadOnlyList<PropertyDefinition> All =
    [
        new(ContactPropertyNames.ProgressState, "Learning progress state", "string", "textarea", "JSON progress document kept by HhLearn; do not edit by hand."),
        new(ContactPropertyNames.ProgressUpdatedAt, "Learning progress updated", "date", "date", "Date of HhLearn's latest write."),
        new(ContactPropertyNames.ProgressSummary, "Learning progress summary", "string", "textarea", "Readable summary, e.g. 'course-a: 2/3 modules'."),
        new(ContactPropertyNames.EnrolledCourses, "Enrolled courses", "string", "textarea", "Sorted ';'-joined course slugs the learner enrolled in."),
        new(ContactPropertyNames.CompletedCourses, "Completed courses", "string", "textarea", "Sorted ';'-joined course slugs the learner completed."),
        new(ContactPropertyNames.TotalProgress, "Completed modules", "number", "number", "Completed modules across all courses and pathways."),
        new(ContactPropertyNames.LastActivity, "Last learning activity", "date", "date", "Date of the latest learning event."),
        new(ContactPropertyNames.LastViewedType, "Last viewed content type", "string", "text", "Content type of the latest page view."),
        new(ContactPropertyNames.LastViewedSlug, "Last viewed content", "string", "text", "Slug of the latest page view."),
        new(ContactPropertyNames.LastViewedAt, "Last viewed at", "datetime", "date", "Time of the latest page view."),
    ];
}
