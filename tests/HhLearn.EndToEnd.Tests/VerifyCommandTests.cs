using HhLearn.Cli.Doctor;
using HhLearn.Cli.Local;
using HhLearn.Cli.Verify;
using HhLearn.HubSpot;
using Spectre.Console;

namespace HhLearn.EndToEnd.Tests;

/// <summary><c>hhlearn verify</c> against <c>hhlearn local</c>: the deployment checklist passes on a healthy stack and cleans up after itself.</summary>
public class VerifyCommandTests
{
    private static (IAnsiConsole Console, StringWriter Output) Console()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 250;
        return (console, output);
    }

    private static async Task<(CheckReport Report, string Output, string Email)> VerifyAsync(LocalFixture f, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = f.Emulator.BaseUrl };
        await using var hubSpot = new HubSpotClient(http, new StaticTokenProvider(LocalService.EmulatorToken), new HubSpotClientOptions { MaxAttempts = 2, TotalBudget = TimeSpan.FromSeconds(5) });
        var (course, modules, problem) = VerifyCommand.Course(null, null);
        Assert.Null(problem);
        var email = $"hhlearn-verify-{Guid.NewGuid().ToString("N")[..10]}@example.com";
        var (console, output) = Console();
        var report = await VerifyCommand.RunAsync(new VerifySettings
        {
            Api = f.Service.ApiUrl, Email = email, Origin = "http://127.0.0.1:3000", Course = course!, Modules = modules, HubSpot = hubSpot, Timeout = timeout,
        }, f.Service.Store, null, console, CancellationToken.None);
        return (report, output.ToString(), email);
    }

    [Fact]
    public async Task AHealthyStack_PassesEveryCheck_AndLeavesNoSyntheticLearnerBehind()
    {
        await using var f = await LocalFixture.StartAsync();
        var (report, output, email) = await VerifyAsync(f, TimeSpan.FromSeconds(60));

        Assert.True(report.Passed, output);
        foreach (var check in new[] { "CORS preflight", "enrolment answered", "bad body refused", "read your writes", "contact created in HubSpot", "course completed in HubSpot", "last activity in HubSpot", "clean-up: store", "clean-up: HubSpot" })
        {
            Assert.Equal(CheckResult.Pass, report.Checks.Single(c => c.Name.StartsWith(check, StringComparison.Ordinal)).Result);
        }

        Assert.Contains("checks passed", output, StringComparison.Ordinal);
        Assert.DoesNotContain(f.Emulator.Store.AllContacts(), c => c.Properties.GetValueOrDefault("email") == email);
        Assert.Null(await f.StoredAsync(email));
    }

    [Fact]
    public async Task DuringAHubSpotOutage_ItFailsNamingHubSpot_AndSaysWhereToLook()
    {
        await using var f = await LocalFixture.StartAsync();
        f.Emulator.SetFaults(new HubSpotEmulator.FaultSettings { OutageUntil = DateTimeOffset.UtcNow.AddMinutes(5) });
        var (report, output, _) = await VerifyAsync(f, TimeSpan.FromSeconds(8));

        Assert.False(report.Passed);
        Assert.Equal(CheckResult.Pass, report.Checks.Single(c => c.Name == "read your writes").Result);
        var contact = report.Checks.Single(c => c.Name == "contact created in HubSpot");
        Assert.Equal(CheckResult.Fail, contact.Result);
        Assert.Contains("ProjectionLag", contact.Todo, StringComparison.Ordinal);
        Assert.Contains("checks failed: contact created in HubSpot", output.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }
}
