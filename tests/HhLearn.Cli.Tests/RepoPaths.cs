namespace HhLearn.Cli.Tests;

internal static class RepoPaths
{
    /// <summary>The repository root, found from the test binary by walking up to HhLearn.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Samples(params string[] parts) => Path.Combine([Root, "samples", .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HhLearn.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("HhLearn.sln not found above " + AppContext.BaseDirectory);
    }
}
