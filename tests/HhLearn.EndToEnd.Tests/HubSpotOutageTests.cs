namespace HhLearn.EndToEnd.Tests;

/// <summary>HubSpot down while learners track and read: the store answers, and the projection catches up afterwards.</summary>
public class HubSpotOutageTests
{
    [Fact]
    public async Task HubSpotDown_TracksAndReadsAreUnaffected_TheProjectionCatchesUpAfterwards()
    {
        await using var f = await LocalFixture.StartAsync(environment: new() { ["HUBSPOT_RATE_LIMIT"] = "1000" });
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddSeconds(12) });
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (await f.TrackAsync(StoreTests.Module("outage@example.com", $"m{i}", "course-o"))).Status);
            Assert.Equal($"course-o: {i + 1}/{i + 1} modules", (string?)(await f.GetAsync("progress/read?email=outage%40example.com")).Body!["summary"]);
        }

        Assert.Null(f.Contact("outage@example.com"));
        await f.ConvergeAsync(TimeSpan.FromSeconds(90));
        Assert.Equal("10", f.Contact("outage@example.com")![P.TotalProgress]);
        Assert.Equal(0, f.Service.Queue!.DeadLetter!.Count);
    }
}
