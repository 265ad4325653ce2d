using System.Text;
using Amazon.SimpleSystemsManagement;
using HhLearn.Function.Http;
using HhLearn.Function.Queue;
using HhLearn.Function.Runtime;
using HhLearn.Progress.Catalog;
using HhLearn.Store;

namespace HhLearn.Function;

/// <summary>
/// The function, composed from its configuration: one handler for API Gateway HTTP API events, SQS events (the
/// projection's nudges) and scheduled events (the sweeper), dispatched on the event's shape.
/// </summary>
public sealed class FunctionApp : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned;
    private readonly List<IDisposable> _disposables;
    private readonly TimeProvider _time;
    private readonly Sweeper? _sweeper;
    private readonly ISyncLog _log;

    private FunctionApp(FunctionConfig config, ISyncLog log, TimeProvider time, IProgressBackend? backend, Projector? projector, Sweeper? sweeper,
        List<IAsyncDisposable> owned, List<IDisposable> disposables, (CrmSync.Webhooks.WebhookReceiver Receiver, CrmSync.Webhooks.WebhookHandler Handler)? webhooks = null)
    {
        Config = config;
        _time = time;
        _sweeper = sweeper;
        _log = log;
        _owned = owned;
        _disposables = disposables;
        Backend = backend;
        Api = new HttpApi(config, backend, log, time, webhooks?.Receiver);
        Consumer = new QueueConsumer(projector, log, webhooks?.Handler);
    }

    public FunctionConfig Config { get; }
    public HttpApi Api { get; }
    public QueueConsumer Consumer { get; }
    public IProgressBackend? Backend { get; }

    /// <summary>
    /// Builds the function. <paramref name="tokens"/> overrides where the token comes from (tests); otherwise SSM
    /// when <c>HUBSPOT_TOKEN_PARAMETER</c> is set, else <c>HUBSPOT_PRIVATE_APP_TOKEN</c>.
    /// </summary>
    public static FunctionApp Create(FunctionConfig config, ISyncLog log, TimeProvider time, ICrmTokenSource? tokens = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var catalog = LoadCatalog(config.CatalogDir, log);
        if (!config.CrmEnabled)
        {
            return new FunctionApp(config, log, time, null, null, null, [], []);
        }

        tokens ??= config.TokenParameter is { } parameter
            ? new LoggedTokenProvider(new SsmTokenProvider(SsmTokenProvider.CreateClient(), parameter), log)
            : new FixedCrmToken(config.Token!);

        // Two shares of the app's HubSpot budget, one per kind of work, each with its own limiter (HubSpotBudget):
        // an instance draws on the queue share only while it runs queue work, on the read share only for the API.
        var crm = CrmConnection.Create(new CrmConnectionSettings
        {
            BaseUrl = config.HubSpotBaseUrl,
            ApiVersion = config.HubSpotApiVersion,
            QueueRateLimit = config.RateLimit,
            ApiRateLimit = config.ReadRateLimit ?? config.RateLimit,
            Writer = config.CreateDefaults is { } defaults ? new ContactWriterOptions { CreateDefaults = defaults } : new ContactWriterOptions(),
        }, tokens, log, time);
        List<IAsyncDisposable> owned = [crm];
        List<IDisposable> disposables = [];
        if (config.ProgressTable is not { } table)
        {
            var direct = crm.Direct(catalog, new SyncOptions { Backend = config.Backend, EventNamePrefix = config.EventNamePrefix });
            return new FunctionApp(config, log, time, direct, null, null, owned, disposables);
        }

        // Secrets read once at start share one SSM client, made only when a parameter names one.
        Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementClient? startupSsm = null;
        Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementClient StartupSsm()
        {
            if (startupSsm is null)
            {
                startupSsm = SsmTokenProvider.CreateClient();
                disposables.Add(startupSsm);
            }

            return startupSsm;
        }

        // The deployment's hash key: suppression records and the emailHash of every later log line are keyed with it.
        var hashKey = config.HashKey ?? (config.HashKeyParameter is { } hashKeyParameter
            ? HashKeyParameter.ReadAsync(StartupSsm(), hashKeyParameter, CancellationToken.None).GetAwaiter().GetResult()
            : null);
        if (hashKey is not null)
        {
            EmailHash.UseKey(hashKey);
        }

        var dynamo = ProgressStore.CreateClient();
        disposables.Add(dynamo);
        var store = new ProgressStore(dynamo, table, catalog, time, new StoreOptions { HashKey = hashKey });
        INudgeSender? nudges = null;
        Projector? projector = null;
        Sweeper? sweeper = null;
        if (config.SyncQueueUrl is { } queueUrl)
        {
            var sqs = CreateSqsClient();
            disposables.Add(sqs);
            nudges = new SqsNudgeSender(sqs, queueUrl);
            projector = new Projector(store, crm.QueueWriter, catalog, nudges, log, time, new ProjectorOptions
            {
                Lease = config.ProjectionLease,
                Window = new ProjectionWindowOptions { Length = config.ProjectionWindow, Budget = config.ProjectionBudget ?? 0 },
            });
            sweeper = new Sweeper(store, nudges, log, time, config.SweepAfter);
        }
        else
        {
            log.Write(LogLevel.Warn, LogEvents.ConfigurationInvalid, "PROGRESS_TABLE without SYNC_QUEUE_URL: progress is stored, but nothing projects it to HubSpot");
        }

        var backend = new StoreBackend(store, catalog, nudges, crm.ApiWriter, log,
            new StoreBackendOptions { SharedReadBudget = config.SharedReadBudget, StrangerLifetime = config.StrangerLifetime });

        // HubSpot's webhooks: verified and queued by the API, applied by the projector (one place for identity and privacy).
        (CrmSync.Webhooks.WebhookReceiver, CrmSync.Webhooks.WebhookHandler)? webhooks = null;
        if (nudges is SqsNudgeSender queue && (config.WebhookSecret ?? (config.WebhookSecretParameter is { } secretParameter ? SecretParameter.ReadAsync(StartupSsm(), secretParameter, CancellationToken.None).GetAwaiter().GetResult() : null)) is { } secret)
        {
            webhooks = (new CrmSync.Webhooks.WebhookReceiver(secret, queue, log, time), new CrmSync.Webhooks.WebhookHandler(store, nudges, log));
        }

        return new FunctionApp(config, log, time, backend, projector, sweeper, owned, disposables, webhooks);
    }

    /// <summary>The Lambda handler: takes the raw event, answers the raw response.</summary>
    public async Task<ReadOnlyMemory<byte>> HandleAsync(ReadOnlyMemory<byte> payload, LambdaContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Leave a second to answer before Lambda's deadline; HubSpot and store calls stop at this point.
        using var budget = new CancellationTokenSource(Max(context.Remaining(_time) - TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), _time);
        switch (EventShape.Of(payload))
        {
            case PayloadKind.HttpApi:
                var request = JsonSerializer.Deserialize(payload.Span, FunctionJsonContext.Default.APIGatewayHttpApiV2ProxyRequest)!;
                var requestId = request.RequestContext?.RequestId ?? context.RequestId;
                var response = await Api.HandleAsync(request, requestId, budget.Token);
                return JsonSerializer.SerializeToUtf8Bytes(response, FunctionJsonContext.Default.APIGatewayHttpApiV2ProxyResponse);
            case PayloadKind.Sqs:
                var sqsEvent = JsonSerializer.Deserialize(payload.Span, FunctionJsonContext.Default.SQSEvent)!;
                var batchResponse = await Consumer.HandleAsync(sqsEvent, context.RequestId, budget.Token);
                return JsonSerializer.SerializeToUtf8Bytes(batchResponse, FunctionJsonContext.Default.SQSBatchResponse);
            case PayloadKind.Schedule:
                if (_sweeper is null)
                {
                    // Sync off (or no queue): nothing is projected, so nothing is behind. Said all the same: the ProjectionLag
                    // alarm treats a missing report as a sweeper that does not run.
                    _log.Write(LogLevel.Info, LogEvents.ProjectionSwept, "no projection to sweep (CRM sync off, or no queue)", new LogContext
                    {
                        RequestId = context.RequestId,
                        Fields = [KeyValuePair.Create<string, object?>("nudged", 0), KeyValuePair.Create<string, object?>("oldestBehindSeconds", 0.0)],
                    });
                    return Encoding.UTF8.GetBytes("""{"nudged":0}""");
                }

                var nudged = await _sweeper.SweepAsync(context.RequestId, budget.Token);
                return Encoding.UTF8.GetBytes($$"""{"nudged":{{nudged}}}""");
            default:
                throw new NotSupportedException("unknown event shape: expected an API Gateway HTTP API (2.0), SQS or scheduled event");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }
    }

    private static LearningCatalog LoadCatalog(string? directory, ISyncLog log)
    {
        if (directory is null)
        {
            log.Write(LogLevel.Warn, LogEvents.CatalogFileSkipped, "no catalog directory: completion cannot be inferred for any course");
            return LearningCatalog.Empty;
        }

        var result = CatalogFiles.Load(directory);
        foreach (var problem in result.Problems)
        {
            log.Write(LogLevel.Warn, LogEvents.CatalogFileSkipped, $"catalog file {problem.Name} skipped: {problem.Problem}");
        }

        return result.Catalog;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The SQS client; <c>AWS_ENDPOINT_URL_SQS</c> points it at a local queue (hhlearn local).</summary>
    private static Amazon.SQS.AmazonSQSClient CreateSqsClient()
    {
        var config = new Amazon.SQS.AmazonSQSConfig { MaxErrorRetry = 2, Timeout = TimeSpan.FromSeconds(5) };
        if (Environment.GetEnvironmentVariable(SettingNames.AwsEndpointSqs) is { Length: > 0 } endpoint)
        {
            config.ServiceURL = endpoint;
        }

        return new Amazon.SQS.AmazonSQSClient(config);
    }
}

