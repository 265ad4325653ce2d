using System.Text.Json;
using Microsoft.Playwright;

namespace HhLearn.Browser.Tests;

/// <summary>
/// The API's real caller: JavaScript in a page on another origin, in a real browser. Every test asserts on what
/// reached the service (the learner's progress in the store, then in HubSpot), not on what the page hoped.
/// </summary>
public class BrowserClientTests(BrowserFixture f) : IClassFixture<BrowserFixture>
{
    private static string Event(string email, string module) =>
        JsonSerializer.Serialize(new
        {
            eventName = "learning_module_completed",
            contactIdentifier = new { email },
            payload = new { pathway_slug = "cloud-foundations", course_slug = "intro-to-cloud", module_slug = module, ts = "2026-11-27T10:00:00Z" },
        });

    private static bool Completed(System.Text.Json.Nodes.JsonNode? state, string module) =>
        (bool?)state?["cloud-foundations"]?["courses"]?["intro-to-cloud"]?["modules"]?[module]?["completed"] == true;

    [Fact]
    public async Task FetchWithJson_FromAnotherOrigin_Arrives()
    {
        var page = await f.SitePageAsync();
        var status = await page.EvaluateAsync<int>("""async (body) => (await fetch(window.api + "/events/track", { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body })).status""",
            Event("fetch@example.com", "what-is-cloud"));
        Assert.Equal(200, status);
        Assert.True(await f.StoredAsync("fetch@example.com"));
        Assert.NotNull(await f.ContactAsync("fetch@example.com"));
        Assert.True(Completed(f.State("fetch@example.com"), "what-is-cloud"));
    }

    [Fact]
    public async Task BeaconWithAJsonBlob_WhatTheOriginalSiteSendsForEveryPageView_Arrives()
    {
        var page = await f.SitePageAsync();
        var queued = await page.EvaluateAsync<bool>("""(body) => navigator.sendBeacon(window.api + "/events/track", new Blob([body], { type: "application/json" }))""",
            JsonSerializer.Serialize(new { eventName = "learning_page_viewed", contactIdentifier = new { email = "beacon-json@example.com" }, payload = new { content_type = "course", slug = "intro-to-cloud", ts = "2026-11-27T10:00:00Z" } }));
        Assert.True(queued);
        var contact = await f.ContactAsync("beacon-json@example.com");
        Assert.NotNull(contact);
        Assert.Equal(("course", "intro-to-cloud"), (contact!["hhl_last_viewed_type"], contact["hhl_last_viewed_slug"]));
    }

    [Fact]
    public async Task BeaconWithText_Arrives()
    {
        var page = await f.SitePageAsync();
        Assert.True(await page.EvaluateAsync<bool>("""(body) => navigator.sendBeacon(window.api + "/events/track", body)""", Event("beacon-text@example.com", "regions-and-zones")));
        Assert.NotNull(await f.ContactAsync("beacon-text@example.com"));
        Assert.True(Completed(f.State("beacon-text@example.com"), "regions-and-zones"));
    }

    [Fact]
    public async Task KeepaliveFetchWithABearerToken_Arrives_AsTheTokensLearner()
    {
        var page = await f.SitePageAsync();
        var status = await page.EvaluateAsync<int>("""
            async ([token, body]) => (await fetch(window.api + "/events/track", { method: "POST", keepalive: true, credentials: "include",
              headers: { "content-type": "application/json", authorization: "Bearer " + token }, body })).status
            """, new[] { BrowserFixture.Jwt("keepalive@example.com"), JsonSerializer.Serialize(new { eventName = "learning_course_enrolled", course_slug = "git-essentials", payload = new { ts = "2026-11-27T10:00:00Z" } }) });
        Assert.Equal(200, status);
        var contact = await f.ContactAsync("keepalive@example.com");
        Assert.Equal("git-essentials", contact!["hhl_enrolled_courses"]);
    }

    [Fact]
    public async Task ReferenceClient_TracksWithAToken_AndReadsProgressAggregateAndEnrolments()
    {
        var page = await f.SitePageAsync();
        await page.EvaluateAsync("(token) => { window.token = token; }", BrowserFixture.Jwt("client@example.com"));
        var tracked = await page.EvaluateAsync<JsonElement>("""
            async () => window.hhlearn.track({ eventName: "learning_module_completed", payload: { pathway_slug: "cloud-foundations", course_slug: "intro-to-cloud", module_slug: "what-is-cloud" } })
            """);
        Assert.Equal("sent", tracked.GetProperty("status").GetString());
        Assert.NotNull(await f.ContactAsync("client@example.com"));

        var reads = await page.EvaluateAsync<JsonElement>("""
            async () => ({
              read: await window.hhlearn.readProgress(),
              course: await window.hhlearn.aggregate({ type: "course", slug: "intro-to-cloud" }),
              list: await window.hhlearn.enrollments(),
              problems: window.problems,
            })
            """);
        Assert.Equal("authenticated", reads.GetProperty("read").GetProperty("body").GetProperty("mode").GetString());
        Assert.True(reads.GetProperty("read").GetProperty("body").GetProperty("progress").GetProperty("cloud-foundations").ValueKind == JsonValueKind.Object);
        Assert.Equal(1, reads.GetProperty("course").GetProperty("body").GetProperty("completed").GetInt32());
        Assert.Equal("cloud-foundations", reads.GetProperty("list").GetProperty("body").GetProperty("enrollments").GetProperty("pathways")[0].GetProperty("slug").GetString());
        Assert.Equal(0, reads.GetProperty("problems").GetArrayLength());
    }

