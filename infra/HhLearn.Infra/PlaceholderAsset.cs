namespace HhLearn.Infra;

/// <summary>A stand-in function asset for synthesizing without a published bootstrap; it refuses to run.</summary>
public static class PlaceholderAsset
{
    public static string Create()
    {
        var dir = Path.Combine(Path.GetTempPath(), "hhlearn-placeholder-asset");
        Directory.CreateDirectory(dir);
        var bootstrap = Path.Combine(dir, "bootstrap");
        File.WriteAllText(bootstrap,
            "#!/bin/sh\necho 'HhLearn: this deployment has no function code. Publish the bootstrap and deploy again.' >&2\nexit 1\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return dir;
    }
}
