using Microsoft.AspNetCore.Http;

namespace HhLearn.HubSpotEmulator;

/// <summary>What batch endpoints do with an id merged away into another record: HubSpot does not document it.</summary>
public enum MergedIdsInBatch
{
    /// <summary>The merged-away id answers the surviving record (batch read and update alike).</summary>
    Resolve,

    /// <summary>
    /// Batch read reports it <c>OBJECT_NOT_FOUND</c> (207); batch update answers 200 and leaves that input out of
    /// <c>results</c>, writing nothing (what other integrators have seen). A single GET by id still follows merges.
    /// </summary>
    Omit,
}

/// <summary>Whether reads by email see a contact's secondary emails: undocumented for batch read and GET by email.</summary>
public enum SecondaryEmailLookup
{
    Found,

    /// <summary>Batch read and <c>GET ?idProperty=email</c> match the primary email only (search on <c>hs_additional_emails</c> still does).</summary>
    NotFound,
}

/// <summary>How a batch with an invalid input is answered.</summary>
public enum BatchValidation
{
    /// <summary>One invalid input refuses the whole request with 400.</summary>
    WholeRequest,

    /// <summary>The invalid inputs are errors of a 207 (each with its <c>objectWriteTraceId</c>); the others are written.</summary>
    PerInput,
}

/// <summary>What kind of credential the emulator's token is: it decides what token introspection answers.</summary>
public enum TokenKind
{
    /// <summary>A legacy private app's or a project-based app's static token: <c>access-token-info</c> answers its scopes (documented).</summary>
    PrivateApp,

    /// <summary>A Service Key: HubSpot documents no introspection for it, so <c>access-token-info</c> refuses it (400) and a client must probe.</summary>
    ServiceKey,
}

/// <summary>
/// The portal's switchable behaviours, for what HubSpot leaves undocumented or configures per portal
/// (docs/hubspot.md, "Variants"): set at start (<c>--behaviour KEY=VALUE</c>) or at run time (<c>POST /_emulator/behaviour</c>,
/// keys not sent keep their value).
/// </summary>
public sealed record PortalBehaviour
{
    public MergedIdsInBatch MergedIdsInBatch { get; init; } = MergedIdsInBatch.Resolve;
    public SecondaryEmailLookup SecondaryEmailLookup { get; init; } = SecondaryEmailLookup.Found;

    /// <summary>Scopes the token lacks: every call that needs one answers 403 <c>MISSING_SCOPES</c> for the whole request.</summary>
    public IReadOnlyList<string> MissingScopes { get; init; } = [];

    /// <summary>
    /// The only scopes the token has (<c>--scopes</c>); null: every scope. A call needing another answers 403
    /// <c>MISSING_SCOPES</c>, as with <see cref="MissingScopes"/>.
    /// </summary>
    public IReadOnlyList<string>? GrantedScopes { get; init; }

    public TokenKind TokenKind { get; init; } = TokenKind.PrivateApp;

    /// <summary>Every scope the emulator knows a call to need.</summary>
    public static readonly IReadOnlyList<string> AllScopes = ["crm.objects.contacts.read", "crm.objects.contacts.write", "crm.schemas.contacts.read", "crm.schemas.contacts.write"];

    /// <summary>The scopes the token has.</summary>
    public IReadOnlyList<string> Scopes => (GrantedScopes ?? AllScopes).Except(MissingScopes, StringComparer.Ordinal).ToList();

    /// <summary>Whether the token lacks <paramref name="scope"/>.</summary>
    public bool Lacks(string scope) => MissingScopes.Contains(scope, StringComparer.Ordinal) || (GrantedScopes is { } granted && !granted.Contains(scope, StringComparer.Ordinal));

    /// <summary>Properties a portal admin made required: a create without them is a 400 <c>VALIDATION_ERROR</c> (2026-09 enforces it on API writes).</summary>
    public IReadOnlyList<string> RequiredOnCreate { get; init; } = [];

    public BatchValidation BatchValidation { get; init; } = BatchValidation.WholeRequest;

    /// <summary>The scope a call needs (contacts or schemas, read or write).</summary>
    public static string ScopeFor(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var schemas = path.Contains("/properties/", StringComparison.Ordinal);
        var read = HttpMethods.IsGet(method) || path.EndsWith("/batch/read", StringComparison.Ordinal) || path.EndsWith("/search", StringComparison.Ordinal);
        return $"crm.{(schemas ? "schemas" : "objects")}.contacts.{(read ? "read" : "write")}";
    }

    /// <summary>This behaviour with one key set from text (<c>mergedIdsInBatch=omit</c>, <c>missingScopes=a,b</c>).</summary>
    public PortalBehaviour With(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        static IReadOnlyList<string> List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return key switch
        {
            "mergedIdsInBatch" => this with { MergedIdsInBatch = value switch { "resolve" => MergedIdsInBatch.Resolve, "omit" => MergedIdsInBatch.Omit, _ => throw Bad(key, value, "resolve or omit") } },
            "secondaryEmailLookup" => this with
            {
                SecondaryEmailLookup = value switch { "found" => SecondaryEmailLookup.Found, "not-found" => SecondaryEmailLookup.NotFound, _ => throw Bad(key, value, "found or not-found") },
            },
            "missingScopes" => this with { MissingScopes = List(value) },
            "grantedScopes" => this with { GrantedScopes = value is "*" or "all" ? null : List(value) },
            "tokenKind" => this with { TokenKind = value switch { "private-app" => TokenKind.PrivateApp, "service-key" => TokenKind.ServiceKey, _ => throw Bad(key, value, "private-app or service-key") } },
            "requiredOnCreate" => this with { RequiredOnCreate = List(value) },
            "batchValidation" => this with
            {
                BatchValidation = value switch { "per-input" => BatchValidation.PerInput, "whole-request" => BatchValidation.WholeRequest, _ => throw Bad(key, value, "per-input or whole-request") },
            },
            _ => throw new FormatException($"unknown behaviour '{key}': mergedIdsInBatch, secondaryEmailLookup, missingScopes, grantedScopes, tokenKind, requiredOnCreate or batchValidation"),
        };
    }

    /// <summary>This behaviour with the keys of a JSON object set (lists as arrays or comma-separated strings).</summary>
    public PortalBehaviour With(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var behaviour = this;
        foreach (var (key, value) in body)
        {
            var text = value is JsonArray array ? string.Join(',', array.Select(v => v?.ToString())) : value?.ToString() ?? string.Empty;
            behaviour = behaviour.With(key, text);
        }

        return behaviour;
    }

    public JsonObject ToJson() => new()
    {
        ["mergedIdsInBatch"] = MergedIdsInBatch == MergedIdsInBatch.Omit ? "omit" : "resolve",
        ["secondaryEmailLookup"] = SecondaryEmailLookup == SecondaryEmailLookup.NotFound ? "not-found" : "found",
        ["missingScopes"] = new JsonArray(MissingScopes.Select(s => (JsonNode)s).ToArray()),
        ["grantedScopes"] = GrantedScopes is null ? "all" : new JsonArray(GrantedScopes.Select(s => (JsonNode)s).ToArray()),
        ["tokenKind"] = TokenKind == TokenKind.ServiceKey ? "service-key" : "private-app",
        ["requiredOnCreate"] = new JsonArray(RequiredOnCreate.Select(s => (JsonNode)s).ToArray()),
        ["batchValidation"] = BatchValidation == BatchValidation.PerInput ? "per-input" : "whole-request",
    };

    private static FormatException Bad(string key, string value, string expected) => new($"behaviour {key} must be {expected} (got '{value}')");
}
