using HhLearn.Cli.Doctor;
using HhLearn.CrmSync.Contacts;
using Spectre.Console;

namespace HhLearn.Cli.Tests;

/// <summary><c>hhlearn doctor</c> against the in-process emulator: what a deploy needs from HubSpot, and what is missing.</summary>
public class DoctorCommandTests
{
    private const string Token = "doctor-token";

    private static async Task<HubSpotEmulator.HubSpotEmulator> PortalAsync(bool provisioned = true, PortalBehaviour? behaviour = null, int limit = 100)
    {
        var emulator = await HubSpotEmulator.HubSpotEmulator.StartAsync(new EmulatorOptions { Token = Token, RequestsPerTenSeconds = limit, Behaviour = behaviour ?? new PortalBehaviour() });
        if (provisioned)
        {
            TestSupport.EmulatorSetup.Provision(emulator.Store);
        }

        return emulator;
    }

    private static Task<CheckReport> DoctorAsync(HubSpotEmulator.HubSpotEmulator emulator, string token = Token, int rateLimit = 100) =>
        DoctorCommand.RunAsync(emulator.BaseUrl, token, null, HubSpotClientOptions.DefaultApiVersion, rateLimit, 2, CancellationToken.None);

    private static Check Row(CheckReport report, string name) => report.Checks.Single(c => c.Name == name);

    [Fact]
    public async Task AProvisionedPortal_WithAFullToken_Passes_AndTheTableSaysWhatWasFound()
    {
        await using var emulator = await PortalAsync();
        var report = await DoctorAsync(emulator);

        Assert.True(report.Passed, string.Join("\n", report.Checks));
        Assert.Contains("private app", Row(report, "token kind").Detail, StringComparison.Ordinal);
        Assert.Contains($"all {ContactPropertySchema.All.Count} exist", Row(report, "properties").Detail, StringComparison.Ordinal);
        Assert.Contains("allows 100 requests per 10 s", Row(report, "rate limit").Detail, StringComparison.Ordinal);
        Assert.Equal(CheckResult.Skip, Row(report, "Lambda quota").Result);

        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 250;
        report.Write(console, "doctor");
        Assert.Contains("all 6 checks passed (1 skipped)", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(emulator.Store.AllContacts());
    }

    [Fact]
    public async Task AnUnprovisionedPortal_FailsNamingTheMissingProperties_AndSaysToProvision()
    {
        await using var emulator = await PortalAsync(provisioned: false);
        var report = await DoctorAsync(emulator);

        Assert.False(report.Passed);
        var properties = Row(report, "properties");
        Assert.Equal(CheckResult.Fail, properties.Result);
        Assert.Contains(ContactPropertyNames.ProgressState, properties.Detail, StringComparison.Ordinal);
        Assert.Contains("hhlearn provision", properties.Todo, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("private-app")]
    [InlineData("service-key")]
    public async Task AReadOnlyToken_FailsNamingEachMissingScope_WhetherIntrospectedOrProbed(string kind)
    {
        await using var emulator = await PortalAsync(behaviour: new PortalBehaviour().With("grantedScopes", "crm.objects.contacts.read,crm.schemas.contacts.read").With("tokenKind", kind));
        var report = await DoctorAsync(emulator);

        Assert.False(report.Passed);
        var scopes = Row(report, "scopes");
        Assert.Equal(CheckResult.Fail, scopes.Result);
        Assert.Contains("crm.objects.contacts.write", scopes.Detail, StringComparison.Ordinal);
        Assert.Contains("crm.schemas.contacts.write", scopes.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("crm.objects.contacts.read", scopes.Detail, StringComparison.Ordinal);
        Assert.Contains(kind == "service-key" ? "probed" : "private app", Row(report, "token kind").Detail, StringComparison.Ordinal);

        // The probes changed nothing.
        Assert.Empty(emulator.Store.AllContacts());
    }

    [Fact]
    public async Task AStackSetForMoreThanThePortalAllows_FailsWithTheSettingToUse()
    {
        await using var emulator = await PortalAsync();
        var report = await DoctorAsync(emulator, rateLimit: 190);

        var limit = Row(report, "rate limit");
        Assert.Equal(CheckResult.Fail, limit.Result);
        Assert.Equal("deploy with -c hubspotRateLimit=100", limit.Todo);
    }

    [Fact]
    public async Task ATokenHubSpotRefuses_FailsAtOnce_SayingWhereTokensComeFrom()
    {
        await using var emulator = await PortalAsync();
        var report = await DoctorAsync(emulator, token: "wrong");

        var row = Row(report, "token accepted");
        Assert.Equal(CheckResult.Fail, row.Result);
        Assert.Contains("Service Key", row.Todo, StringComparison.Ordinal);
        Assert.DoesNotContain(report.Checks, c => c.Name == "scopes");
    }

    [Fact]
    public async Task NoTokenAtAll_IsOneFailedLine()
    {
        await using var emulator = await PortalAsync();
        var report = await DoctorCommand.RunAsync(emulator.BaseUrl, null, null, HubSpotClientOptions.DefaultApiVersion, 100, 2, CancellationToken.None);
        Assert.Contains("HUBSPOT_PRIVATE_APP_TOKEN", Row(report, "token").Todo, StringComparison.Ordinal);
    }
}
