using HhLearn.Cli.Commands;

namespace HhLearn.Cli.Doctor;

/// <summary>
/// <c>hhlearn doctor</c>: before a deploy, whether HubSpot and the AWS account are ready for it, one line per check
/// with what to do when it fails; exit 0 only when nothing failed.
/// </summary>
public static class DoctorCommand
{
    internal static Command Create()
    {
        var url = new Option<string>("--hubspot-url")
        {
            Description = "HubSpot API base URL (default: HUBSPOT_BASE_URL, else https://api.hubapi.com)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SettingNames.HubSpotBaseUrl) ?? "https://api.hubapi.com",
        };
        var parameter = new Option<string?>("--token-parameter") { Description = $"The SSM SecureString the stack reads the token from (checked, then used); else {ProvisionCommand.TokenVariable}" };
        var version = new Option<string>("--api-version") { Description = "The HubSpot API version the stack speaks (hubspotApiVersion)", DefaultValueFactory = _ => HubSpotClientOptions.DefaultApiVersion };
        var limit = new Option<int>("--rate-limit") { Description = "The stack's hubspotRateLimit (requests per 10 s)", DefaultValueFactory = _ => 100 }.InRange(1, 10_000);
        var queue = new Option<int>("--queue-concurrency") { Description = "The stack's queueMaxConcurrency (the projector reserves one more)", DefaultValueFactory = _ => 2 }.InRange(1, 1000);
        var command = new Command("doctor", "Before a deploy: check the HubSpot token, its scopes, the portal's properties and rate limit, and the AWS account")
        {
            url, parameter, version, limit, queue,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var baseUrl))
            {
                Console.Error.WriteLine($"hhlearn doctor: --hubspot-url '{parse.GetValue(url)}' is not an absolute URL");
                return 1;
            }

            if (HubSpotClientOptions.ApiVersionProblem(parse.GetValue(version)!) is { } problem)
            {
                Console.Error.WriteLine($"hhlearn doctor: --api-version {problem}");
                return 1;
            }

            using var shutdown = new Shutdown(ct);
            var report = await RunAsync(baseUrl, Environment.GetEnvironmentVariable(ProvisionCommand.TokenVariable), parse.GetValue(parameter), parse.GetValue(version)!,
                parse.GetValue(limit), parse.GetValue(queue), shutdown.Token);
            report.Write(AnsiConsole.Console, $"hhlearn doctor: {baseUrl}");
            return report.Passed ? 0 : 1;
        });
        return command;
    }

    /// <param name="token">The token from the environment; a <paramref name="tokenParameter"/> that can be read wins.</param>
    public static async Task<CheckReport> RunAsync(Uri baseUrl, string? token, string? tokenParameter, string apiVersion, int rateLimit, int queueConcurrency, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var report = new CheckReport();
        if (tokenParameter is not null)
        {
            using var ssm = new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementClient();
            token = await AwsDoctor.TokenParameterAsync(ssm, tokenParameter, report, ct) ?? token;
        }
        else if (!string.IsNullOrWhiteSpace(token))
        {
            report.Pass("token", $"from {ProvisionCommand.TokenVariable}");
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            report.Fail("token", "no token", $"export {ProvisionCommand.TokenVariable}, or pass --token-parameter with the SSM parameter the stack reads");
        }
        else
        {
            using var http = new HttpClient { BaseAddress = ProvisionCommand.WithSlash(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
            await new HubSpotDoctor(http, token, apiVersion, rateLimit).RunAsync(report, ct);
        }

        if (HasAwsCredentials())
        {
            await AwsDoctor.LambdaQuotaAsync(HubSpotBudget.MappingConcurrency(queueConcurrency) + 1, report, ct);
        }
        else
        {
            report.Skip("Lambda quota", "not checked: no AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE or ~/.aws)");
        }

        return report;
    }

    private static bool HasAwsCredentials() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_PROFILE")) ||
        File.Exists(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "credentials"));
}
