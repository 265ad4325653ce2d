namespace HhLearn.Progress.Tests;

/// <summary>An event's time is payload.ts unless it is missing, unparseable or more than 5 minutes in the future.</summary>
public class EventTimeTests
{
    private static TrackEvent WithTs(string ts) =>
        Support.Event($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"ts":"{{{ts}}}"}}""");

    [Fact]
    public void TimeAt_PastTs_IsTheEventTime() =>
        Assert.Equal(Support.Now.AddDays(-3), WithTs(Support.Ts(-3 * 24 * 60)).TimeAt(Support.Now));

    [Fact]
    public void TimeAt_TsExactlyFiveMinutesAhead_IsAccepted() =>
        Assert.Equal(Support.Now.AddMinutes(5), WithTs(Support.Ts(5)).TimeAt(Support.Now));

    [Fact]
    public void TimeAt_TsOneMillisecondMoreThanFiveMinutesAhead_FallsBackToServerTime() =>
        Assert.Equal(Support.Now, WithTs(Support.Now.AddMinutes(5).AddMilliseconds(1).ToString("O")).TimeAt(Support.Now));

    [Fact]
    public void TimeAt_MissingTs_IsServerTime() =>
        Assert.Equal(Support.Now, Support.Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p"}""").TimeAt(Support.Now));

    [Fact]
    public void TimeAt_TsWithOffset_IsNormalisedToUtc() =>
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero), WithTs("2026-11-27T10:00:00+02:00").TimeAt(Support.Now));

    [Fact]
    public void TimeAt_SubMillisecondPrecision_IsTruncatedToMilliseconds() =>
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 8, 0, 0, 123, TimeSpan.Zero), WithTs("2026-11-27T08:00:00.1239999Z").TimeAt(Support.Now));

    [Fact]
    public void TimeAt_DateWithoutTime_IsNotAnInstant_ServerTimeIsUsed() =>
        Assert.Equal(Support.Now, WithTs("2026-11-20").TimeAt(Support.Now));

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1970-01-01T00:00:00.000Z")]
    [InlineData("1999-12-31T23:59:59.999Z")]
    public void TimeAt_TsBeforeTheEarliestEventTime_IsServerTime(string ts) =>
        Assert.Equal(Support.Now, WithTs(ts).TimeAt(Support.Now));

    [Fact]
    public void TimeAt_TsAtTheEarliestEventTime_IsTheEventTime() =>
        Assert.Equal(Limits.EarliestEventTime, WithTs("2000-01-01T00:00:00.000Z").TimeAt(Support.Now));

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("2026-11-27T12:05:00.001Z")]
    public void Apply_IgnoredTs_IsAWarning_AndTheServerTimeIsStored(string ts)
    {
        var result = ProgressEngine.Apply(LearnerProgress.New, WithTs(ts), Support.TestCatalog, Support.Now);
        Assert.True(result.IsApplied);
        Assert.Equal(WarningCodes.EventTimeIgnored, Assert.Single(result.Warnings).Code);
        Assert.Equal(Support.Now, result.EventTime);
        Assert.Equal("2026-11-27T12:00:00.000Z", result.Learner.State.Pathways["p"].EnrolledAt?.Text);
    }

    [Fact]
    public void Apply_PlausibleTs_HasNoWarning() =>
        Assert.Empty(ProgressEngine.Apply(LearnerProgress.New, WithTs(Support.Ts(-60)), Support.TestCatalog, Support.Now).Warnings);

    [Theory]
    [InlineData("999999999999999")]
    [InlineData("253402300800000")]
    public void TryParseInstant_EpochPastYear9999_IsNotAnInstant_NeverAnException(string text) =>
        Assert.Null(Stamp.TryParseInstant(text));

    [Fact]
    public void TryParseInstant_LargestEpoch_IsTheLastMillisecondOfYear9999() =>
        Assert.Equal(DateTimeOffset.MaxValue.UtcDateTime.Year, Stamp.TryParseInstant(Stamp.MaxEpochMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture))!.Value.Year);

    [Theory]
    [InlineData(""" "ts":"999999999999999" """)]
    [InlineData(""" "ts":999999999999999 """)]
    [InlineData(""" "ts":-1 """)]
    [InlineData(""" "ts":1e300 """)]
    public void Parse_TsOutOfRange_IsServerTime_NeverAnException(string ts) =>
        Assert.Null(Support.Event($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{{{{ts}}}}}""").ClaimedTime);

    [Fact]
    public void Parse_CompletedAtOutOfRange_IsAClientError()
    {
        var result = TrackEventParser.Parse("""{"eventName":"learning_course_completed","course_slug":"c","payload":{"completed_at":"999999999999999"}}""");
        Assert.False(result.IsOk);
        Assert.Contains("payload.completed_at: must be an ISO-8601 date-time", result.Error.Details);
    }
}

public class LearnerNamesTests
{
    [Theory]
    [InlineData(" Grace ", "Hopper", "Grace", "Hopper")]
    [InlineData("", "Hopper", null, "Hopper")]
    [InlineData("Gr\u0000ace", null, null, null)]
    public void Names_AreTrimmed_AndUnusableOnesLeftOut(string? given, string? family, string? expectedGiven, string? expectedFamily)
    {
        var names = LearnerNames.From(given?.Replace("\\u0000", "\u0000", StringComparison.Ordinal), family);
        Assert.Equal((expectedGiven, expectedFamily), (names?.Given, names?.Family));
    }

    [Fact]
    public void ANameOverAHundredCharacters_IsLeftOut() => Assert.Null(LearnerNames.From(new string('a', 101), null));
}
