using System.Text.Json.Serialization;

namespace HhLearn.CrmSync;

/// <summary>The sync module's JSON, source-generated (AOT).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class CrmSyncJsonContext : JsonSerializerContext;