internal enum PayloadKind
{
    Unknown,
    HttpApi,
    Sqs,
    Schedule,
}

/// <summary>
/// Tells an API Gateway HTTP API event from an SQS or an EventBridge scheduled event by the top-level property names alone: a forward-only
/// scan that skips every value, so the payload is parsed for real only once, by the deserializer that fits.
/// </summary>
internal static class EventShape
{
    public static PayloadKind Of(ReadOnlyMemory<byte> payload)
    {
        var reader = new Utf8JsonReader(payload.Span);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return PayloadKind.Unknown;
            }

            bool records = false, requestContext = false, route = false, detailType = false, source = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                records |= reader.ValueTextEquals("Records"u8);
                requestContext |= reader.ValueTextEquals("requestContext"u8);
                route |= reader.ValueTextEquals("rawPath"u8) || reader.ValueTextEquals("routeKey"u8);
                detailType |= reader.ValueTextEquals("detail-type"u8);
                source |= reader.ValueTextEquals("source"u8);
                reader.Read();
                reader.Skip();
            }

            return records ? PayloadKind.Sqs
                : requestContext && route ? PayloadKind.HttpApi
                : detailType && source ? PayloadKind.Schedule
                : PayloadKind.Unknown;
        }
        catch (JsonException)
        {
            return PayloadKind.Unknown;
        }
    }
}
