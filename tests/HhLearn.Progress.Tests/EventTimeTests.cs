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
}
