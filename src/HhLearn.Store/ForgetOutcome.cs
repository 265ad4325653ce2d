namespace HhLearn.Store;

/// <summary>What <see cref="ProgressStore.ForgetAsync"/> erased.</summary>
public sealed record ForgetOutcome(IReadOnlyList<string> ErasedKeys, string? ContactId, IReadOnlyList<string> Emails);
