using HhLearn.Operations;
using Microsoft.Playwright;

namespace HhLearn.Browser.Tests;

/// <summary>The local console (<c>/_local/</c>): a newcomer's first minute with the service, in a real browser.</summary>
public class LocalConsoleTests(BrowserFixture f) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Console_CompletesAModule_AndShowsTheStoredProgressAndTheHubSpotContact()
    {
        var context = await f.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(f.ApiUrl, "_local/").ToString());
        await page.GetByTestId("email").FillAsync("console@example.com");
        await page.GetByTestId("complete-cloud-foundations-intro-to-cloud-what-is-cloud").ClickAsync();

        // What arrived: the contact in HubSpot, with the module completed.
        var contact = await f.ContactAsync("console@example.com");
        Assert.NotNull(contact);
        Assert.Contains("what-is-cloud", contact!["hhl_progress_state"], StringComparison.Ordinal);

        // And the console shows it beside the API's answer.
        await Assertions.Expect(page.GetByTestId("log")).ToContainTextAsync("learning_module_completed", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("progress")).ToContainTextAsync("what-is-cloud", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("contact")).ToContainTextAsync("hhl_progress_state", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("summary")).ToContainTextAsync("cloud-foundations: 0/2 courses", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("stats")).ToContainTextAsync("mode store", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("store")).ToContainTextAsync("HubSpot holds it", new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task Console_ARefusedCompletion_IsShownAtOnce_WithItsReason()
    {
        var context = await f.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(f.ApiUrl, "_local/").ToString());
        await page.GetByTestId("email").FillAsync("console-refused@example.com");
        await page.GetByTestId("complete-git-essentials-commits").ClickAsync();

        // The learner finishes the module before claiming the course (each click sends at once; wait for the first answer).
        await Assertions.Expect(page.GetByTestId("log")).ToContainTextAsync("\"module_slug\":\"commits\"} -> sent", new() { Timeout = 15_000 });
        await page.GetByTestId("complete-course-git-essentials").ClickAsync();
        await Assertions.Expect(page.GetByTestId("log")).ToContainTextAsync("1/3 modules completed", new() { Timeout = 15_000 });
        Assert.False((await f.Service.Store!.ReadAsync(new Progress.Events.LearnerIdentity("console-refused@example.com", null), default))!.Learner.State.StandaloneCourse("git-essentials")!.IsCompleted);
    }

    [Fact]
    public async Task Console_SignedIn_SendsTheBearerToken_AsTheLearner()
    {
        var context = await f.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(f.ApiUrl, "_local/").ToString());
        await page.GetByTestId("email").FillAsync("console-token@example.com");
        await page.GetByTestId("signed-in").CheckAsync();
        await page.GetByTestId("enrol-git-essentials").ClickAsync();
        var contact = await f.ContactAsync("console-token@example.com");
        Assert.Equal("git-essentials", contact!["hhl_enrolled_courses"]);
        Assert.Contains(f.Logs, l => l.Contains("\"eventName\":\"learning_course_enrolled\"", StringComparison.Ordinal) && l.Contains(Operations.EmailHash.Of("console-token@example.com", Progress.Events.HashKey.TryParse(f.Service.HashKeyText)), StringComparison.Ordinal));
    }
}
