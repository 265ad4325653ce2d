namespace HhLearn.Store;

/// <summary>What a projector's write did to the learner's item.</summary>
public enum ProjectionMark
{
    /// <summary>HubSpot holds the latest version: the learner left the due index.</summary>
    Cleared,

    /// <summary>The learner changed meanwhile: HubSpot holds an older version than the store; a newer nudge follows.</summary>
    MovedOn,

    /// <summary>Another projector wrote a newer version first; ours may have landed after it, so project again.</summary>
    Overtaken,
}
