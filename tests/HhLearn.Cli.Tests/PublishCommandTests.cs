using System.Buffers.Binary;
using System.CommandLine;
using System.Diagnostics;
using System.Text;
using HhLearn.Cli.Publish;

namespace HhLearn.Cli.Tests;

/// <summary><c>hhlearn publish</c>: arguments, the toolchain it needs, and the checks a bootstrap must pass before deploy.</summary>
public class PublishCommandTests
{
    /// <summary>A minimal ELF64 file: a header, a string table and a version-needs section listing <paramref name="versions"/> of libc.so.6.</summary>
    private static byte[] Elf(ushort machine, params string[] versions)
    {
        var strings = new MemoryStream();
        strings.WriteByte(0);
        int Add(string s)
        {
            var at = (int)strings.Position;
            strings.Write(Encoding.ASCII.GetBytes(s));
            strings.WriteByte(0);
            return at;
        }

        var file = Add("libc.so.6");
        var names = versions.Select(Add).ToArray();
        var strtab = strings.ToArray();

        // Elf64_Verneed (16 bytes) then one Elf64_Vernaux (16 bytes) per version.
        var verneed = new byte[16 + (16 * versions.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(verneed.AsSpan(0), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(verneed.AsSpan(2), (ushort)versions.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(verneed.AsSpan(4), (uint)file);
        BinaryPrimitives.WriteUInt32LittleEndian(verneed.AsSpan(8), 16);
        for (var i = 0; i < versions.Length; i++)
        {
            var aux = verneed.AsSpan(16 + (16 * i));
            BinaryPrimitives.WriteUInt32LittleEndian(aux[8..], (uint)names[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(aux[12..], i == versions.Length - 1 ? 0u : 16u);
        }

        const int headerSize = 64, sectionSize = 64;
        var strtabAt = headerSize;
        var verneedAt = strtabAt + strtab.Length;
        var sectionsAt = verneedAt + verneed.Length;
        var elf = new byte[sectionsAt + (3 * sectionSize)];
        elf[0] = 0x7F;
        elf[1] = (byte)'E';
        elf[2] = (byte)'L';
        elf[3] = (byte)'F';
        elf[4] = 2;
        elf[5] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(18), machine);
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(40), (ulong)sectionsAt);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(58), sectionSize);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(60), 3);
        strtab.CopyTo(elf, strtabAt);
        verneed.CopyTo(elf, verneedAt);
        var dynstr = elf.AsSpan(sectionsAt + sectionSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dynstr[4..], 3);
        BinaryPrimitives.WriteUInt64LittleEndian(dynstr[24..], (ulong)strtabAt);
        BinaryPrimitives.WriteUInt64LittleEndian(dynstr[32..], (ulong)strtab.Length);
        var needs = elf.AsSpan(sectionsAt + (2 * sectionSize));
        BinaryPrimitives.WriteUInt32LittleEndian(needs[4..], 0x6ffffffe);
        BinaryPrimitives.WriteUInt64LittleEndian(needs[24..], (ulong)verneedAt);
        BinaryPrimitives.WriteUInt64LittleEndian(needs[32..], (ulong)verneed.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(needs[40..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(needs[44..], 1);
        return elf;
    }

    private static string Write(byte[] bytes)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("hhlearn-elf-").FullName, "bootstrap");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Verify_ABinaryForTheTargetWithGlibc234_Passes()
    {
        var binary = Write(Elf(ElfInfo.AArch64, "GLIBC_2.17", "GLIBC_2.34", "GLIBC_2.28"));
        Assert.Empty(PublishChecks.Verify(binary, TargetArch.Arm64));
        Assert.Equal(new Version(2, 34), ElfInspector.Read(binary).Info!.HighestGlibc);
    }

    [Fact]
    public void Verify_ABinaryWithATooNewGlibcSymbol_IsRefused()
    {
        var binary = Write(Elf(ElfInfo.X64, "GLIBC_2.2.5", "GLIBC_2.38"));
        var problem = Assert.Single(PublishChecks.Verify(binary, TargetArch.X64));
        Assert.Contains("needs GLIBC_2.38, newer than Amazon Linux 2023's GLIBC_2.34", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ABinaryForTheOtherArchitecture_IsRefused()
    {
        var problem = Assert.Single(PublishChecks.Verify(Write(Elf(ElfInfo.X64, "GLIBC_2.34")), TargetArch.Arm64));
        Assert.Contains("is built for x86_64, not arm64", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SomethingThatIsNotAnElfBinary_IsRefused()
    {
        Assert.Contains("not an ELF binary", Assert.Single(PublishChecks.Verify(Write(Encoding.UTF8.GetBytes("placeholder")), TargetArch.X64)), StringComparison.Ordinal);
        Assert.Contains("truncated", Assert.Single(PublishChecks.Verify(Write(Elf(ElfInfo.X64, "GLIBC_2.34")[..90]), TargetArch.X64)), StringComparison.Ordinal);
    }

    [Fact]
    public void ElfInspector_ReadsARealBinary_AsObjdumpDoes()
    {
        var real = Environment.ProcessPath!;
        var info = ElfInspector.Read(real).Info!;
        Assert.Equal(TargetArch.Host()!.ElfMachine, info.Machine);
        if (Toolchain.OnPath("objdump"))
        {
            using var objdump = Process.Start(new ProcessStartInfo("objdump", ["-T", real]) { RedirectStandardOutput = true })!;
            var text = objdump.StandardOutput.ReadToEnd();
            objdump.WaitForExit();
            var expected = System.Text.RegularExpressions.Regex.Matches(text, @"GLIBC_[0-9.]+").Select(m => m.Value).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(expected, info.RequiredVersions.Where(v => v.StartsWith("GLIBC_", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Toolchain_CrossBuildOnX64_NeedsClangLldAndTheTargetsGccAndObjcopy_AndSaysWhatToInstall()
    {
        var none = Toolchain.For(TargetArch.Arm64, TargetArch.X64, _ => false);
        Assert.False(none.Ready);
        Assert.Equal(["clang", "ld.lld", "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-objcopy"], none.Missing);
        Assert.Equal(
            "building for arm64 on this x86_64 machine needs a cross toolchain: apt-get install -y clang lld gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu (missing: clang, ld.lld, aarch64-linux-gnu-gcc, aarch64-linux-gnu-objcopy)",
            none.MissingMessage());

        var all = Toolchain.For(TargetArch.Arm64, TargetArch.X64, _ => true);
        Assert.True(all.Ready);
        Assert.Equal(["-p:CppCompilerAndLinker=clang", "-p:ObjCopyName=aarch64-linux-gnu-objcopy"], all.PublishArguments);
    }

    [Fact]
    public void Toolchain_NativeBuild_NeedsOnlyACCompiler_AndNoExtraFlags()
    {
        var gccOnly = Toolchain.For(TargetArch.X64, TargetArch.X64, tool => tool == "gcc");
        Assert.True(gccOnly.Ready);
        Assert.Empty(gccOnly.PublishArguments);
        Assert.False(Toolchain.For(TargetArch.X64, TargetArch.X64, _ => false).Ready);
    }

    [Theory]
    [InlineData("sparc")]
    [InlineData("")]
    public void Arguments_AnUnknownArchitecture_IsAParseError_NamingTheChoices(string arch)
    {
        var parse = new RootCommand { PublishCommand.Create() }.Parse(["publish", "--arch", arch]);
        var error = Assert.Single(parse.Errors);
        Assert.Contains("arm64", error.Message, StringComparison.Ordinal);
        Assert.Contains("x86_64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_DefaultToArm64_TheStacksDefault()
    {
        var command = PublishCommand.Create();
        var parse = new RootCommand { command }.Parse(["publish"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("arm64", parse.GetValue<string>("--arch"));
    }

    [Fact]
    public async Task MissingToolchain_FailsWithOneLineNamingThePackages_BeforeBuildingAnything()
    {
        var error = new StringWriter();
        var exit = await new RootCommand { PublishCommand.Create(onPath: _ => false, host: TargetArch.X64, error: error) }.Parse(["publish", "--arch", "arm64"]).InvokeAsync();
        Assert.Equal(1, exit);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("hhlearn publish: building for arm64 on this x86_64 machine needs a cross toolchain: apt-get install -y clang lld gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu", line, StringComparison.Ordinal);
    }
}
