namespace HhLearn.CrmSync;

/// <summary>
/// A portal or a token HubSpot refuses for reasons no learner caused (a missing scope, a property the portal requires on
/// create): calls to HubSpot pause with a growing back-off, <c>hubspot_misconfigured</c> is logged (at most once a
/// minute; the HubSpotMisconfigured alarm counts it), and no one is blocked: the learners stay due, their messages are
/// done, and the sweeper nudges them again, so the projection converges by itself once the portal is fixed.
/// </summary>
internal sealed class PortalPause(ProjectorOptions options, ISyncLog log, TimeProvider time)
{
    private readonly Lock _pauseLock = new();
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;
    private TimeSpan _pause = TimeSpan.Zero;
    private DateTimeOffset _lastMisconfiguredLine = DateTimeOffset.MinValue;
    private string? _misconfiguredCause;

    /// <summary>True while calls to HubSpot are paused; the batch's messages are then done at once (the learners stay due).</summary>
    public bool Holds(IReadOnlyList<ProjectionMessage> messages, string? requestId)
    {
        lock (_pauseLock)
        {
            if (time.GetUtcNow() >= _pausedUntil)
            {
                return false;
            }
        }

        foreach (var message in messages.Where(m => m.Nudge is not null))
        {
            message.Outcome = MessageOutcome.Done;
        }

        SayMisconfigured(requestId);
        return true;
    }

    /// <summary>HubSpot refused the portal or the token (<paramref name="cause"/>): calls pause after this batch.</summary>
    public void Refused(string? cause)
    {
        lock (_pauseLock)
        {
            _misconfiguredCause ??= cause ?? "HubSpot refused the portal's configuration";
        }
    }

    /// <summary>After a batch: pause (longer each time) when the portal refused, or end the pause when HubSpot took the writes.</summary>
    public void Settle(bool wroteAnything, string? requestId)
    {
        bool refused;
        lock (_pauseLock)
        {
            refused = _misconfiguredCause is not null;
            if (refused)
            {
                _pause = _pause == TimeSpan.Zero ? options.FirstPause : TimeSpan.FromTicks(Math.Min(_pause.Ticks * 2, options.LongestPause.Ticks));
                _pausedUntil = time.GetUtcNow() + _pause;
            }
            else if (wroteAnything)
            {
                _pause = TimeSpan.Zero;
            }
        }

        if (refused)
        {
            SayMisconfigured(requestId);
        }
    }

    private void SayMisconfigured(string? requestId)
    {
        string cause;
        TimeSpan pause;
        lock (_pauseLock)
        {
            var now = time.GetUtcNow();
            if (now - _lastMisconfiguredLine < TimeSpan.FromMinutes(1))
            {
                _misconfiguredCause = null;
                return;
            }

            _lastMisconfiguredLine = now;
            cause = _misconfiguredCause ?? "HubSpot refused the portal's configuration";
            pause = _pause;
            _misconfiguredCause = null;
        }

        log.Write(LogLevel.Error, LogEvents.HubSpotMisconfigured,
            $"HubSpot refuses the portal or the token, not a learner: calls paused for {pause.TotalSeconds:0} s; learners stay due and are written once it is fixed (grant the scope, or set the required property's default with HUBSPOT_CREATE_DEFAULTS)",
            new LogContext { RequestId = requestId, Error = cause, Fields = [KeyValuePair.Create<string, object?>("pauseSeconds", (long)pause.TotalSeconds)] });
    }
}
