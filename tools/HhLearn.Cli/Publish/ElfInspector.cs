using System.Buffers.Binary;

namespace HhLearn.Cli.Publish;

/// <summary>What a published binary is: its CPU, and the symbol versions it needs from the C library.</summary>
public sealed record ElfInfo(ushort Machine, IReadOnlyList<string> RequiredVersions)
{
    public const ushort X64 = 62;
    public const ushort AArch64 = 183;

    /// <summary><c>x86_64</c>, <c>arm64</c>, or the machine number for anything else.</summary>
    public string Architecture => Machine switch
    {
        X64 => "x86_64",
        AArch64 => "arm64",
        _ => $"machine {Machine.ToString(CultureInfo.InvariantCulture)}",
    };

    /// <summary>The highest <c>GLIBC_x.y</c> version the binary needs, or null when it needs none.</summary>
    public Version? HighestGlibc => RequiredVersions
        .Where(v => v.StartsWith("GLIBC_", StringComparison.Ordinal))
        .Select(v => Version.TryParse(v[6..], out var parsed) ? parsed : null)
        .OfType<Version>()
        .DefaultIfEmpty()
        .Max();
}

/// <summary>
/// Reads an ELF64 little-endian file's header and its version-needs section (<c>SHT_GNU_verneed</c>): the same facts
/// <c>objdump -T | grep GLIBC_</c> shows, without needing binutils for the binary's architecture.
/// </summary>
public static class ElfInspector
{
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Reads the file; a problem (not ELF, 32-bit, big-endian, truncated) is returned as the error.</summary>
    public static (ElfInfo? Info, string? Error) Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            return (null, $"cannot read {path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            return (null, $"cannot read {path}: {ex.Message}");
        }

        return Read(bytes);
    }

    public static (ElfInfo? Info, string? Error) Read(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            return (null, "not an ELF binary");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            return (null, "not a 64-bit little-endian ELF binary");
        }

        try
        {
            var machine = BinaryPrimitives.ReadUInt16LittleEndian(elf[18..]);
            var sectionsAt = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(elf[40..]));
            var sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(elf[58..]);
            var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[60..]);
            var versions = new List<string>();
            for (var i = 0; i < sectionCount; i++)
            {
                var header = elf.Slice(sectionsAt + (i * sectionSize), sectionSize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != ShtGnuVerneed)
                {
                    continue;
                }

                var offset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]));
                var link = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
                var entries = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
                var strings = elf.Slice(sectionsAt + (link * sectionSize), sectionSize);
                var stringsAt = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(strings[24..]));
                ReadNeeds(elf, offset, entries, stringsAt, versions);
            }

            return (new ElfInfo(machine, versions), null);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException or IndexOutOfRangeException)
        {
            return (null, "a truncated or damaged ELF binary");
        }
    }

    /// <summary>Walks the <c>Elf64_Verneed</c> chain and each entry's <c>Elf64_Vernaux</c> chain, collecting version names.</summary>
    private static void ReadNeeds(ReadOnlySpan<byte> elf, int offset, int entries, int stringsAt, List<string> versions)
    {
        var need = offset;
        for (var n = 0; n < entries; n++)
        {
            var count = BinaryPrimitives.ReadUInt16LittleEndian(elf[(need + 2)..]);
            var aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(need + 8)..]);
            for (var a = 0; a < count; a++)
            {
                versions.Add(CString(elf, stringsAt + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 8)..])));
                aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 12)..]);
            }

            var next = (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(need + 12)..]);
            if (next == 0)
            {
                break;
            }

            need += next;
        }
    }

    private static string CString(ReadOnlySpan<byte> elf, int at)
    {
        var end = elf[at..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? elf[at..] : elf.Slice(at, end));
    }
}
