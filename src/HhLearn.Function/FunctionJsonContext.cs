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
internal sealed partial class FunctionJsonContext : JsonSerializerContext
{
    /// <summary>
    /// For the API's answers: readable text (an apostrophe in a detail stays <c>'</c>, not <c>\u0027</c>). The answers
    /// are <c>application/json</c> with <c>nosniff</c>, never HTML, so HTML-sensitive characters need no escaping.
    /// </summary>
    public static FunctionJsonContext Answers { get; } = new(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
