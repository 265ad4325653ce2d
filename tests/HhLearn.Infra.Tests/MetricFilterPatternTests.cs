using HhLearn.Operations;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HhLearn.Infra.Constructs;

namespace HhLearn.Infra.Tests;

/// <summary>
/// The metric filter patterns match the exact JSON lines the function's logger writes: real lines from
/// <see cref="JsonLineLog"/> are run through CloudWatch's JSON pattern semantics for <c>{ $.field = "value" }</c>.
/// </summary>
[Collection("stack")]
public partial class MetricFilterPatternTests(StackFixture fixture)
{
    [GeneratedRegex("""^\{ \$\.(?<field>[A-Za-z_]+) = "(?<value>[^"]*)" \}$""")]
    private static partial Regex EqualityPattern();

    /// <summary>CloudWatch's JSON equality pattern: the field exists at the top level and equals the string.</summary>
    private static bool Matches(string pattern, string logLine)
    {
        var match = EqualityPattern().Match(pattern);
        Assert.True(match.Success, $"pattern {pattern} is not a JSON equality pattern");
        return JsonNode.Parse(logLine) is JsonObject json && json[match.Groups["field"].Value] is JsonValue v &&
               v.TryGetValue<string>(out var text) && text == match.Groups["value"].Value;
    }

    private static string LineFor(string eventName)
    {
        var text = new StringWriter();
        new JsonLineLog(text, TimeProvider.System, "dev").Write(LogLevel.Info, eventName, "message with \"quotes\" and contact_created inside",
            new LogContext { RequestId = "r", EmailHash = EmailHash.Of("a@b.com"), ContactId = "1" });
        return text.ToString().Trim();
    }

    [Fact]
    public void EachFilter_MatchesItsOwnRealLogLine_AndNoOther()
    {
        var filters = StackFixture.Json(fixture.Defaults)["Resources"]!.AsObject()
            .Select(r => r.Value!.AsObject()).Where(r => (string?)r["Type"] == "AWS::Logs::MetricFilter")
            .Select(r => (Name: (string)r["Properties"]!["MetricTransformations"]![0]!["MetricName"]!, Pattern: (string)r["Properties"]!["FilterPattern"]!))
            .Where(f => f.Name != SyncAlarms.ProjectionLagMetric)
            .ToList();
        Assert.Equal(SyncAlarms.MeteredEvents.Count, filters.Count);
        foreach (var (name, pattern) in filters)
        {
            foreach (var eventName in SyncAlarms.MeteredEvents.Append(LogEvents.ProjectionSwept))
            {
                Assert.True(Matches(pattern, LineFor(eventName)) == (eventName == name), $"{pattern} on a {eventName} line");
            }
        }
    }

    [Fact]
    public void RealLogLines_CarryTheStageThatTheDimensionReads()
    {
        var line = JsonNode.Parse(LineFor(LogEvents.ContactCreated))!;
        Assert.Equal("dev", (string?)line["stage"]);
        Assert.Equal(LogEvents.ContactCreated, (string?)line["event"]);
    }
}
