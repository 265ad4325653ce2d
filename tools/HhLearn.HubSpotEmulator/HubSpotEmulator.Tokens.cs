namespace HhLearn.HubSpotEmulator;

public sealed partial class HubSpotEmulator
{
    /// <summary>The portal id the emulator reports for its token.</summary>
    public const long PortalId = 62515;

    /// <summary>
    /// <c>POST /oauth/v2/private-apps/get/access-token-info</c> <c>{"tokenKey": "..."}</c> (HubSpot's private apps guide):
    /// a private app's (or project-based app's static) token answers its portal, app and scopes. A Service Key has no
    /// documented introspection, so with <c>tokenKind=service-key</c> it is refused like an unknown token.
    /// </summary>
    private ApiAnswer TokenInfo(JsonObject body)
    {
        var key = body["tokenKey"]?.ToString();
        if (string.IsNullOrEmpty(key))
        {
            return new ApiAnswer(400, EmulatorJson.Error("tokenKey is required", "VALIDATION_ERROR"));
        }

        if ((_options.Token is { } token && key != token) || _options.Behaviour.TokenKind == TokenKind.ServiceKey)
        {
            return new ApiAnswer(400, EmulatorJson.Error("The token is not a private app access token", "VALIDATION_ERROR"));
        }

        return new ApiAnswer(200, new JsonObject
        {
            ["userId"] = 1,
            ["hubId"] = PortalId,
            ["appId"] = 1001,
            ["scopes"] = new JsonArray(_options.Behaviour.Scopes.Select(s => (JsonNode)s).ToArray()),
        });
    }
}
