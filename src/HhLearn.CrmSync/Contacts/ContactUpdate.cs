namespace HhLearn.CrmSync.Contacts;

/// <summary>The values to write onto the contact, and whether the state fits HubSpot's 65,536-character limit.</summary>
public sealed record ContactUpdate(IReadOnlyDictionary<string, string> Properties, int StateLength)
{
    public bool StateTooLarge => StateLength > Limits.MaxPropertyValueLength;
}
