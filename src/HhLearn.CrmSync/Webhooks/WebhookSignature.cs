using System.Security.Cryptography;
using System.Text;

namespace HhLearn.CrmSync.Webhooks;

/// <summary>What a delivery's signature check found.</summary>
public enum SignatureVerdict
{
    Valid,

    /// <summary>No <c>X-HubSpot-Signature-v3</c> or <c>X-HubSpot-Request-Timestamp</c>.</summary>
    Missing,

    /// <summary>The timestamp is more than five minutes old (or in the future by as much): a replay.</summary>
    Stale,

    /// <summary>The signature does not match: forged, or the body was changed.</summary>
    Invalid,
}

/// <summary>
/// HubSpot's v3 request signature (developer docs, "Validating requests"): <c>X-HubSpot-Signature-v3</c> is the base64 of
/// HMAC-SHA256, keyed with the app's client secret, over <c>method + URI + raw body + X-HubSpot-Request-Timestamp</c>,
/// the URI as HubSpot called it with its URL-encoded characters decoded. A timestamp older than five minutes is refused;
/// signatures are compared in constant time; the raw body is signed, never a re-serialisation.
/// </summary>
public static class WebhookSignature
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public static SignatureVerdict Verify(string method, string uri, ReadOnlySpan<byte> body, string? timestamp, string? signature, string clientSecret, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(clientSecret);
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature) ||
            !long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms))
        {
            return SignatureVerdict.Missing;
        }

        if (ms > Progress.State.Stamp.MaxEpochMilliseconds || (now - DateTimeOffset.FromUnixTimeMilliseconds(ms)).Duration() > MaxAge)
        {
            return SignatureVerdict.Stale;
        }

        Span<byte> expected = stackalloc byte[32];
        Compute(method, uri, body, timestamp, clientSecret, expected);
        Span<byte> given = stackalloc byte[64];
        return Convert.TryFromBase64String(signature, given, out var length) && length == 32 &&
               CryptographicOperations.FixedTimeEquals(expected, given[..length])
            ? SignatureVerdict.Valid
            : SignatureVerdict.Invalid;
    }

    /// <summary>The signature a delivery of <paramref name="body"/> carries (the emulator signs with it; tests too).</summary>
    public static string Sign(string method, string uri, ReadOnlySpan<byte> body, string timestamp, string clientSecret)
    {
        Span<byte> mac = stackalloc byte[32];
        Compute(method, uri, body, timestamp, clientSecret, mac);
        return Convert.ToBase64String(mac);
    }

    /// <summary>The URI as signed: the characters HubSpot's documentation lists decoded, nothing else touched.</summary>
    public static string SignedUri(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var builder = new StringBuilder(uri);
        foreach (var (encoded, plain) in Decoded)
        {
            builder.Replace(encoded, plain).Replace(encoded.ToLowerInvariant(), plain);
        }

        return builder.ToString();
    }

    private static readonly (string Encoded, string Plain)[] Decoded =
    [
        ("%3A", ":"), ("%2F", "/"), ("%3F", "?"), ("%40", "@"), ("%21", "!"), ("%24", "$"), ("%27", "'"), ("%28", "("), ("%29", ")"),
        ("%2A", "*"), ("%2C", ","), ("%3B", ";"),
    ];

    private static void Compute(string method, string uri, ReadOnlySpan<byte> body, string timestamp, string clientSecret, Span<byte> destination)
    {
        var head = Encoding.UTF8.GetBytes(method.ToUpperInvariant() + SignedUri(uri));
        var tail = Encoding.UTF8.GetBytes(timestamp);
        var source = new byte[head.Length + body.Length + tail.Length];
        head.CopyTo(source, 0);
        body.CopyTo(source.AsSpan(head.Length));
        tail.CopyTo(source, head.Length + body.Length);
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), source, destination);
    }
}
