namespace HhLearn.Progress.State;

/// <summary>
/// Fields found in stored state that this version does not know. They are kept, in their
/// original order, and written back unchanged after the known fields.
/// </summary>
public sealed class ExtraFields
{
    public static readonly ExtraFields Empty = new(ImmutableArray<KeyValuePair<string, JsonElement>>.Empty);

    private ExtraFields(ImmutableArray<KeyValuePair<string, JsonElement>> fields) => Fields = fields;

    public ImmutableArray<KeyValuePair<string, JsonElement>> Fields { get; }

    public bool IsEmpty => Fields.IsEmpty;

    public static ExtraFields Of(IEnumerable<KeyValuePair<string, JsonElement>> fields)
    {
        var array = fields.Select(f => KeyValuePair.Create(f.Key, f.Value.Clone())).ToImmutableArray();
        return array.IsEmpty ? Empty : new ExtraFields(array);
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        foreach (var field in Fields)
        {
            writer.WritePropertyName(field.Key);
            field.Value.WriteTo(writer);
        }
    }
}
