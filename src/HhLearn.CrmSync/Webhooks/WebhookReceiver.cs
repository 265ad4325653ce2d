namespace HhLearn.CrmSync.Webhooks;

/// <summary>What the webhook route answers: a status, and for a refusal its code and one line.</summary>
public sealed record WebhookAnswer(int Status, int Received = 0, int Ignored = 0, string? Code = null, string? Message = null);

/// <summary>
/// <c>POST /hubspot/webhooks</c>, inside HubSpot's five seconds: verify the v3 signature (its authentication; the route
/// has no JWT authorizer), read the events, put them on the projection queue, answer 200. Nothing is changed before the
/// signature holds; a forged, stale or replayed delivery is a 401 and a <c>webhook_rejected</c> line (never the body).
/// </summary>
public sealed class WebhookReceiver(string clientSecret, IWebhookSender queue, ISyncLog log, TimeProvider time)
{
    public async Task<WebhookAnswer> ReceiveAsync(string method, string uri, byte[] body, string? timestamp, string? signature, string? requestId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var verdict = WebhookSignature.Verify(method, uri, body, timestamp, signature, clientSecret, time.GetUtcNow());
        if (verdict != SignatureVerdict.Valid)
        {
            log.Write(LogLevel.Warn, LogEvents.WebhookRejected, $"a webhook delivery was refused: signature {verdict.ToString().ToLowerInvariant()}",
                new LogContext { RequestId = requestId, Error = verdict.ToString() });
            return new WebhookAnswer(401, Code: "WEBHOOK_SIGNATURE_INVALID", Message: $"The delivery's X-HubSpot-Signature-v3 is {verdict.ToString().ToLowerInvariant()}");
        }

        var (batch, problem) = WebhookBatch.Parse(body);
        if (batch is null)
        {
            return new WebhookAnswer(400, Code: "WEBHOOK_BODY_INVALID", Message: problem);
        }

        if (batch.Events.Count > 0)
        {
            try
            {
                await queue.SendAsync(batch.Events, ct);
            }
            catch (NudgeFailedException ex)
            {
                // HubSpot retries a delivery that is not answered 2xx: nothing is lost.
                log.Write(LogLevel.Error, LogEvents.NudgeFailed, "webhook events could not be queued; HubSpot will deliver them again", new LogContext { RequestId = requestId, Error = ex.Message });
                return new WebhookAnswer(503, Code: "QUEUE_UNAVAILABLE", Message: "The projection queue is unavailable; HubSpot retries");
            }
        }

        log.Write(LogLevel.Info, LogEvents.WebhookReceived, $"{batch.Events.Count} webhook event(s) queued, {batch.Ignored} ignored",
            new LogContext { RequestId = requestId, Fields = [KeyValuePair.Create<string, object?>("received", batch.Events.Count), KeyValuePair.Create<string, object?>("ignored", batch.Ignored)] });
        return new WebhookAnswer(200, batch.Events.Count, batch.Ignored);
    }
}