    [Fact]
    public async Task ReferenceClient_WithoutAToken_SendsABeacon_ThatArrives()
    {
        var page = await f.SitePageAsync();
        var tracked = await page.EvaluateAsync<JsonElement>("""
            async () => window.hhlearn.track({ eventName: "learning_page_viewed", contactIdentifier: { email: "client-beacon@example.com" }, payload: { content_type: "module", slug: "subnets" } })
            """);
        Assert.Equal("beacon", tracked.GetProperty("status").GetString());
        var contact = await f.ContactAsync("client-beacon@example.com");
        Assert.Equal("subnets", contact!["hhl_last_viewed_slug"]);
    }

    [Fact]
    public async Task ReferenceClient_ReadsA503sRetryAfter_KeepsTheEvent_AndSendsItWhenTheWaitIsOver()
    {
        var page = await f.SitePageAsync();
        await page.EvaluateAsync("(token) => { window.token = token; }", BrowserFixture.Jwt("retry@example.com"));
        f.Service.Faults.StoreUnavailable = true;
        try
        {
            var tracked = await page.EvaluateAsync<JsonElement>("""
                async () => window.hhlearn.track({ eventName: "learning_module_completed", payload: { pathway_slug: "cloud-foundations", course_slug: "intro-to-cloud", module_slug: "shared-responsibility" } })
                """);
            Assert.Equal("pending", tracked.GetProperty("status").GetString());
            Assert.Equal(2000, tracked.GetProperty("retryAfter").GetInt32());
            Assert.Equal("STORE_UNAVAILABLE", tracked.GetProperty("answer").GetProperty("details").GetProperty("code").GetString());
            var stored = await page.EvaluateAsync<string>("() => localStorage.getItem('hhlearn.pending')");
            Assert.Contains("shared-responsibility", stored, StringComparison.Ordinal);
        }
        finally
        {
            f.Service.Faults.StoreUnavailable = false;
        }

        // The client comes back by itself after the advised wait; nothing in the page calls it again.
        await page.WaitForFunctionAsync("() => window.hhlearn.pending().count === 0", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.NotNull(await f.ContactAsync("retry@example.com"));
        Assert.True(Completed(f.State("retry@example.com"), "shared-responsibility"));
    }

    [Fact]
    public async Task ReferenceClient_KeepsUnsentEventsAcrossAReload_AndSendsThemOnTheNextVisit()
    {
        var page = await f.SitePageAsync();
        await page.EvaluateAsync("(token) => { window.token = token; }", BrowserFixture.Jwt("reload@example.com"));
        f.Service.Faults.StoreUnavailable = true;
        try
        {
            await page.EvaluateAsync("""async () => window.hhlearn.track({ eventName: "learning_course_enrolled", course_slug: "networking-basics" })""");
        }
        finally
        {
            f.Service.Faults.StoreUnavailable = false;
        }

        // The page is reloaded before the wait is over: the event is in localStorage and the next visit sends it.
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("() => window.siteReady === true");
        await page.EvaluateAsync("(token) => { window.token = token; }", BrowserFixture.Jwt("reload@example.com"));
        await page.WaitForFunctionAsync("() => window.hhlearn.pending().count === 0", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        var contact = await f.ContactAsync("reload@example.com");
        Assert.Equal("networking-basics", contact!["hhl_enrolled_courses"]);
    }

    [Fact]
    public async Task AnOriginThatIsNotAllowed_IsRefusedByTheBrowser_AndNothingArrives()
    {
        var page = await f.SitePageAsync(f.OtherSiteUrl);
        var outcome = await page.EvaluateAsync<string>("""
            async (body) => {
              try { await fetch(window.api + "/events/track", { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body }); return "answered"; }
              catch (e) { return "blocked: " + e.name; }
            }
            """, Event("stranger@example.com", "what-is-cloud"));
        Assert.Equal("blocked: TypeError", outcome);
        var read = await page.EvaluateAsync<JsonElement>("async () => window.hhlearn.readProgress({ email: 'fetch@example.com' })");
        Assert.False(read.GetProperty("ok").GetBoolean());
        Assert.False(await f.StoredAsync("stranger@example.com"));
        await f.Service.ConvergeAsync(TimeSpan.FromSeconds(10));
        Assert.Null(f.State("stranger@example.com"));
    }
}
