using System.Text.Json;
using System.Text.Json.Nodes;

namespace HhLearn.Progress.Tests;

/// <summary>Builders that keep the tests reading like the specification.</summary>
internal static class Support
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    /// <summary>course-a: a1,a2,a3; course-b: b1,b2; course-c: c1; path-x: course-a, course-b; path-flat: course-c.</summary>
    public static readonly LearningCatalog TestCatalog = LearningCatalog.Of(
        [("course-a", ["a1", "a2", "a3"]), ("course-b", ["b1", "b2"]), ("course-c", ["c1"])],
        [("path-x", ["course-a", "course-b"]), ("path-flat", ["course-c"])]);

    public static string Ts(int minutes) => Now.AddMinutes(minutes).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static TrackEvent Event(string json)
    {
        var result = TrackEventParser.Parse(json);
        Assert.True(result.IsOk, result.Error is null ? null : string.Join("; ", result.Error.Details));
        return result.Value;
    }

    public static TrackEvent Module(string name, string? pathway, string? course, string module, int atMinutes)
    {
        var payload = new JsonObject { ["module_slug"] = module, ["ts"] = Ts(atMinutes) };
        if (pathway is not null)
        {
            payload["pathway_slug"] = pathway;
        }

        if (course is not null)
        {
            payload["course_slug"] = course;
        }

        return Event(new JsonObject { ["eventName"] = name, ["payload"] = payload }.ToJsonString());
    }

    public static TrackEvent Completed(string? pathway, string? course, string module, int atMinutes) =>
        Module(EventNames.ModuleCompleted, pathway, course, module, atMinutes);

    public static TrackEvent Started(string? pathway, string? course, string module, int atMinutes) =>
        Module(EventNames.ModuleStarted, pathway, course, module, atMinutes);

    public static TrackEvent Enrolled(string name, string? pathway, string? course, int atMinutes, string? source = null, string? completedAt = null)
    {
        var body = new JsonObject { ["eventName"] = name, ["payload"] = new JsonObject { ["ts"] = Ts(atMinutes) } };
        if (pathway is not null)
        {
            body["pathway_slug"] = pathway;
        }

        if (course is not null)
        {
            body["course_slug"] = course;
        }

        if (source is not null)
        {
            body["enrollment_source"] = source;
        }

        if (completedAt is not null)
        {
            body["payload"]!["completed_at"] = completedAt;
        }

        return Event(body.ToJsonString());
    }

    public static TrackEvent PageView(string type, string slug, int atMinutes) =>
        Event(new JsonObject
        {
            ["eventName"] = EventNames.PageViewed,
            ["payload"] = new JsonObject { ["content_type"] = type, ["slug"] = slug, ["ts"] = Ts(atMinutes) },
        }.ToJsonString());

    public static LearnerProgress ApplyAll(LearnerProgress learner, IEnumerable<TrackEvent> events, LearningCatalog? catalog = null) =>
        ProgressEngine.ApplyAll(learner, events, catalog ?? TestCatalog, Now).Learner;

    public static LearnerProgress ApplyAll(params TrackEvent[] events) => ApplyAll(LearnerProgress.New, events);

    public static LearnerProgress Applied(LearnerProgress learner, TrackEvent e, LearningCatalog? catalog = null)
    {
        var result = ProgressEngine.Apply(learner, e, catalog ?? TestCatalog, Now);
        Assert.True(result.IsApplied, result.Rejection?.Message);
        return result.Learner;
    }

    public static LearnerProgress FromState(string stateJson)
    {
        var read = ProgressStateJson.Read(stateJson);
        Assert.True(read.IsOk, read.Error);
        return LearnerProgress.New with { State = read.Value };
    }

    public static string Json(ProgressState state) => ProgressStateJson.Write(state);

    public static JsonNode Node(ProgressState state) => JsonNode.Parse(ProgressStateJson.Write(state))!;

    public static bool JsonEquals(string a, string b) => JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));

    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true };
}
