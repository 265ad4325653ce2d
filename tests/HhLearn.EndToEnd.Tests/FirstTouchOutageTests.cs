namespace HhLearn.EndToEnd.Tests;

/// <summary>
/// HubSpot down when a learner of the earlier system first shows up: the store answers, the import comes later. Its
/// own class (not in HubSpotOutageTests) so that the two long outage tests overlap.
/// </summary>
public class FirstTouchOutageTests
{
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
