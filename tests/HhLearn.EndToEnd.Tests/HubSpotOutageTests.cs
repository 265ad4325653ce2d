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

    [Fact]
    public async Task HubSpotDownDuringAFirstTouch_TheReadAnswersFromTheStore_TheTrackIsStored_TheImportComesLater()
    {
        await using var f = await LocalFixture.StartAsync();
        f.Emulator.Store.Seed(new Dictionary<string, string>
        {
            ["email"] = "legacy@example.com",
            [P.ProgressState] = """{"courses":{"git-essentials":{"enrolled":true,"enrolled_at":"2026-01-10T09:00:00.000Z","enrollment_source":"old_site","modules":{"commits":{"started":true,"completed":true,"completed_at":"2026-01-11T09:00:00.000Z"}}}}}""",
        });
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddSeconds(8) });
        Assert.Equal("""{"mode":"anonymous"}""", (await f.GetAsync("progress/read?email=legacy%40example.com")).Body!.ToJsonString());
        Assert.Equal(200, (await f.TrackAsync(StoreTests.Module("legacy@example.com", "branches"))).Status);

        await f.ConvergeAsync(TimeSpan.FromSeconds(90));
        var read = await f.GetAsync("progress/read?email=legacy%40example.com");
        Assert.Equal("git-essentials: 2/3 modules", (string?)read.Body!["summary"]);
        Assert.Equal("old_site", (string?)read.Body["progress"]!["courses"]!["git-essentials"]!["enrollment_source"]);
        Assert.Equal("2", f.Contact("legacy@example.com")![P.TotalProgress]);
        Assert.Single(f.Emulator.Store.AllContacts());
    }
}
