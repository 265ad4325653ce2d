using System.Security.Cryptography;
using System.Text;

namespace HhLearn.Progress.Events;

/// <summary>
/// A deployment's secret for keyed hashes (HMAC-SHA256) of personal identifiers: suppression records and the
/// <c>emailHash</c> of log lines. A plain SHA-256 of an email can be reversed by hashing a list of likely addresses;
/// an HMAC cannot without the key, which lives apart from the table and the logs (SSM / Secrets Manager).
/// </summary>
public sealed class HashKey
{
    /// <summary>The shortest key text taken (a generated key is 64 hex characters, 256 bits).</summary>
    public const int MinimumLength = 32;

    private readonly byte[] _key;

    private HashKey(byte[] key) => _key = key;

    /// <summary>The key from its text (its UTF-8 bytes), or null when the text is missing or shorter than <see cref="MinimumLength"/>.</summary>
    public static HashKey? TryParse(string? text) =>
        text is { } t && t.Trim().Length >= MinimumLength ? new HashKey(Encoding.UTF8.GetBytes(t.Trim())) : null;

    /// <summary>A new random key (256 bits, as hex): for a local stack, or to put into SSM by hand.</summary>
    public static string Generate() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>HMAC-SHA256 of <paramref name="text"/>, lower-case hex.</summary>
    public string Hex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>A value that shows which key a table's suppression records were written with, without revealing it.</summary>
    public string Fingerprint => Hex("hhlearn:hash-key-fingerprint")[..16];
}
