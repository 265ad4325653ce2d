namespace HhLearn.HubSpotEmulator.Tests;

/// <summary>
/// What real portals hold and answer beyond a fresh one (docs/hubspot.md, "Real portals"): merged records, secondary
/// emails, echoed writes, duplicate inputs, archived and GDPR-deleted contacts.
/// </summary>
public class RealPortalEmulationTests
{
    private static async Task<(string Survivor, string Primary, string Other)> MergedAsync(EmulatorFixture f)
    {
        var primary = await f.CreateAsync("ada@example.com");
        var other = await f.CreateAsync("ada.old@example.com");
        var (status, merged, _) = await f.PostAsync("crm/v3/objects/contacts/merge", $$"""{"primaryObjectId":"{{primary}}","objectIdToMerge":"{{other}}"}""");
        Assert.Equal(200, status);
        return ((string)merged!["id"]!, primary, other);
    }

    [Fact]
    public async Task Merge_GivesTheSurvivorANewId_KeepsBothEmails_AndListsTheOldIds()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (survivor, primary, other) = await MergedAsync(f);
        Assert.NotEqual(primary, survivor);
        Assert.NotEqual(other, survivor);

        var (_, read, _) = await f.GetAsync($"crm/v3/objects/contacts/{survivor}?properties=email,hs_additional_emails,hs_merged_object_ids");
        Assert.Equal("ada@example.com", (string)read!["properties"]!["email"]!);
        Assert.Equal("ada.old@example.com", (string)read["properties"]!["hs_additional_emails"]!);
        Assert.Equal(new[] { primary, other }.Order(), ((string)read["properties"]!["hs_merged_object_ids"]!).Split(';').Order());
        Assert.Single(f.Emulator.Store.AllContacts());
    }

    [Fact]
    public async Task Merge_KeepingThePrimarysId_AsHubSpotDidBefore()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { MergeStyle = MergeStyle.KeepPrimary });
        var (survivor, primary, _) = await MergedAsync(f);
        Assert.Equal(primary, survivor);
    }

    [Fact]
    public async Task AnOldId_AnswersTheSurvivor_SingleAndBatch()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (survivor, primary, other) = await MergedAsync(f);

        var (status, single, _) = await f.GetAsync($"crm/v3/objects/contacts/{other}");
        Assert.Equal((200, survivor), (status, (string)single!["id"]!));

        var (batchStatus, batch, _) = await f.PostAsync("crm/v3/objects/contacts/batch/read", $$"""{"inputs":[{"id":"{{primary}}"},{"id":"{{other}}"}],"properties":["email"]}""");
        Assert.Equal(200, batchStatus);
        var result = Assert.Single(batch!["results"]!.AsArray());
        Assert.Equal(survivor, (string)result!["id"]!);
    }

    [Fact]
    public async Task AnAdditionalEmail_FindsTheContact_SingleBatchAndSearch_AndCreatingItIsA409NamingIt()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { SearchLag = TimeSpan.Zero });
        var (survivor, _, _) = await MergedAsync(f);

        var (status, single, _) = await f.GetAsync("crm/v3/objects/contacts/ADA.OLD@example.com?idProperty=email&properties=email");
        Assert.Equal((200, survivor, "ada@example.com"), (status, (string)single!["id"]!, (string)single["properties"]!["email"]!));

        var (_, batch, _) = await f.PostAsync("crm/v3/objects/contacts/batch/read", """{"idProperty":"email","inputs":[{"id":"ada.old@example.com"}],"properties":["email"]}""");
        Assert.Equal(survivor, (string)batch!["results"]![0]!["id"]!);

        // Search on email matches the primary email only; a filter on hs_additional_emails finds the others.
        var (_, byEmail, _) = await f.PostAsync("crm/v3/objects/contacts/search",
            """{"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"ada.old@example.com"}]}],"limit":1}""");
        Assert.Equal(0, (int)byEmail!["total"]!);
        var (_, search, _) = await f.PostAsync("crm/v3/objects/contacts/search",
            """{"filterGroups":[{"filters":[{"propertyName":"hs_additional_emails","operator":"CONTAINS_TOKEN","value":"ada.old@example.com"}]}],"limit":1}""");
        Assert.Equal(survivor, (string)search!["results"]![0]!["id"]!);

        var (conflict, body, _) = await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"ada.old@example.com"}}""");
        Assert.Equal(409, conflict);
        Assert.Equal($"Contact already exists. Existing ID: {survivor}", (string)body!["message"]!);
    }

    [Fact]
    public async Task Merge_KeepsThePrimarysValues_AndFillsItsBlanksFromTheOther()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var primary = f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "p@example.com", ["firstname"] = "Ada" });
        var other = f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "o@example.com", ["firstname"] = "Augusta", ["lastname"] = "King" });
        var (_, merged, _) = await f.PostAsync("crm/v3/objects/contacts/merge", $$"""{"primaryObjectId":"{{primary}}","objectIdToMerge":"{{other}}"}""");
        Assert.Equal(("Ada", "King"), ((string)merged!["properties"]!["firstname"]!, (string)merged["properties"]!["lastname"]!));
    }

    [Theory]
    [InlineData("self")]
    [InlineData("unknown")]
    public async Task Merge_OfOneRecordWithItself_OrOfAnUnknownId_IsRefused(string which)
    {
        await using var f = await EmulatorFixture.StartAsync();
        var id = await f.CreateAsync("ada@example.com");
        var (status, _, _) = await f.PostAsync("crm/v3/objects/contacts/merge", $$"""{"primaryObjectId":"{{id}}","objectIdToMerge":"{{(which == "self" ? id : "99999")}}"}""");
        Assert.Equal(which == "self" ? 400 : 404, status);
    }

    [Fact]
    public async Task Writes_EchoThePropertiesWritten_BesideTheDefaults()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.DefinePropertyAsync("hhl_total_progress", "number", "number");
        var (_, created, _) = await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"a@example.com","hhl_total_progress":"3"}}""");
        Assert.Equal("3", (string)created!["properties"]!["hhl_total_progress"]!);
        Assert.NotNull(created["properties"]!["createdate"]);

        var id = (string)created["id"]!;
        var (_, updated, _) = await f.SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{id}", """{"properties":{"hhl_total_progress":"4"}}""");
        Assert.Equal("4", (string)updated!["properties"]!["hhl_total_progress"]!);

        var (_, batchCreated, _) = await f.PostAsync("crm/v3/objects/contacts/batch/create", """{"inputs":[{"properties":{"email":"b@example.com","hhl_total_progress":"7"}}]}""");
        Assert.Equal("7", (string)batchCreated!["results"]![0]!["properties"]!["hhl_total_progress"]!);

        var (_, batchUpdated, _) = await f.PostAsync("crm/v3/objects/contacts/batch/update", $$$"""{"inputs":[{"id":"{{{id}}}","properties":{"hhl_total_progress":"9"}}]}""");
        Assert.Equal("9", (string)batchUpdated!["results"]![0]!["properties"]!["hhl_total_progress"]!);

        var (_, upserted, _) = await f.PostAsync("crm/v3/objects/contacts/batch/upsert", """{"inputs":[{"id":"c@example.com","idProperty":"email","properties":{"hhl_total_progress":"1"}}]}""");
        Assert.Equal("1", (string)upserted!["results"]![0]!["properties"]!["hhl_total_progress"]!);
    }

    [Fact]
    public async Task ABatchNamingOneRecordTwice_IsA400_EvenByAnOldAndANewId()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (survivor, primary, _) = await MergedAsync(f);
        var (sameId, _, _) = await f.PostAsync("crm/v3/objects/contacts/batch/update", $$$"""{"inputs":[{"id":"{{{survivor}}}","properties":{"firstname":"A"}},{"id":"{{{survivor}}}","properties":{"firstname":"B"}}]}""");
        var (oldAndNew, body, _) = await f.PostAsync("crm/v3/objects/contacts/batch/update", $$$"""{"inputs":[{"id":"{{{survivor}}}","properties":{"firstname":"A"}},{"id":"{{{primary}}}","properties":{"firstname":"B"}}]}""");
        var (sameEmail, _, _) = await f.PostAsync("crm/v3/objects/contacts/batch/create", """{"inputs":[{"properties":{"email":"x@example.com"}},{"properties":{"email":"X@example.com"}}]}""");
        Assert.Equal((400, 400, 400), (sameId, oldAndNew, sameEmail));
        Assert.Equal("VALIDATION_ERROR", (string)body!["category"]!);
        Assert.Null(f.Contact("x@example.com"));
    }

    [Theory]
    [InlineData("archive")]
    [InlineData("gdpr")]
    public async Task ADeletedContact_IsGoneByIdByOldIdsAndByEveryEmail(string how)
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (survivor, primary, _) = await MergedAsync(f);
        var (status, _, _) = how == "archive"
            ? await f.SendAsync(HttpMethod.Delete, $"crm/v3/objects/contacts/{survivor}")
            : await f.PostAsync("crm/v3/objects/contacts/gdpr-delete", """{"objectId":"ada.old@example.com","idProperty":"email"}""");
        Assert.Equal(204, status);

        foreach (var path in new[] { $"crm/v3/objects/contacts/{survivor}", $"crm/v3/objects/contacts/{primary}", "crm/v3/objects/contacts/ada@example.com?idProperty=email", "crm/v3/objects/contacts/ada.old@example.com?idProperty=email" })
        {
            Assert.Equal(404, (await f.GetAsync(path)).Status);
        }

        Assert.Equal(201, (await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"ada.old@example.com"}}""")).Status);
    }

    [Fact]
    public async Task TheAdminEndpoint_SetsUpAContactWithSecondaryEmailsAndMergedIds_WithoutAToken()
    {
        await using var f = await EmulatorFixture.StartAsync();
        using var admin = new HttpClient { BaseAddress = f.Emulator.BaseUrl };
        using var response = await admin.PostAsync("_emulator/contacts", new StringContent(
            """{"properties":{"email":"grace@example.com","firstname":"Grace"},"additionalEmails":["g.hopper@example.com"],"mergedIds":["4242"]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(201, (int)response.StatusCode);
        Assert.Equal(0, f.Emulator.Stats.Total);
        var id = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!;

        Assert.Equal(id, (string)(await f.GetAsync("crm/v3/objects/contacts/4242")).Body!["id"]!);
        Assert.Equal(id, (string)(await f.GetAsync("crm/v3/objects/contacts/g.hopper@example.com?idProperty=email")).Body!["id"]!);
        using var again = await admin.PostAsync("_emulator/contacts", new StringContent("""{"properties":{"email":"g.hopper@example.com"}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(409, (int)again.StatusCode);
    }

    [Fact]
    public async Task MergesSurviveARestart_WithADataFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"emulator-{Guid.NewGuid():N}.json");
        try
        {
            string survivor, other;
            await using (var f = await EmulatorFixture.StartAsync(new EmulatorOptions { DataFile = file }))
            {
                (survivor, _, other) = await MergedAsync(f);
            }

            await using var again = await EmulatorFixture.StartAsync(new EmulatorOptions { DataFile = file });
            Assert.Equal(survivor, (string)(await again.GetAsync($"crm/v3/objects/contacts/{other}")).Body!["id"]!);
            Assert.Equal(survivor, (string)(await again.GetAsync("crm/v3/objects/contacts/ada.old@example.com?idProperty=email")).Body!["id"]!);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task MergedIdsInBatch_Omit_BatchReadSaysNotFound_BatchUpdateLeavesItOut_ASingleGetStillFollows()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { Behaviour = new PortalBehaviour { MergedIdsInBatch = MergedIdsInBatch.Omit } });
        var (survivor, primary, _) = await MergedAsync(f);

        var (readStatus, read, _) = await f.PostAsync("crm/v3/objects/contacts/batch/read", $$"""{"inputs":[{"id":"{{primary}}"}],"properties":["email"]}""");
        Assert.Equal((207, "OBJECT_NOT_FOUND"), (readStatus, (string?)read!["errors"]![0]!["category"]));

        var (updateStatus, update, _) = await f.PostAsync("crm/v3/objects/contacts/batch/update",
            $$$"""{"inputs":[{"id":"{{{primary}}}","objectWriteTraceId":"t1","properties":{"firstname":"Lost"}}]}""");
        Assert.Equal(200, updateStatus);
        Assert.Empty(update!["results"]!.AsArray());
        Assert.Null(update["errors"]);
        Assert.DoesNotContain("firstname", f.Emulator.Store.AllContacts().Single().Properties.Keys);

        var (single, one, _) = await f.GetAsync($"crm/v3/objects/contacts/{primary}");
        Assert.Equal((200, survivor), (single, (string)one!["id"]!));
    }

    [Fact]
    public async Task SecondaryEmailLookup_NotFound_OnlyThePrimaryEmailIsFound_ByBatchReadAndGet_CreatingItIsStillA409()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { Behaviour = new PortalBehaviour { SecondaryEmailLookup = SecondaryEmailLookup.NotFound } });
        var (survivor, _, _) = await MergedAsync(f);
        Assert.Equal(404, (await f.GetAsync("crm/v3/objects/contacts/ada.old@example.com?idProperty=email")).Status);
        Assert.Equal(200, (await f.GetAsync("crm/v3/objects/contacts/ada@example.com?idProperty=email")).Status);
        var (_, batch, _) = await f.PostAsync("crm/v3/objects/contacts/batch/read", """{"idProperty":"email","inputs":[{"id":"ada.old@example.com"}],"properties":["email"]}""");
        Assert.Empty(batch!["results"]!.AsArray());
        var (conflict, body, _) = await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"ada.old@example.com"}}""");
        Assert.Equal((409, $"Contact already exists. Existing ID: {survivor}"), (conflict, (string?)body!["message"]));
    }

    [Fact]
    public async Task MissingScopes_Refuse_EveryCallThatNeedsOne_WithMissingScopes()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { Behaviour = new PortalBehaviour { MissingScopes = ["crm.objects.contacts.write"] } });
        var (status, body, _) = await f.PostAsync("crm/objects/2026-09/contacts", """{"properties":{"email":"s@example.com"}}""");
        Assert.Equal((403, "MISSING_SCOPES"), (status, (string?)body!["category"]));
        Assert.Equal("crm.objects.contacts.write", (string?)body["errors"]![0]!["context"]!["requiredScopes"]![0]);
        Assert.Equal(200, (await f.GetAsync("crm/objects/2026-09/contacts")).Status);
    }

    [Fact]
    public async Task ATokenWithOnlySomeScopes_IsRefusedBeyondThem_AndIntrospectionListsThem()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { Behaviour = new PortalBehaviour().With("grantedScopes", "crm.objects.contacts.read") });
        Assert.Equal(200, (await f.GetAsync("crm/objects/2026-09/contacts")).Status);
        Assert.Equal((403, "MISSING_SCOPES"), ((await f.PostAsync("crm/objects/2026-09/contacts/batch/update", """{"inputs":[]}""")).Status, (string?)(await f.PostAsync("crm/objects/2026-09/contacts/batch/update", """{"inputs":[]}""")).Body!["category"]));
        Assert.Equal(403, (await f.GetAsync("crm/properties/2026-09/contacts")).Status);

        var (status, info, _) = await f.PostAsync("oauth/v2/private-apps/get/access-token-info", $$"""{"tokenKey":"{{EmulatorFixture.Token}}"}""");
        Assert.Equal((200, 62515L), (status, (long?)info!["hubId"]));
        Assert.Equal(["crm.objects.contacts.read"], info["scopes"]!.AsArray().Select(s => (string?)s));
        Assert.Equal(400, (await f.PostAsync("oauth/v2/private-apps/get/access-token-info", """{"tokenKey":"someone-else"}""")).Status);

        // A Service Key has no documented introspection: the emulator refuses it, and a client must probe.
        await f.PostAsync("_emulator/behaviour", """{"tokenKind":"service-key","grantedScopes":"all"}""");
        Assert.Equal(400, (await f.PostAsync("oauth/v2/private-apps/get/access-token-info", $$"""{"tokenKey":"{{EmulatorFixture.Token}}"}""")).Status);
        Assert.Equal(200, (await f.GetAsync("crm/properties/2026-09/contacts")).Status);
    }

    [Fact]
    public async Task RequiredOnCreate_WholeRequest_Or_PerInput_AndTheBehaviourIsSwitchableAtRunTime()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (set, current, _) = await f.PostAsync("_emulator/behaviour", """{"requiredOnCreate":["firstname"],"batchValidation":"per-input"}""");
        Assert.Equal((200, "per-input"), (set, (string?)current!["batchValidation"]));
        Assert.Equal(400, (await f.PostAsync("_emulator/behaviour", """{"mergedIdsInBatch":"sometimes"}""")).Status);

        var (status, body, _) = await f.PostAsync("crm/v3/objects/contacts/batch/create",
            """{"inputs":[{"objectWriteTraceId":"a","properties":{"email":"a@example.com","firstname":"A"}},{"objectWriteTraceId":"b","properties":{"email":"b@example.com"}}]}""");
        Assert.Equal(207, status);
        Assert.Equal("a", (string?)body!["results"]![0]!["objectWriteTraceId"]);
        Assert.Equal("b", (string?)body["errors"]![0]!["context"]!["objectWriteTraceId"]![0]);
        Assert.Equal("REQUIRED_PROPERTY", (string?)body["errors"]![0]!["errors"]![0]!["code"]);

        await f.PostAsync("_emulator/behaviour", """{"batchValidation":"whole-request"}""");
        Assert.Equal(400, (await f.PostAsync("crm/v3/objects/contacts/batch/create", """{"inputs":[{"properties":{"email":"c@example.com"}}]}""")).Status);
        Assert.Equal(400, (await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"c@example.com"}}""")).Status);
        Assert.Equal("whole-request", (string?)(await f.GetAsync("_emulator/behaviour")).Body!["batchValidation"]);
    }

    [Fact]
    public async Task AnArchivedContact_CanBeRestored_AndTheChangesAreWebhookEvents()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var id = await f.CreateAsync("r@example.com");
        Assert.Equal(204, (await f.SendAsync(HttpMethod.Delete, $"crm/v3/objects/contacts/{id}")).Status);
        Assert.Equal(404, (await f.GetAsync($"crm/v3/objects/contacts/{id}")).Status);
        Assert.Equal(200, (await f.PostAsync($"_emulator/contacts/{id}/restore", "{}")).Status);
        Assert.Equal(200, (await f.GetAsync($"crm/v3/objects/contacts/{id}")).Status);
        Assert.Equal(404, (await f.PostAsync("_emulator/contacts/999/restore", "{}")).Status);

        var events = f.Emulator.Store.TakeWebhookEvents();
        Assert.Equal(["contact.deletion", "contact.restore"], events.Select(e => (string)e["subscriptionType"]!));
        Assert.All(events, e => Assert.Equal(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), (long)e["objectId"]!));
    }
}
