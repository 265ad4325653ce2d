using System.Runtime.InteropServices;

namespace HhLearn.Cli.Publish;

/// <summary>A Lambda architecture, named as the CDK context names it.</summary>
public sealed record TargetArch(string Name, string Rid, ushort ElfMachine, string GnuTriple, string QemuBinary, string AptArchName)
{
    public static readonly TargetArch Arm64 = new("arm64", "linux-arm64", ElfInfo.AArch64, "aarch64-linux-gnu", "qemu-aarch64", "aarch64-linux-gnu");
    public static readonly TargetArch X64 = new("x86_64", "linux-x64", ElfInfo.X64, "x86_64-linux-gnu", "qemu-x86_64", "x86-64-linux-gnu");

    public static readonly IReadOnlyList<TargetArch> All = [Arm64, X64];

    public static TargetArch? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "arm64" or "aarch64" => Arm64,
        "x86_64" or "x64" or "amd64" => X64,
        _ => null,
    };

    /// <summary>The architecture of this machine, or null when it is neither.</summary>
    public static TargetArch? Host() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.Arm64 => Arm64,
        Architecture.X64 => X64,
        _ => null,
    };
}

/// <summary>
/// What a Native AOT publish for a Lambda architecture needs on this machine, and the MSBuild flags that make it work.
/// A build for this machine's own architecture needs a C toolchain (clang or gcc). A cross build (arm64 on x86_64)
/// needs clang as the compiler and linker (the AOT linker passes <c>--target=</c>, which gcc refuses), lld, the
/// target's GNU C library and startup files (from <c>gcc-&lt;triple&gt;</c>) and its objcopy.
/// </summary>
public sealed record Toolchain(TargetArch Target, TargetArch? Host, IReadOnlyList<string> PublishArguments, IReadOnlyList<string> Missing, string? InstallHint)
{
    public bool IsCross => Host != Target;

    public bool Ready => Missing.Count == 0;

    /// <summary>Finds the tools with <paramref name="onPath"/> (a command name to whether it runs here).</summary>
    public static Toolchain For(TargetArch target, TargetArch? host, Func<string, bool> onPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(onPath);
        if (host == target)
        {
            var missing = onPath("clang") || onPath("gcc") ? Array.Empty<string>() : ["clang or gcc"];
            return new Toolchain(target, host, [], missing, missing.Length == 0 ? null : "apt-get install -y clang");
        }

        var tools = new[] { "clang", "ld.lld", $"{target.GnuTriple}-gcc", $"{target.GnuTriple}-objcopy" };
        var absent = tools.Where(t => !onPath(t)).ToArray();
        return new Toolchain(
            target,
            host,
            ["-p:CppCompilerAndLinker=clang", $"-p:ObjCopyName={target.GnuTriple}-objcopy"],
            absent,
            absent.Length == 0 ? null : $"apt-get install -y clang lld gcc-{target.AptArchName} binutils-{target.AptArchName}");
    }

    /// <summary>The one line that says what to install (Linux) when something is missing.</summary>
    public string MissingMessage() =>
        $"building for {Target.Name} on this {Host?.Name ?? RuntimeInformation.OSArchitecture.ToString()} machine needs {(IsCross ? "a cross toolchain" : "a C toolchain")}: " +
        $"{InstallHint} (missing: {string.Join(", ", Missing)})";

    /// <summary>Whether a command is found on PATH (and is a file).</summary>
    public static bool OnPath(string command)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, command)));
    }
}
