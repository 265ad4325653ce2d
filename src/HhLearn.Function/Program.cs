using System.Collections;
using HhLearn.Function;
using HhLearn.Function.Runtime;

// The custom runtime's entry point: read configuration, report a bad one once through the init error,
// otherwise serve invocations from the Lambda Runtime API until the environment is shut down.
var log = JsonLineLog.Console;
var runtimeApi = Environment.GetEnvironmentVariable(SettingNames.LambdaRuntimeApi);
if (string.IsNullOrWhiteSpace(runtimeApi))
{
    Console.Error.WriteLine("bootstrap: AWS_LAMBDA_RUNTIME_API is not set; this program runs inside Lambda or under `hhlearn local`");
    return 2;
}

// The Runtime API is on the sandbox's loopback: no proxy to look up (that lookup costs milliseconds of every cold start).
using var runtimeHttp = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
{
    BaseAddress = new Uri($"http://{runtimeApi}/"),
    Timeout = Timeout.InfiniteTimeSpan,
};
var runtime = new LambdaRuntimeClient(runtimeHttp);

var (config, problems) = FunctionConfig.FromEnvironment((IDictionary)Environment.GetEnvironmentVariables());
if (problems.Count > 0)
{
    var message = "Invalid configuration: " + string.Join("; ", problems);
    log.Write(LogLevel.Error, LogEvents.ConfigurationInvalid, message);
    await runtime.ReportInitErrorAsync("Runtime.InvalidConfiguration", message, CancellationToken.None);
    return 1;
}

// Composition (catalog, HubSpot client) runs while the first /next request is under way: on a cold start the
// two overlap instead of adding up. Configuration was checked above, so what fails here is exceptional (an
// unreadable catalog) and is reported as the failure of the invocation that needed it.
var app = Task.Run(() => FunctionApp.Create(config, log, TimeProvider.System));
var bootstrap = new LambdaBootstrap(runtime, async (payload, context) => await (await app).HandleAsync(payload, context), log);
await bootstrap.RunAsync(CancellationToken.None);
return 0;
