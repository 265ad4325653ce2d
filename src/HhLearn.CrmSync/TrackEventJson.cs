using System.Text.Json;

namespace HhLearn.CrmSync;

/// <summary>
/// Writes a validated event back as a track body in canonical form (fixed key order, slugs in the payload), without
/// its identity: what a log line carries as <c>replay</c>, for <c>hhlearn apply</c>. Non-ASCII text is written as
/// it is, not escaped, so the copy is never larger than the body the browser sent and the 10 KB limit still holds
/// for it.
/// </summary>
public static class TrackEventJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonElement WithoutIdentity(TrackEvent e) => Parse(Write(e, includeIdentity: false));

    public static string Write(TrackEvent e, bool includeIdentity)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("eventName", e.Name);
            if (e.EventId is not null)
            {
                writer.WriteString("eventId", e.EventId);
            }

            if (includeIdentity && (e.Email is not null || e.ContactId is not null))
            {
                writer.WriteStartObject("contactIdentifier");
                if (e.Email is not null)
                {
                    writer.WriteString("email", e.Email);
                }

                if (e.ContactId is not null)
                {
                    writer.WriteString("contactId", e.ContactId);
                }

                writer.WriteEndObject();
            }

            if (e.EnrollmentSource is not null)
            {
                writer.WriteString("enrollment_source", e.EnrollmentSource);
            }

            writer.WriteStartObject("payload");
            void Field(string name, string? value)
            {
                if (value is not null)
                {
                    writer.WriteString(name, value);
                }
            }

            Field("pathway_slug", e.PathwaySlug);
            Field("course_slug", e.CourseSlug);
            Field("module_slug", e.ModuleSlug);
            Field("content_type", e.ContentType);
            Field("slug", e.PageSlug);
            Field("ts", e.ClaimedTime is { } ts ? Progress.State.Stamp.Format(ts) : null);
            Field("completed_at", e.ClaimedCompletedAt is { } at ? Progress.State.Stamp.Format(at) : null);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
