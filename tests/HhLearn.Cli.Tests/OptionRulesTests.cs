using System.CommandLine;
using HhLearn.Cli.Operate;

namespace HhLearn.Cli.Tests;

/// <summary>A bad option value is a usage error that names the option, never an exception later on.</summary>
public class OptionRulesTests
{
    private static IReadOnlyList<string> Errors(Command command, params string[] args) =>
        [.. new RootCommand { command }.Parse([command.Name, .. args]).Errors.Select(e => e.Message)];

    [Theory]
    [InlineData("--port", "99999")]
    [InlineData("--port", "-1")]
    [InlineData("--emulator-port", "70000")]
    public void Local_APortOutsideTheRange_IsAUsageError_NamingTheOption(string option, string value)
    {
        var error = Assert.Single(Errors(LocalCommand.Create(), option, value));
        Assert.Equal($"{option} must be a port from 1 to 65535 (0 for a free one) (got {value})", error);
    }

    [Fact]
    public void Local_APortThatIsNotANumber_IsTheParsersOneError() =>
        Assert.Contains("Cannot parse argument 'abc' for option '--port'", Assert.Single(Errors(LocalCommand.Create(), "--port", "abc")), StringComparison.Ordinal);

    [Theory]
    [InlineData(new[] { "local", "--port", "abc" }, "hhlearn local: --port 'abc' is not a whole number (see hhlearn local --help)")]
    [InlineData(new[] { "local", "--bogus" }, "hhlearn local: Unrecognized command or argument '--bogus' (see hhlearn local --help)")]
    [InlineData(new[] { "doctor", "--rate-limit", "0" }, "hhlearn doctor: --rate-limit must be from 1 to 10000 (got 0) (see hhlearn doctor --help)")]
    public void ArgumentErrors_AreOneLine_InWords_WithTheCommandAndWhereToLook(string[] args, string line)
    {
        var root = new RootCommand { LocalCommand.Create(), HhLearn.Cli.Doctor.DoctorCommand.Create() };
        Assert.Equal(line, HhLearn.Cli.ArgumentErrors.Describe(root.Parse(args)));
    }

    [Fact]
    public void Local_ZeroFunctionInstances_IsAUsageError() =>
        Assert.Equal("--concurrency must be from 1 to 64 (got 0)", Assert.Single(Errors(LocalCommand.Create(), "--concurrency", "0")));

    [Fact]
    public void Local_TheDefaultsAndAFreePort_AreAccepted()
    {
        Assert.Empty(Errors(LocalCommand.Create()));
        Assert.Empty(Errors(LocalCommand.Create(), "--port", "0", "--emulator-port", "65535"));
    }

    [Fact]
    public async Task Local_ACatalogThatDoesNotExist_IsRefused_BeforeAnythingStarts()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-catalog-{Guid.NewGuid():N}");
        Assert.Equal(1, await new RootCommand { LocalCommand.Create() }.Parse(["local", "--catalog", missing, "--port", "0", "--emulator-port", "0"]).InvokeAsync());
    }

    [Fact]
    public void Emulator_APortOutsideTheRange_IsAUsageError() =>
        Assert.Single(Errors(EmulatorCommand.Create(), "--port", "65536"));

    [Fact]
    public void Import_ARateAboveHubSpotsLargestLimit_IsAUsageError() =>
        Assert.Equal("--rate-limit must be from 1 to 250 (HubSpot's largest limit per 10 s) (got 1000)", Assert.Single(Errors(ImportCommand.Create(), "--rate-limit", "1000")));
}
