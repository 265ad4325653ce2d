using System.Text.Json.Nodes;
using HhLearn.Cli.Local;

namespace HhLearn.Cli.Tests;

/// <summary>The installed tool's own copy of what a checkout has (CI installs the package and runs hhlearn local outside the checkout).</summary>
public class InstalledToolTests
{
    [Fact]
    public void TheDynaliteTheInstalledToolInstalls_IsTheOneTheRepositoryPins()
    {
        var package = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "package.json")))!;
        var pinned = (string?)(package["devDependencies"]?["dynalite"] ?? package["dependencies"]?["dynalite"]);
        Assert.Equal(Dynalite.Version, pinned);
    }

    [Fact]
    public void ItsCache_FollowsXdgCacheHome_AndNamesTheVersion()
    {
        var cache = Dynalite.CacheDirectory();
        Assert.EndsWith(Path.Combine("hhlearn", $"dynalite-{Dynalite.Version}"), cache, StringComparison.Ordinal);
        var expectedRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        Assert.StartsWith(expectedRoot, cache, StringComparison.Ordinal);
    }
}
