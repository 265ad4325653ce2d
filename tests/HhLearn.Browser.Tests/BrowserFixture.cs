using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using HhLearn.Cli.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

// One browser and one local stack per test class; classes run one at a time (several processes on 2 cores).
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace HhLearn.Browser.Tests;

/// <summary>
/// <c>hhlearn local</c> (queue mode, its own emulator) that allows one site origin, the learning site on that origin
/// (a page that hosts the reference client), a second site on an origin that is not allowed, and Debian's chromium
/// driven by Playwright. Tests run JavaScript in the site's page and assert on what reached the service.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public LocalService Service { get; private set; } = null!;
    public WebApplication Site { get; private set; } = null!;
    public WebApplication OtherSite { get; private set; } = null!;
    public Uri SiteUrl { get; private set; } = null!;
    public Uri OtherSiteUrl { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public ConcurrentQueue<string> Logs { get; } = new();
    public Uri ApiUrl => Service.ApiUrl;
    public HubSpotEmulator.HubSpotEmulator Emulator => Service.Emulator!;

    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        (Site, SiteUrl) = await StartSiteAsync();
        (OtherSite, OtherSiteUrl) = await StartSiteAsync();
        Service = await LocalService.StartAsync(new LocalOptions
        {
            Port = 0,
            EmulatorPort = 0,
            Concurrency = 2,
            RateLimit = 2000,
            Emulator = new HubSpotEmulator.EmulatorOptions { Token = LocalService.EmulatorToken, RequestsPerTenSeconds = 10_000, SearchLag = TimeSpan.Zero },
            Queue = new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(2), MaxReceiveCount = 5 },
            SweepEvery = TimeSpan.FromSeconds(5),
            SweepAfter = TimeSpan.FromSeconds(10),
            ProjectionWindow = TimeSpan.FromSeconds(1),
            AllowedOrigins = [SiteUrl.GetLeftPart(UriPartial.Authority)],
            Log = Logs.Enqueue,
        });

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"no browser at {ChromiumPath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,

            // This machine's network is closed: no background calls to Google's services, no sandbox (root in CI).
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh page (its own storage) on the site, with the reference client loaded as <c>window.hhlearn</c>.</summary>
    public async Task<IPage> SitePageAsync(Uri? site = null)
    {
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync((site ?? SiteUrl).ToString());
        await page.WaitForFunctionAsync("() => window.siteReady === true");
        return page;
    }

    /// <summary>Whether the progress store holds the learner (what the API's answers come from).</summary>
    public async Task<bool> StoredAsync(string email) =>
        await Service.Store!.ReadAsync(new Progress.Events.LearnerIdentity(email, null), default) is not null;

    /// <summary>Waits until the projection has caught up and the emulator holds a contact for <paramref name="email"/>.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> ContactAsync(string email, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            await Service.ConvergeAsync(TimeSpan.FromSeconds(5));
            var contact = Emulator.Store.AllContacts().FirstOrDefault(c => c.Properties.GetValueOrDefault("email") == email);
            if (contact.Id is not null)
            {
                return contact.Properties;
            }

            await Task.Delay(100);
        }

        return null;
    }

    public JsonNode? State(string email) =>
        Emulator.Store.AllContacts().FirstOrDefault(c => c.Properties.GetValueOrDefault("email") == email).Properties is { } p && p.TryGetValue("hhl_progress_state", out var state)
            ? JsonNode.Parse(state)
            : null;

    public static string Jwt(string email)
    {
        static string Encode(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Encode("""{"alg":"none","typ":"JWT"}""")}.{Encode(new JsonObject { ["sub"] = email, ["email"] = email, ["email_verified"] = true }.ToJsonString())}.sig";
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        foreach (var site in new[] { Site, OtherSite })
        {
            if (site is not null)
            {
                await site.StopAsync();
                await site.DisposeAsync();
            }
        }
    }

    /// <summary>A learning site on its own origin: one page that hosts and loads the reference client.</summary>
    private async Task<(WebApplication, Uri)> StartSiteAsync()
    {
        var app = HubSpotEmulator.LoopbackWebApp.Create(0);
        var client = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "site", "hhlearn.js"));
        app.MapGet("/hhlearn.js", () => Results.Text(client, "text/javascript; charset=utf-8"));
        app.MapGet("/", () => Results.Text($$"""
            <!doctype html><html><head><meta charset="utf-8"><title>site</title></head><body>
            <script type="module">
              import { createHhLearnClient } from "/hhlearn.js";
              window.api = {{System.Text.Json.JsonSerializer.Serialize(ApiUrlText)}};
              window.token = null;
              window.problems = [];
              window.hhlearn = createHhLearnClient({ baseUrl: window.api, getToken: () => window.token, onError: (p) => window.problems.push(p) });
              window.siteReady = true;
            </script></body></html>
            """, "text/html; charset=utf-8"));
        await app.StartAsync();
        return (app, HubSpotEmulator.LoopbackWebApp.Address(app));
    }

    // The site pages are served before the service starts: they read the API's address when they load.
    private string ApiUrlText => Service?.ApiUrl.ToString().TrimEnd('/') ?? string.Empty;
}
