using System.Diagnostics;

namespace HhLearn.HubSpotEmulator.Tests;

/// <summary>
/// HubSpot's official Node.js client (@hubspot/api-client 13.5.0, installed in tests/sdk-compat by .ci/run
/// with npm ci) runs unchanged against the emulator for every call HhLearn makes.
/// </summary>
public class OfficialSdkCompatibilityTests
{
    [Fact]
    public async Task OfficialNodeClient_WorksUnchangedAgainstTheEmulator()
    {
        var folder = Path.Combine(RepoRoot(), "tests", "sdk-compat");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@hubspot", "api-client")))
        {
            // First run on a fresh checkout: install the pinned client from package-lock.json.
            var install = new ProcessStartInfo("npm") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "ci", "--no-audit", "--no-fund" })
            {
                install.ArgumentList.Add(argument);
            }

            using var npm = Process.Start(install)!;
            var npmError = await npm.StandardError.ReadToEndAsync();
            await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            Assert.True(npm.ExitCode == 0, $"npm ci in tests/sdk-compat failed: {npmError}");
        }

        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { RequestsPerTenSeconds = 1000 });
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("check.mjs");
        start.ArgumentList.Add(f.Emulator.BaseUrl.ToString());
        start.ArgumentList.Add(EmulatorFixture.Token);
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        var failures = lines.Where(l => l["ok"] is { } ok && !(bool)ok!).Select(l => l.ToJsonString()).ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures) + stderr);
        Assert.True(lines.Count(l => l["ok"] is not null) >= 15, stdout + stderr);
        Assert.Equal(0, process.ExitCode);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HhLearn.sln")))
        {
            dir = dir.Parent;
        }

        return dir!.FullName;
    }
}
