namespace HhLearn.CrmSync;

/// <summary>How a learner's part of a projection batch ends when it is not written: retried, refused for good (blocked), or held back by the portal.</summary>
internal sealed class LearnerOutcomes(ISyncLog log, PortalPause pause)
{
    public void Block(LearnerWork learner, string code, string message, string? requestId) => Fail(learner, MessageOutcome.Poison, code, null, requestId, message);

    /// <summary>Ends the learner's part of the batch; a refusal for good also blocks it (kept in the store, see <see cref="IProjectionLedger.BlockAsync"/>).</summary>
    public void Fail(LearnerWork learner, MessageOutcome outcome, string? error, string? correlationId, string? requestId, string? message = null)
    {
        if (!learner.Pending)
        {
            return;
        }

        learner.Finish(outcome);
        if (outcome == MessageOutcome.Poison)
        {
            learner.BlockReason = error ?? "REFUSED";
        }

        log.Write(outcome == MessageOutcome.Retry ? LogLevel.Warn : LogLevel.Error, LogEvents.ProjectionFailed,
            message ?? (outcome == MessageOutcome.Retry ? "HubSpot could not be written for now; the learner will be projected again" : "HubSpot refuses this learner; its messages go to the dead-letter queue"),
            Context(learner, requestId) with { Error = error, CorrelationId = correlationId, Fields = [KeyValuePair.Create<string, object?>("retry", outcome == MessageOutcome.Retry)] });
    }

    public static LogContext Context(LearnerWork learner, string? requestId) => new()
    {
        RequestId = requestId,
        ContactId = learner.ContactId ?? learner.Stored.ContactId,
        EmailHash = learner.Stored.Email is { } email ? EmailHash.Of(email) : null,
        Fields = null,
    };

    /// <summary>The learner could not be written because of the portal: not its fault, so not blocked; calls pause.</summary>
    public void Misconfigured(LearnerWork learner, string? cause)
    {
        learner.Finish(MessageOutcome.Done);
        pause.Refused(cause);
    }
}
