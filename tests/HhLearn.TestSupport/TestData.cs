using System.Text.Json.Nodes;
using HhLearn.HubSpotEmulator;
using HhLearn.Progress.Catalog;
using HhLearn.CrmSync.Contacts;
using HhLearn.Progress.Events;

namespace HhLearn.TestSupport;

/// <summary>The catalog the store, sync and CLI tests share: course-a (a1, a2), course-b (b1), path-x (course-a, course-b).</summary>
public static class TestCatalogs
{
    public static readonly LearningCatalog Small = LearningCatalog.Of([("course-a", ["a1", "a2"]), ("course-b", ["b1"])], [("path-x", ["course-a", "course-b"])]);
}

/// <summary>Track events as the site sends them, parsed (a body that does not parse fails the test at once).</summary>
public static class TrackEvents
{
    public static TrackEvent Parse(string json)
    {
        var parsed = TrackEventParser.Parse(json);
        return parsed.IsOk ? parsed.Value : throw new InvalidOperationException($"test event does not parse: {string.Join("; ", parsed.Error.Details)}");
    }

    public static TrackEvent ModuleCompleted(string course, string module, string ts = "2026-11-27T10:00:00Z", string? email = null) =>
        Parse(new JsonObject
        {
            ["eventName"] = "learning_module_completed",
            ["contactIdentifier"] = email is null ? null : new JsonObject { ["email"] = email },
            ["payload"] = new JsonObject { ["course_slug"] = course, ["module_slug"] = module, ["ts"] = ts },
        }.ToJsonString());
}

/// <summary>An emulator set up as <c>hhlearn provision</c> leaves a portal: HhLearn's group and properties.</summary>
public static class EmulatorSetup
{
    public static void Provision(ContactStore store) => Cli.Local.LocalService.ProvisionEmulator(store);
}

/// <summary>The JSON log lines a test captured (lines that are not JSON, such as a runtime's own output, are skipped).</summary>
public static class LogLines
{
    public static IReadOnlyList<JsonNode> Parse(IEnumerable<string> lines) =>
        lines.SelectMany(text => text.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(TryParse).OfType<JsonNode>().ToList();

    public static IReadOnlyList<JsonNode> Parse(string text) => Parse([text]);

    private static JsonNode? TryParse(string line)
    {
        try
        {
            return JsonNode.Parse(line);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>The hash key every in-process test deployment uses (one per test process: log hashes are keyed process-wide).</summary>
public static class TestHashKey
{
    public const string Text = "test-hash-key-0123456789abcdef0123456789abcdef";

    public static HashKey Key { get; } = HashKey.TryParse(Text)!;
}
