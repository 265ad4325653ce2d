namespace HhLearn.Store;

/// <summary>The projection window every projector shares, and the tally of the projection's HubSpot calls.</summary>
public interface IProjectionWindowStore
{
    /// <summary>
    /// Joins the open window when it closes at or after <paramref name="joinBy"/> and is not <paramref name="full"/>;
    /// else opens one owned by <paramref name="owner"/> that closes at <paramref name="flushAt"/>.
    /// </summary>
    /// <param name="worthOpening">Asked once, before opening a window (never when joining one): false opens none, and null is answered.</param>
    Task<WindowTurn?> OpenOrJoinWindowAsync(string owner, IReadOnlyCollection<string> learners, DateTimeOffset flushAt, DateTimeOffset joinBy, int full, CancellationToken ct,
        Func<Task<bool>>? worthOpening = null);

    /// <summary>The window as it stands (null before the first), read consistently.</summary>
    Task<ProjectionWindowState?> WindowAsync(CancellationToken ct);

    /// <summary>Moves the close of <paramref name="owner"/>'s window; false when the window is no longer its own.</summary>
    Task<bool> MoveWindowAsync(string owner, DateTimeOffset flushAt, CancellationToken ct);

    /// <summary>Adds <paramref name="calls"/> to the shared <paramref name="name"/> tally and answers the calls of the last rolling 10 s.</summary>
    Task<double> CountCallsAsync(string name, long calls, CancellationToken ct);
}
