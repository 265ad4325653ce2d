using HhLearn.Cli.Commands;
using HhLearn.Cli.Doctor;
using HhLearn.Cli.Operate;

namespace HhLearn.Cli.Verify;

/// <summary>
/// <c>hhlearn verify</c>: after a deploy, the deployment checklist against the live API with a synthetic learner
/// (<c>hhlearn-verify-RANDOM@DOMAIN</c>, or the learner of <c>--bearer</c>'s token), a table of the checks, and a
/// clean-up: the learner forgotten in the store (<c>--table</c>) and GDPR-deleted in HubSpot.
/// </summary>
public static class VerifyCommand
{
    internal static Command Create()
    {
        var api = new Option<string>("--api") { Description = "The API's base URL (the stage URL, or the custom domain with its base path)", Required = true };
        var hubSpotUrl = new Option<string?>("--hubspot-url") { Description = $"HubSpot, to see the contact (token from {ProvisionCommand.TokenVariable})" };
        var bearer = new Option<string?>("--bearer") { Description = "A token the API's JWT authorizer accepts: the checks act as its learner" };
        var email = new Option<string?>("--email") { Description = "With --bearer: the token's email, to find its contact in HubSpot" };
        var domain = new Option<string>("--email-domain") { Description = "The synthetic learner's email domain", DefaultValueFactory = _ => "example.com" };
        var origin = new Option<string?>("--origin") { Description = "A page origin the API must allow (CORS preflight checked)" };
        var catalog = new Option<string?>("--catalog") { Description = "The catalog the API was deployed with (default: the sample catalog)" };
        var course = new Option<string?>("--course") { Description = "The course to enrol in and complete (default: the catalog's first)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for HubSpot to hold everything", DefaultValueFactory = _ => 120 }.InRange(1, 3600);
        var logGroup = new Option<string?>("--log-group") { Description = "The stack's log group (/aws/lambda/hhlearn-STAGE): its event_stored lines are looked for, with the AWS CLI" };
        var version = new Option<string>("--api-version") { Description = "The HubSpot API version (hubspotApiVersion)", DefaultValueFactory = _ => HubSpotClientOptions.DefaultApiVersion };
        var store = new StoreConnection { NeedsHashKey = true };
        var command = new Command("verify", "After a deploy: run the checklist against the live API with a synthetic learner, then clean up")
        {
            api, hubSpotUrl, bearer, email, domain, origin, catalog, course, timeout, version, logGroup,
        };
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (!Uri.TryCreate(parse.GetValue(api), UriKind.Absolute, out var apiUrl))
            {
                Console.Error.WriteLine($"hhlearn verify: --api '{parse.GetValue(api)}' is not an absolute URL");
                return 1;
            }

            var (chosenCourse, modules, problem) = Course(parse.GetValue(catalog), parse.GetValue(course));
            if (problem is not null)
            {
                Console.Error.WriteLine($"hhlearn verify: {problem}");
                return 1;
            }

            var learner = parse.GetValue(bearer) is null
                ? $"hhlearn-verify-{Guid.NewGuid().ToString("N")[..10]}@{parse.GetValue(domain)}"
                : parse.GetValue(email);
            HubSpotClient? hubSpot = null;
            using var hubSpotHttp = parse.GetValue(hubSpotUrl) is { } hubSpotText && Uri.TryCreate(hubSpotText, UriKind.Absolute, out var hubSpotBase)
                ? new HttpClient { BaseAddress = ProvisionCommand.WithSlash(hubSpotBase), Timeout = TimeSpan.FromSeconds(30) }
                : null;
            if (hubSpotHttp is not null)
            {
                if (Environment.GetEnvironmentVariable(ProvisionCommand.TokenVariable) is not { Length: > 0 } token)
                {
                    Console.Error.WriteLine($"hhlearn verify: --hubspot-url needs {ProvisionCommand.TokenVariable}");
                    return 1;
                }

                hubSpot = new HubSpotClient(hubSpotHttp, new StaticTokenProvider(token), new HubSpotClientOptions { ApiVersion = parse.GetValue(version)!, MaxAttempts = 3 });
            }

            using var shutdown = new Shutdown(ct);
            var settings = new VerifySettings
            {
                Api = ProvisionCommand.WithSlash(apiUrl), Email = learner ?? string.Empty, Bearer = parse.GetValue(bearer), Origin = parse.GetValue(origin),
                Course = chosenCourse!, Modules = modules, HubSpot = learner is null ? null : hubSpot, Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                LogGroup = parse.GetValue(logGroup),
            };
            var (progress, storeProblem) = await OpenStoreAsync(parse, store, shutdown.Token);
            var report = await RunAsync(settings, progress, storeProblem, AnsiConsole.Console, shutdown.Token);
            if (hubSpot is not null)
            {
                await hubSpot.DisposeAsync();
            }

            return report.Passed ? 0 : 1;
        });
        return command;
    }

    /// <param name="store">The progress store, to forget the synthetic learner in; null with <paramref name="storeProblem"/> saying why.</param>
    public static async Task<CheckReport> RunAsync(VerifySettings settings, ProgressStore? store, string? storeProblem, IAnsiConsole console, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(console);
        var report = new CheckReport();
        using var api = new HttpClient { BaseAddress = settings.Api, Timeout = TimeSpan.FromSeconds(30) };
        console.WriteLine($"hhlearn verify: {settings.Api} as {(settings.Bearer is null ? settings.Email : "the token's learner")}, course {settings.Course} ({settings.Modules.Count} modules)");
        var started = DateTimeOffset.UtcNow;
        await new Verifier(api, settings, TimeProvider.System).RunAsync(report, ct);
        if (settings.LogGroup is { } group)
        {
            await AwsDoctor.LogLinesAsync(group, started.AddMinutes(-1), report, ct);
        }

        if (settings.Bearer is null)
        {
            await CleanUpAsync(settings, store, storeProblem, report, ct);
        }

        report.Write(console, "hhlearn verify", withTimes: true);
        return report;
    }

    /// <summary>The store named by <c>--table</c>, with the hash key; or why there is none.</summary>
    private static async Task<(ProgressStore? Store, string? Problem)> OpenStoreAsync(ParseResult parse, StoreConnection connection, CancellationToken ct)
    {
        if (parse.GetValue(connection.Table) is null)
        {
            return (null, null);
        }

        var (client, table, problem) = connection.Open(parse);
        var (key, keyProblem) = await connection.HashKeyAsync(parse, ct);
        return (problem ?? keyProblem) is { } why
            ? (null, why)
            : (new ProgressStore(client!, table!, Progress.Catalog.LearningCatalog.Empty, TimeProvider.System, new StoreOptions { HashKey = key }), null);
    }

    /// <summary>The synthetic learner goes: forgotten in the store (first, so nothing projects it again), GDPR-deleted in HubSpot.</summary>
    private static async Task CleanUpAsync(VerifySettings settings, ProgressStore? store, string? storeProblem, CheckReport report, CancellationToken ct)
    {
        if (store is not null)
        {
            var outcome = await store.ForgetAsync(new LearnerIdentity(settings.Email, null), ct);
            report.Pass("clean-up: store", $"{settings.Email} forgotten ({outcome.ErasedKeys.Count} record(s) erased)");
        }
        else if (storeProblem is not null)
        {
            report.Fail("clean-up: store", storeProblem, $"forget the learner by hand: hhlearn forget --email {settings.Email}");
        }
        else
        {
            report.Skip("clean-up: store", $"pass --table (and the hash key) to forget {settings.Email} in the store; or hhlearn forget --email {settings.Email}");
        }

        if (settings.HubSpot is { } hubSpot)
        {
            try
            {
                await hubSpot.GdprDeleteContactAsync(settings.Email, byEmail: true, ct);
                report.Pass("clean-up: HubSpot", $"{settings.Email} GDPR-deleted");
            }
            catch (HubSpotNotFoundException)
            {
                report.Pass("clean-up: HubSpot", "no contact to delete");
            }
            catch (HubSpotApiException ex)
            {
                report.Fail("clean-up: HubSpot", $"the GDPR delete failed ({ex.StatusCode} {ex.Category})", $"delete {settings.Email} in HubSpot by hand");
            }
        }
    }

    /// <summary>The course the checklist enrols in and completes, with its modules, from the catalog.</summary>
    public static (string? Course, IReadOnlyList<string> Modules, string? Problem) Course(string? catalogDir, string? course)
    {
        var directory = catalogDir ?? Local.BootstrapCommand.SampleCatalog();
        if (directory is null || !Directory.Exists(directory))
        {
            return (null, [], $"no catalog at '{directory}': pass --catalog with the folder the API was deployed with");
        }

        var loaded = CatalogFiles.Load(directory).Catalog;
        var slug = course ?? loaded.Courses.Keys.Order(StringComparer.Ordinal).FirstOrDefault();
        return slug is not null && loaded.CourseModules(slug) is { Length: > 0 } modules
            ? (slug, [.. modules], null)
            : (null, [], $"the catalog at '{directory}' has no course '{slug}' with modules: pass --course");
    }
}
