namespace HhLearn.Function.Events;

// API Gateway HTTP API payload format 2.0, named and shaped like Amazon.Lambda.APIGatewayEvents so that they
// read familiar. Every field is optional: AWS adds fields, and a missing one must never fail a request.

public sealed class APIGatewayHttpApiV2ProxyRequest
{
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("routeKey")] public string? RouteKey { get; set; }
    [JsonPropertyName("rawPath")] public string? RawPath { get; set; }
    [JsonPropertyName("rawQueryString")] public string? RawQueryString { get; set; }
    [JsonPropertyName("cookies")] public List<string>? Cookies { get; set; }
    [JsonPropertyName("headers")] public Dictionary<string, string>? Headers { get; set; }
    [JsonPropertyName("queryStringParameters")] public Dictionary<string, string>? QueryStringParameters { get; set; }
    [JsonPropertyName("requestContext")] public ProxyRequestContext? RequestContext { get; set; }
    [JsonPropertyName("body")] public string? Body { get; set; }
    [JsonPropertyName("pathParameters")] public Dictionary<string, string>? PathParameters { get; set; }
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; set; }
    [JsonPropertyName("stageVariables")] public Dictionary<string, string>? StageVariables { get; set; }

    public sealed class ProxyRequestContext
    {
        [JsonPropertyName("accountId")] public string? AccountId { get; set; }
        [JsonPropertyName("apiId")] public string? ApiId { get; set; }
        [JsonPropertyName("authorizer")] public AuthorizerDescription? Authorizer { get; set; }
        [JsonPropertyName("domainName")] public string? DomainName { get; set; }
        [JsonPropertyName("domainPrefix")] public string? DomainPrefix { get; set; }
        [JsonPropertyName("http")] public HttpDescription? Http { get; set; }
        [JsonPropertyName("requestId")] public string? RequestId { get; set; }
        [JsonPropertyName("routeKey")] public string? RouteKey { get; set; }
        [JsonPropertyName("stage")] public string? Stage { get; set; }
        [JsonPropertyName("time")] public string? Time { get; set; }
        [JsonPropertyName("timeEpoch")] public long TimeEpoch { get; set; }
    }

    public sealed class HttpDescription
    {
        [JsonPropertyName("method")] public string? Method { get; set; }
        [JsonPropertyName("path")] public string? Path { get; set; }
        [JsonPropertyName("protocol")] public string? Protocol { get; set; }
        [JsonPropertyName("sourceIp")] public string? SourceIp { get; set; }
        [JsonPropertyName("userAgent")] public string? UserAgent { get; set; }
    }

    public sealed class AuthorizerDescription
    {
        [JsonPropertyName("jwt")] public JwtDescription? Jwt { get; set; }

        /// <summary>Lambda authorizer context; values may be any JSON, so they are kept as elements.</summary>
        [JsonPropertyName("lambda")] public Dictionary<string, System.Text.Json.JsonElement>? Lambda { get; set; }
    }

    public sealed class JwtDescription
    {
        /// <summary>Claims as API Gateway passes them: strings (arrays arrive as "[a b]").</summary>
        [JsonPropertyName("claims")] public Dictionary<string, string>? Claims { get; set; }

        [JsonPropertyName("scopes")] public List<string>? Scopes { get; set; }
    }
}

public sealed class APIGatewayHttpApiV2ProxyResponse
{
    [JsonPropertyName("statusCode")] public int StatusCode { get; set; }
    [JsonPropertyName("headers")] public Dictionary<string, string>? Headers { get; set; }

    [JsonPropertyName("cookies")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Cookies { get; set; }

    [JsonPropertyName("body")] public string? Body { get; set; }
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; set; }
}
