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

    private static string LineFor(string eventName, IReadOnlyList<KeyValuePair<string, object?>>? fields = null)
    {
        var text = new StringWriter();
        new JsonLineLog(text, TimeProvider.System, "dev").Write(LogLevel.Info, eventName, "message with \"quotes\" and contact_created inside",
            new LogContext { RequestId = "r", EmailHash = EmailHash.Of("a@b.com"), ContactId = "1", Fields = fields });
        return text.ToString().Trim();
    }

    [GeneratedRegex("""^\{ \(\$\.event = "(?<event>[a-z_]+)"\) && \(\$\.(?<field>[A-Za-z0-9]+) >= 0\) \}$""")]
    private static partial Regex UsagePattern();

    /// <summary>CloudWatch's <c>{ ($.event = "e") &amp;&amp; ($.field >= 0) }</c>: the event matches and the field is a number of at least 0.</summary>
    private static bool MatchesUsage(string pattern, string logLine)
    {
        var match = UsagePattern().Match(pattern);
        Assert.True(match.Success, $"pattern {pattern} is not a usage pattern");
        return JsonNode.Parse(logLine) is JsonObject json && (string?)json["event"] == match.Groups["event"].Value &&
               json[match.Groups["field"].Value] is JsonValue v && v.TryGetValue<double>(out var number) && number >= 0;
    }

    [Fact]
    public void UsageFilters_ReadTheNumbersOfBatchesThatCalledHubSpot_AndSkipTheOthers()
    {
        var filters = StackFixture.Json(fixture.Defaults)["Resources"]!.AsObject()
            .Select(r => r.Value!.AsObject()).Where(r => (string?)r["Type"] == "AWS::Logs::MetricFilter")
            .Select(r => (Name: (string)r["Properties"]!["MetricTransformations"]![0]!["MetricName"]!, Value: (string)r["Properties"]!["MetricTransformations"]![0]!["MetricValue"]!, Pattern: (string)r["Properties"]!["FilterPattern"]!))
            .Where(f => UsagePattern().IsMatch(f.Pattern))
            .ToList();
        Assert.Equal(["projection_calls_per_10s", "projection_learners_per_call", SyncAlarms.QuotaUsageMetric], filters.Select(f => f.Name).Order(StringComparer.Ordinal));

        // The fields a writing batch logs (Projector.Summarize), and a batch that joined a window (no calls: no numbers).
        var writing = LineFor(LogEvents.BatchProcessed, [KeyValuePair.Create<string, object?>("hubspotCalls", 2L), KeyValuePair.Create<string, object?>("learnersPerCall", 45.5),
            KeyValuePair.Create<string, object?>("callsPer10s", 12.0), KeyValuePair.Create<string, object?>("quotaUsage", 15.0)]);
        var joined = LineFor(LogEvents.BatchProcessed, [KeyValuePair.Create<string, object?>("hubspotCalls", 0L), KeyValuePair.Create<string, object?>("learnersPerCall", null),
            KeyValuePair.Create<string, object?>("callsPer10s", null), KeyValuePair.Create<string, object?>("quotaUsage", null)]);
        foreach (var (_, value, pattern) in filters)
        {
            Assert.True(MatchesUsage(pattern, writing), $"{pattern} on a writing batch");
            Assert.False(MatchesUsage(pattern, joined), $"{pattern} on a joined batch");
            Assert.False(MatchesUsage(pattern, LineFor(LogEvents.ProjectionWritten, [KeyValuePair.Create<string, object?>("quotaUsage", 15.0)])), $"{pattern} on another event");
            Assert.NotNull(JsonNode.Parse(writing)![value["$.".Length..]]);
        }
    }

    [Fact]
    public void EachFilter_MatchesItsOwnRealLogLine_AndNoOther()
    {
        var filters = StackFixture.Json(fixture.Defaults)["Resources"]!.AsObject()
            .Select(r => r.Value!.AsObject()).Where(r => (string?)r["Type"] == "AWS::Logs::MetricFilter")
            .Select(r => (Name: (string)r["Properties"]!["MetricTransformations"]![0]!["MetricName"]!, Pattern: (string)r["Properties"]!["FilterPattern"]!))
            .Where(f => f.Name != SyncAlarms.ProjectionLagMetric && !UsagePattern().IsMatch(f.Pattern))
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
