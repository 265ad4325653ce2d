using HhLearn.CrmSync;
using HhLearn.Progress.Events;

namespace HhLearn.Function.Http;

/// <summary>What became of an accepted track event.</summary>
public abstract record IntakeOutcome;

/// <summary>Direct mode: synced before answering.</summary>
public sealed record IntakeSynced(TrackOutcome Outcome) : IntakeOutcome;

/// <summary>Queue mode: on the FIFO queue, applied later by the consumer.</summary>
public sealed record IntakeQueued(string EventId) : IntakeOutcome;

/// <summary>Where the track route hands a validated, identified event: direct sync or the queue.</summary>
public interface IEventIntake
{
    Task<IntakeOutcome> SubmitAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset receivedAt, string requestId, CancellationToken ct);
}

/// <summary>Direct mode: the track route runs the sync before answering.</summary>
public sealed class DirectIntake(ProgressSync sync) : IEventIntake
{
    public async Task<IntakeOutcome> SubmitAsync(TrackEvent e, LearnerIdentity who, DateTimeOffset receivedAt, string requestId, CancellationToken ct) =>
        new IntakeSynced(await sync.TrackAsync(e, who, receivedAt, requestId, ct));
}
