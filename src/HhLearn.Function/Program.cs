using System.Collections;
using HhLearn.CrmSync;
using HhLearn.Function;
using HhLearn.Function.Config;
using HhLearn.Function.Runtime;

// The custom runtime's entry point: read configuration, report a bad one once through the init error,
// otherwise serve invocations from the Lambda Runtime API until the environment is shut down.
var log = JsonLineLog.Console;
var runtimeApi = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
if (string.IsNullOrWhiteSpace(runtimeApi))
{
    Console.Error.WriteLine("bootstrap: AWS_LAMBDA_RUNTIME_API is not set; this program runs inside Lambda or under `hhlearn local`");
    return 2;
}

using var runtimeHttp = new HttpClient { BaseAddress = new Uri($"http://{runtimeApi}/"), Timeout = Timeout.InfiniteTimeSpan };
var runtime = new LambdaRuntimeClient(runtimeHttp);

var (config, problems) = FunctionConfig.FromEnvironment((IDictionary)Environment.GetEnvironmentVariables());
if (problems.Count > 0)
{
    var message = "Invalid configuration: " + string.Join("; ", problems);
    log.Write(LogLevel.Error, LogEvents.ConfigurationInvalid, message);
    await runtime.ReportInitErrorAsync("Runtime.InvalidConfiguration", message, CancellationToken.None);
    return 1;
}

FunctionApp app;
try
{
    app = FunctionApp.Create(config, log, TimeProvider.System);
}
#pragma warning disable CA1031 // A failed start is reported through the init error, as Lambda expects, instead of a crash loop.
catch (Exception ex)
#pragma warning restore CA1031
{
    await runtime.ReportInitErrorAsync("Runtime.InitError", $"{ex.GetType().Name}: {ex.Message}", CancellationToken.None);
    return 1;
}

await using var running = app;
var bootstrap = new LambdaBootstrap(runtime, app.HandleAsync, (requestId, error) =>
    log.Write(LogLevel.Error, LogEvents.InvocationFailed, "unhandled error in the handler", new LogContext { RequestId = requestId, Error = $"{error.GetType().Name}: {error.Message}" }));
await bootstrap.RunAsync(CancellationToken.None);
return 0;
