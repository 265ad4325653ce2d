namespace HhLearn.Store;

/// <summary>Where a projector stands in the projection window: it owns it (and writes when it closes) or joined it.</summary>
/// <param name="Owner">True when this projector opened the window: it waits for <paramref name="FlushAt"/> and then writes.</param>
/// <param name="FlushAt">When the window's owner writes everyone who is behind.</param>
/// <param name="Waiting">How many distinct learners were nudged into the window so far (capped at the full batch).</param>
public sealed record WindowTurn(bool Owner, DateTimeOffset FlushAt, int Waiting);

/// <summary>The projection window as it stands: who owns it, when it closes, how many learners joined it.</summary>
public sealed record ProjectionWindowState(string? Owner, DateTimeOffset FlushAt, int Waiting);
