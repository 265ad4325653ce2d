namespace HhLearn.Store;

/// <summary>What an import did to the store.</summary>
public enum ImportOutcome
{
    /// <summary>The store had no such learner: created from what HubSpot holds.</summary>
    Created,

    /// <summary>Joined with what the store had; HubSpot gets the union by the projection.</summary>
    Merged,

    /// <summary>The store already had everything HubSpot holds.</summary>
    Unchanged,

    /// <summary>The stored document cannot be read: left as it is.</summary>
    Corrupt,

    /// <summary>The person was forgotten or kept out of HubSpot (under one of their identifiers): nothing imported.</summary>
    Suppressed,
}
