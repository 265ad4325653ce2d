using HhLearn.Function.Http;

namespace HhLearn.Function;

/// <summary>All JSON of the function, source-generated: no reflection, Native AOT safe.</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyRequest))]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyResponse))]
[JsonSerializable(typeof(SQSEvent))]
[JsonSerializable(typeof(SQSBatchResponse))]
[JsonSerializable(typeof(TrackAnswer))]
[JsonSerializable(typeof(WebhookReceivedAnswer))]
[JsonSerializable(typeof(ErrorAnswer))]
[JsonSerializable(typeof(AnonymousAnswer))]
[JsonSerializable(typeof(ProgressReadAnswer))]
[JsonSerializable(typeof(AggregateAnswer))]
[JsonSerializable(typeof(EnrollmentsAnswer))]
[JsonSerializable(typeof(RuntimeErrorBody))]
internal sealed partial class FunctionJsonContext : JsonSerializerContext;
