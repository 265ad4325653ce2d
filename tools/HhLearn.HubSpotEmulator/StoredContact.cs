namespace HhLearn.HubSpotEmulator;

/// <summary>One contact as the emulator keeps it: its values (all strings), and what search saw of it over time.</summary>
internal sealed class StoredContact(long id, DateTimeOffset createdAt)
{
    public const string EmailProperty = "email";
    public const string AdditionalEmailsProperty = "hs_additional_emails";
    public const string MergedIdsProperty = "hs_merged_object_ids";

    private readonly List<(DateTimeOffset At, Dictionary<string, string?> Values)> _versions = [];

    public long Id { get; } = id;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;
    public Dictionary<string, string?> Values { get; } = new(StringComparer.Ordinal);

    public string? Email => Values.GetValueOrDefault(EmailProperty);

    /// <summary>Emails the contact answers to besides its primary one (HubSpot keeps them <c>;</c>-separated).</summary>
    public IReadOnlyList<string> AdditionalEmails => Split(AdditionalEmailsProperty);

    /// <summary>The ids of the records merged into this one.</summary>
    public IReadOnlyList<string> MergedIds => Split(MergedIdsProperty);

    /// <summary>Every email the contact is found by: the primary and the additional ones.</summary>
    public IEnumerable<string> AllEmails => Email is { } primary ? [primary, .. AdditionalEmails] : AdditionalEmails;

    public void SetList(string property, IEnumerable<string> values)
    {
        var list = values.Where(v => !string.IsNullOrWhiteSpace(v)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (list.Count == 0)
        {
            Values.Remove(property);
        }
        else
        {
            Values[property] = string.Join(';', list);
        }
    }

    /// <summary>Records what the search index will show once the lag has passed.</summary>
    public void Index(DateTimeOffset at)
    {
        _versions.Add((at, new Dictionary<string, string?>(Values, StringComparer.Ordinal)));
        if (_versions.Count > 8)
        {
            _versions.RemoveAt(0);
        }
    }

    public Dictionary<string, string?>? IndexedAsOf(DateTimeOffset visibleBefore)
    {
        for (var i = _versions.Count - 1; i >= 0; i--)
        {
            if (_versions[i].At <= visibleBefore)
            {
                return _versions[i].Values;
            }
        }

        return null;
    }

    private string[] Split(string property) =>
        Values.GetValueOrDefault(property) is { Length: > 0 } text
            ? text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
}
