using Amazon.CDK.AWS.Apigatewayv2;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AwsApigatewayv2Authorizers;
using Amazon.CDK.AwsApigatewayv2Integrations;
using ApiHttpMethod = Amazon.CDK.AWS.Apigatewayv2.HttpMethod;

namespace HhLearn.Infra.Constructs;

public sealed record ProgressApiProps
{
    public required string Stage { get; init; }
    public required IFunction Function { get; init; }

    /// <summary>The pages that may call the API with credentials (explicit origins; none: no CORS).</summary>
    public required IReadOnlyList<string> AllowedOrigins { get; init; }

    /// <summary>The JWT authorizer put on every route, or null for an API that trusts the identifiers in requests.</summary>
    public required JwtAuthorizerSettings? Authorizer { get; init; }

    public required int ThrottleRate { get; init; }
    public required int ThrottleBurst { get; init; }

    /// <summary>Whether to route HubSpot's webhook deliveries (no JWT authorizer: the function verifies HubSpot's signature).</summary>
    public bool Webhooks { get; init; }

    /// <summary>A custom domain (its name and the ACM certificate's ARN), or null; mapped at <see cref="BasePath"/> when set.</summary>
    public CustomDomainSettings? Domain { get; init; }
}

/// <summary>A custom domain for the API: the certificate must be in the stack's region; <c>BasePath</c> is the API mapping key.</summary>
public sealed record CustomDomainSettings(string DomainName, string CertificateArn, string? BasePath);

/// <summary>The identity provider whose tokens API Gateway verifies.</summary>
public sealed record JwtAuthorizerSettings(string Issuer, string Audience);

/// <summary>
/// The HTTP API: the four routes on the Lambda integration, CORS for the configured origins, stage throttling,
/// JSON access logs, and a JWT authorizer on every route when an issuer and an audience are configured.
/// </summary>
public sealed class ProgressApi : Construct
{
    public const string WebhookPath = "/hubspot/webhooks";

    /// <summary>HubSpot's deliveries per second the webhook route takes (its own throttle: a flood never eats the site's share).</summary>
    public const int WebhookRate = 10;

    public static readonly IReadOnlyList<(string Path, ApiHttpMethod Method)> Routes =
    [
        ("/events/track", ApiHttpMethod.POST),
        ("/progress/read", ApiHttpMethod.GET),
        ("/progress/aggregate", ApiHttpMethod.GET),
        ("/enrollments/list", ApiHttpMethod.GET),
    ];

    public ProgressApi(Construct scope, string id, ProgressApiProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        Api = new HttpApi(this, "Api", new HttpApiProps
        {
            ApiName = $"hhlearn-{props.Stage}",
            CreateDefaultStage = false,
            // API Gateway answers preflights itself and sets these headers on every answer (the function's own CORS
            // headers are then ignored). Credentials: a beacon is always sent with them, and a JSON beacon needs a
            // preflight whose answer must name the origin and allow credentials, or the browser drops the beacon.
            CorsPreflight = props.AllowedOrigins.Count == 0 ? null : new CorsPreflightOptions
            {
                AllowOrigins = [.. props.AllowedOrigins],
                AllowCredentials = true,
                AllowMethods = [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
                AllowHeaders = ["content-type", "authorization"],

                // A 503 carries Retry-After; the site's code can read it only if it is exposed.
                ExposeHeaders = ["retry-after"],
                MaxAge = Duration.Minutes(10),
            },
        });

        IHttpRouteAuthorizer? authorizer = props.Authorizer is { } jwt
            ? new HttpJwtAuthorizer("JwtAuthorizer", jwt.Issuer, new HttpJwtAuthorizerProps { JwtAudience = [jwt.Audience], AuthorizerName = "learner-jwt" })
            : null;

        var integration = new HttpLambdaIntegration("Lambda", props.Function, new HttpLambdaIntegrationProps { PayloadFormatVersion = PayloadFormatVersion.VERSION_2_0 });
        foreach (var (path, method) in Routes)
        {
            Api.AddRoutes(new AddRoutesOptions { Path = path, Methods = [method], Integration = integration, Authorizer = authorizer });
        }

        if (props.Webhooks)
        {
            // HubSpot calls with no token of the site's identity provider: the route has no authorizer, and the function
            // refuses any delivery whose v3 signature (HMAC with the app's client secret) does not hold.
            var webhook = Api.AddRoutes(new AddRoutesOptions { Path = WebhookPath, Methods = [ApiHttpMethod.POST], Integration = integration });
            NagAcknowledgements.Acknowledge(webhook[0], new NagAcknowledgement("AwsSolutions-APIG4",
                "HubSpot's webhook deliveries carry no token of the site's identity provider: the function verifies HubSpot's v3 signature (HMAC-SHA256 with the app's client secret, 5-minute window) before doing anything."));
        }

        AccessLogs = new LogGroup(this, "AccessLogs", new LogGroupProps
        {
            LogGroupName = $"/hhlearn/{props.Stage}/api-access",
            Retention = RetentionDays.ONE_MONTH,
            RemovalPolicy = props.Stage == "dev" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        });

        Stage = new HttpStage(this, "Stage", new HttpStageProps
        {
            HttpApi = Api,
            StageName = "$default",
            AutoDeploy = true,
            Throttle = new ThrottleSettings { RateLimit = props.ThrottleRate, BurstLimit = props.ThrottleBurst },
        });

        // HttpStage has no access-log property in this CDK version: set it on the CloudFormation resource.
        var cfnStage = (CfnStage)Stage.Node.DefaultChild!;
        if (props.Webhooks)
        {
            cfnStage.RouteSettings = new Dictionary<string, object>
            {
                // RouteSettings is untyped JSON in CloudFormation: the property names as CloudFormation spells them.
                [$"POST {WebhookPath}"] = new Dictionary<string, object> { ["ThrottlingRateLimit"] = WebhookRate, ["ThrottlingBurstLimit"] = 2 * WebhookRate },
            };
        }

        cfnStage.AccessLogSettings = new CfnStage.AccessLogSettingsProperty
        {
            DestinationArn = AccessLogs.LogGroupArn,
            Format = """{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","routeKey":"$context.routeKey","status":"$context.status","latency":"$context.responseLatency","integrationError":"$context.integrationErrorMessage","time":"$context.requestTime"}""",
        };

        if (props.Domain is { } domain)
        {
            // Behind a mapping key the function sees rawPath /<key>/events/track and routes on routeKey (ApiRequest.Path).
            Domain = new DomainName(this, "Domain", new DomainNameProps
            {
                DomainName = domain.DomainName,
                Certificate = Amazon.CDK.AWS.CertificateManager.Certificate.FromCertificateArn(this, "Certificate", domain.CertificateArn),
            });
            new ApiMapping(this, "Mapping", new ApiMappingProps { Api = Api, DomainName = Domain, Stage = Stage, ApiMappingKey = domain.BasePath });
        }
    }

    /// <summary>The custom domain, when configured (point a DNS record at its <c>RegionalDomainName</c>).</summary>
    public DomainName? Domain { get; }

    public HttpApi Api { get; }
    public HttpStage Stage { get; }
    public LogGroup AccessLogs { get; }
}
