namespace HhLearn.Store;

/// <summary>Why a learner is kept out of HubSpot.</summary>
public static class SuppressionReasons
{
    /// <summary>The contact HhLearn had written was deleted in HubSpot (by id and by email, not merged away).</summary>
    public const string DeletedUpstream = "deleted_in_hubspot";

    /// <summary>An operator erased the learner (<c>hhlearn forget</c>).</summary>
    public const string Forgotten = "forgotten";

    /// <summary>An operator kept the learner out of HubSpot (<c>hhlearn suppress</c>).</summary>
    public const string Operator = "operator";

    /// <summary>The learner's HubSpot contact turned out to be one whose id is suppressed (the same person under another identifier).</summary>
    public const string ContactSuppressed = "contact_suppressed";
}
