using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace HhLearn.Cli.Doctor;

/// <summary>
/// What a deploy needs from the AWS account, with the credentials at hand: the token's SSM parameter exists and is a
/// SecureString, and the account's Lambda concurrency can hold the projector's reserved concurrency (through the AWS
/// CLI when it is installed: the AWS SDK for Lambda is not part of this tool).
/// </summary>
public static class AwsDoctor
{
    /// <summary>Reads the token from <paramref name="parameter"/>, checking its type on the way; null when it could not be read.</summary>
    public static async Task<string?> TokenParameterAsync(IAmazonSimpleSystemsManagement ssm, string parameter, CheckReport report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ssm);
        ArgumentNullException.ThrowIfNull(report);
        try
        {
            var found = await ssm.GetParameterAsync(new GetParameterRequest { Name = parameter, WithDecryption = true }, ct);
            if (found.Parameter.Type != ParameterType.SecureString)
            {
                report.Fail("token parameter", $"{parameter} is a {found.Parameter.Type}, readable by anyone who can read SSM",
                    $"store it again as a SecureString: aws ssm put-parameter --name {parameter} --type SecureString --overwrite --value ...");
            }
            else
            {
                report.Pass("token parameter", $"{parameter} is a SecureString (version {found.Parameter.Version})");
            }

            return found.Parameter.Value;
        }
        catch (ParameterNotFoundException)
        {
            report.Fail("token parameter", $"{parameter} does not exist", $"aws ssm put-parameter --name {parameter} --type SecureString --value <the token>");
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            report.Fail("token parameter", $"{parameter} could not be read ({ex.Message})", "check the AWS credentials (aws sts get-caller-identity) and the region");
        }

        return null;
    }

    /// <summary>
    /// The account's concurrency against what the stack reserves: the projector reserves <paramref name="reserved"/>,
    /// and Lambda keeps 100 unreserved, so the account needs at least <c>reserved + 100</c>.
    /// </summary>
    /// <param name="aws">The AWS CLI to run (tests give a stand-in).</param>
    public static async Task LambdaQuotaAsync(int reserved, CheckReport report, CancellationToken ct, string aws = "aws")
    {
        ArgumentNullException.ThrowIfNull(report);
        var (exit, output) = await RunAsync(aws, ["lambda", "get-account-settings", "--output", "json"], ct);
        if (exit is null)
        {
            report.Skip("Lambda quota", "not checked: the AWS CLI is not installed (aws lambda get-account-settings)");
            return;
        }

        if (exit != 0 || JsonNode.Parse(output)?["AccountLimit"] is not { } limit)
        {
            report.Skip("Lambda quota", $"not checked: aws lambda get-account-settings failed ({output.Trim().Split('\n')[^1]})");
            return;
        }

        var total = (int?)limit["ConcurrentExecutions"] ?? 0;
        var unreserved = (int?)limit["UnreservedConcurrentExecutions"] ?? 0;
        if (unreserved - reserved < 100)
        {
            report.Fail("Lambda quota", $"the account has {total} concurrent executions, {unreserved} unreserved; the projector reserves {reserved} and Lambda keeps 100 unreserved",
                "request a higher Lambda concurrency quota (Service Quotas), or deploy with -c reserveConcurrency=false");
        }
        else
        {
            report.Pass("Lambda quota", $"{unreserved} of {total} unreserved; the projector reserves {reserved}");
        }
    }

    /// <summary>
    /// The function's log lines in CloudWatch since <paramref name="since"/>: at least one <c>event_stored</c> line (the
    /// verify run's tracks), through <c>aws logs filter-log-events</c>; skipped without the AWS CLI.
    /// </summary>
    public static async Task LogLinesAsync(string logGroup, DateTimeOffset since, CheckReport report, CancellationToken ct, string aws = "aws")
    {
        ArgumentNullException.ThrowIfNull(report);
        var (exit, output) = await RunAsync(aws, ["logs", "filter-log-events", "--log-group-name", logGroup, "--start-time", since.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            "--filter-pattern", $"{{ $.event = \"{LogEvents.EventStored}\" }}", "--max-items", "50", "--output", "json"], ct);
        if (exit is null)
        {
            report.Skip("CloudWatch logs", "not checked: the AWS CLI is not installed (aws logs filter-log-events)");
            return;
        }

        if (exit != 0)
        {
            report.Fail("CloudWatch logs", $"aws logs filter-log-events failed ({output.Trim().Split('\n')[^1]})", $"check the AWS credentials and that {logGroup} is the stack's log group (the LogGroupName output)");
            return;
        }

        var found = JsonNode.Parse(output)?["events"]?.AsArray().Count ?? 0;
        if (found > 0)
        {
            report.Pass("CloudWatch logs", $"{found} {LogEvents.EventStored} line(s) in {logGroup} since the run began");
        }
        else
        {
            report.Fail("CloudWatch logs", $"no {LogEvents.EventStored} line in {logGroup} since the run began",
                "is the API function logging to this group? CloudWatch can take a minute: run verify again, or look at the group in the console");
        }
    }

    private static async Task<(int? Exit, string Output)> RunAsync(string file, IEnumerable<string> arguments, CancellationToken ct)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return (process.ExitCode, process.ExitCode == 0 ? await stdout : await stderr);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, string.Empty);
        }
    }
}
