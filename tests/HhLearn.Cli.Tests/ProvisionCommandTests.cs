using HhLearn.CrmSync.Contacts;
using Spectre.Console;

namespace HhLearn.Cli.Tests;

/// <summary><c>hhlearn provision</c> against the in-process emulator.</summary>
public class ProvisionCommandTests
{
    private const string Token = "provision-token";

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(Uri url, bool dryRun = false, string token = Token)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        var exit = await ProvisionCommand.RunAsync(url, token, dryRun, console, errors, CancellationToken.None);
        return (exit, output.ToString(), errors.ToString());
    }

    [Fact]
    public async Task Provision_CreatesTheGroupAndEveryProperty_ThenASecondRunFindsThemAllMatching()
    {
        await using var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { Token = Token });

        var first = await RunAsync(emulator.BaseUrl);
        Assert.Equal(0, first.Exit);
        Assert.Equal(ContactPropertySchema.All.Count + 1, first.Output.Split('\n').Count(l => l.Contains("created", StringComparison.Ordinal)));
        foreach (var p in ContactPropertySchema.All)
        {
            var answer = emulator.Store.GetProperty(p.Name);
            Assert.Equal(200, answer.Status);
            Assert.Equal((p.Type, p.FieldType, "learning_milestones"), ((string)answer.Body!["type"]!, (string)answer.Body["fieldType"]!, (string)answer.Body["groupName"]!));
        }

        var second = await RunAsync(emulator.BaseUrl);
        Assert.Equal(0, second.Exit);
        Assert.Equal(ContactPropertySchema.All.Count, second.Output.Split('\n').Count(l => l.Contains("exists, matches", StringComparison.Ordinal)));
        Assert.DoesNotContain("created", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_TypeMismatch_IsReportedWithExitCode2()
    {
        await using var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { Token = Token });
        emulator.Store.CreateGroup(new System.Text.Json.Nodes.JsonObject { ["name"] = "learning_milestones", ["label"] = "Learning Milestones" });
        emulator.Store.CreateProperty(new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = "hhl_total_progress", ["label"] = "Wrong", ["type"] = "string", ["fieldType"] = "text", ["groupName"] = "learning_milestones",
        });

        var (exit, output, _) = await RunAsync(emulator.BaseUrl);
        Assert.Equal(2, exit);
        Assert.Contains("MISMATCH: HubSpot has string / text", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_DryRun_CreatesNothing()
    {
        await using var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { Token = Token });
        var (exit, output, _) = await RunAsync(emulator.BaseUrl, dryRun: true);
        Assert.Equal(0, exit);
        Assert.Contains("would be created", output, StringComparison.Ordinal);
        Assert.Equal(404, emulator.Store.GetProperty("hhl_progress_state").Status);
    }

    [Fact]
    public async Task Provision_WrongToken_IsAOneLineErrorWithExitCode1()
    {
        await using var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { Token = Token });
        var (exit, _, errors) = await RunAsync(emulator.BaseUrl, token: "wrong");
        Assert.Equal(1, exit);
        Assert.Equal("hhlearn provision: HubSpot refused the token (HUBSPOT_PRIVATE_APP_TOKEN): 401", errors.Trim());
    }

    [Fact]
    public async Task Provision_UnreachableHubSpot_IsAOneLineErrorWithExitCode1()
    {
        var (exit, _, errors) = await RunAsync(new Uri("http://127.0.0.1:9/"));
        Assert.Equal(1, exit);
        Assert.StartsWith("hhlearn provision: cannot reach HubSpot at http://127.0.0.1:9/", errors, StringComparison.Ordinal);
        Assert.Single(errors.Trim().Split('\n'));
    }
}
