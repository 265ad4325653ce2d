namespace HhLearn.Cli.Local;

/// <summary>Points HubSpot's webhook deliveries at the local API (<c>hhlearn local --webhook-secret</c>).</summary>
internal static class LocalWebhooks
{
    /// <summary>
    /// Subscribes the built-in emulator, or a separately run one (<c>--hubspot-url</c>), to <paramref name="target"/>. A
    /// real portal takes its subscriptions in the app's settings instead: that is said in one line, and the stack runs on.
    /// </summary>
    public static async Task SubscribeAsync(HubSpotEmulator.HubSpotEmulator? builtIn, Uri hubSpotUrl, Uri target, string secret, Action<string> say, CancellationToken ct)
    {
        if (builtIn is not null)
        {
            builtIn.Webhooks.Subscription = new HubSpotEmulator.WebhookSubscription(target, secret);
            return;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.PostAsync(new Uri(hubSpotUrl, "_emulator/webhooks"),
                new StringContent(new JsonObject { ["targetUrl"] = target.ToString(), ["clientSecret"] = secret }.ToJsonString(), Encoding.UTF8, "application/json"), ct);
            say(response.IsSuccessStatusCode
                ? $"webhooks: {hubSpotUrl} delivers to {target}"
                : $"webhooks: {hubSpotUrl} took no subscription ({(int)response.StatusCode}); subscribe {target} in the HubSpot app's settings");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            say($"webhooks: {hubSpotUrl} could not be asked ({ex.Message}); subscribe {target} in the HubSpot app's settings");
        }
    }
}
