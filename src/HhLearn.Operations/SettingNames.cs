namespace HhLearn.Operations;

/// <summary>
/// The one place that names each environment variable of the function: the function reads them, the stack sets them,
/// <c>hhlearn local</c>, the tools and the bench pass them. docs and the README's configuration table describe them.
/// </summary>
public static class SettingNames
{
    public const string EnableCrmProgress = "ENABLE_CRM_PROGRESS";
    public const string ProgressBackend = "PROGRESS_BACKEND";
    public const string ProgressTable = "PROGRESS_TABLE";
    public const string SyncQueueUrl = "SYNC_QUEUE_URL";
    public const string CatalogDir = "CATALOG_DIR";
    public const string AllowedOrigins = "ALLOWED_ORIGINS";
    public const string Stage = "HHLEARN_STAGE";

    public const string HubSpotBaseUrl = "HUBSPOT_BASE_URL";
    public const string HubSpotToken = "HUBSPOT_PRIVATE_APP_TOKEN";
    public const string HubSpotTokenParameter = "HUBSPOT_TOKEN_PARAMETER";
    public const string HubSpotApiVersion = "HUBSPOT_API_VERSION";
    public const string HubSpotRateLimit = "HUBSPOT_RATE_LIMIT";
    public const string HubSpotReadRateLimit = "HUBSPOT_READ_RATE_LIMIT";
    public const string HubSpotSharedReadBudget = "HUBSPOT_SHARED_READ_BUDGET";
    public const string HubSpotProjectionBudget = "HUBSPOT_PROJECTION_BUDGET";
    public const string HubSpotCreateDefaults = "HUBSPOT_CREATE_DEFAULTS";
    public const string HubSpotWebhookSecret = "HUBSPOT_WEBHOOK_SECRET";
    public const string WebhookSecretParameter = "WEBHOOK_SECRET_PARAMETER";

    public const string HashKey = "HHLEARN_HASH_KEY";
    public const string HashKeyParameter = "HASH_KEY_PARAMETER";

    public const string ProjectionSweepAfterSeconds = "PROJECTION_SWEEP_AFTER_SECONDS";
    public const string ProjectionLeaseSeconds = "PROJECTION_LEASE_SECONDS";
    public const string ProjectionWindowSeconds = "PROJECTION_WINDOW_SECONDS";
    public const string StrangerTtlSeconds = "STRANGER_TTL_SECONDS";

    public const string JwtRequireVerifiedEmail = "JWT_REQUIRE_VERIFIED_EMAIL";
    public const string JwtContactIdClaim = "JWT_CONTACT_ID_CLAIM";

    /// <summary>AWS's own: the local stack points the SDKs at dynalite and the local queue with them.</summary>
    public const string AwsEndpointDynamoDb = "AWS_ENDPOINT_URL_DYNAMODB";

    public const string AwsEndpointSqs = "AWS_ENDPOINT_URL_SQS";
    public const string LambdaRuntimeApi = "AWS_LAMBDA_RUNTIME_API";
}
