using System.Security.Cryptography;
using System.Text;

namespace HhLearn.HubSpotEmulator;

/// <summary>Where and how the emulator delivers webhooks.</summary>
public sealed record WebhookSubscription(Uri TargetUrl, string ClientSecret, bool Unordered = false);

/// <summary>
/// Delivers the contact store's changes as HubSpot does: a POST of a JSON array (up to 100 events) signed with the v3
/// signature (HMAC-SHA256 with the app's client secret over method + URI + body + timestamp), at least once: a delivery
/// not answered 2xx is sent again later with a higher <c>attemptNumber</c>. With <see cref="WebhookSubscription.Unordered"/>
/// (a test mode) every batch is shuffled and sent twice.
/// </summary>
public sealed class WebhookDelivery : IAsyncDisposable
{
    private const int MaxAttempts = 10;
    private readonly ContactStore _store;
    private readonly TimeProvider _time;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(JsonObject Event, DateTimeOffset Due)> _retry = [];
    private readonly Task _loop;

    public WebhookDelivery(ContactStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        _loop = Task.Run(LoopAsync);
    }

    public WebhookSubscription? Subscription { get; set; }

    /// <summary>Deliveries answered 2xx, and attempts that were not.</summary>
    public long Delivered { get; private set; }

    public long Failed { get; private set; }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, _stop.Token);
                await DeliverDueAsync();
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task DeliverDueAsync()
    {
        // Nobody subscribed: the events wait in the store's (capped) outbox, for a subscriber or a test to take.
        if (Subscription is not { } subscription)
        {
            return;
        }

        var taken = _store.TakeWebhookEvents();

        var now = _time.GetUtcNow();
        var due = _retry.Where(r => r.Due <= now).Select(r => r.Event).ToList();
        _retry.RemoveAll(r => r.Due <= now);
        var events = due.Concat(taken).ToList();
        foreach (var chunk in events.Chunk(100))
        {
            var batch = subscription.Unordered ? chunk.OrderBy(_ => Random.Shared.Next()).ToArray() : chunk;
            var ok = await PostAsync(subscription, batch);
            if (subscription.Unordered && ok)
            {
                await PostAsync(subscription, batch.Reverse().ToArray());
            }

            if (!ok)
            {
                foreach (var e in batch)
                {
                    var attempt = (e["attemptNumber"]?.GetValue<int>() ?? 0) + 1;
                    if (attempt < MaxAttempts)
                    {
                        e["attemptNumber"] = attempt;
                        _retry.Add((e, _time.GetUtcNow() + TimeSpan.FromMilliseconds(200 * Math.Pow(2, Math.Min(attempt, 6)))));
                    }
                }
            }
        }
    }

    private async Task<bool> PostAsync(WebhookSubscription subscription, JsonObject[] batch)
    {
        var body = Encoding.UTF8.GetBytes(new JsonArray(batch.Select(e => (JsonNode)e.DeepClone()).ToArray()).ToJsonString());
        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var uri = subscription.TargetUrl.ToString();
        var source = Encoding.UTF8.GetBytes("POST" + uri).Concat(body).Concat(Encoding.UTF8.GetBytes(timestamp)).ToArray();
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(subscription.ClientSecret), source));
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.TargetUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-HubSpot-Signature-v3", signature);
        request.Headers.Add("X-HubSpot-Request-Timestamp", timestamp);
        try
        {
            using var response = await _http.SendAsync(request, _stop.Token);
            var ok = response.IsSuccessStatusCode;
            if (ok)
            {
                Delivered++;
            }
            else
            {
                Failed++;
            }

            return ok;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Failed++;
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _http.Dispose();
        _stop.Dispose();
    }
}
