namespace HhLearn.HubSpotEmulator.Tests;

/// <summary>The emulator behaves as HubSpot's contacts API does (shapes from docs/hubspot.md).</summary>
public class ContactsEmulationTests
{
    [Fact]
    public async Task BothPathForms_ServeOneStore_WithTheSameSemantics_AndAnUnknownVersionIs404()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var id = await f.CreateAsync("both@example.com");
        var (status, body, _) = await f.GetAsync($"crm/objects/2026-09/contacts/{id}");
        Assert.Equal((200, "both@example.com"), (status, (string?)body!["properties"]!["email"]));
        var (conflict, _, _) = await f.PostAsync("crm/objects/2026-03/contacts", """{"properties":{"email":"both@example.com"}}""");
        Assert.Equal(409, conflict);
        Assert.Equal(200, (await f.GetAsync("crm/properties/2026-09/contacts")).Status);
        Assert.Equal(404, (await f.GetAsync($"crm/objects/2026-04/contacts/{id}")).Status);

        // Counted under one route name, and by the version each path named.
        Assert.Equal(1, f.Emulator.Stats.Count("GET /crm/v3/objects/contacts/{id}"));
        Assert.Equal((1, 3), (f.Emulator.Stats.CountVersion("v3"), f.Emulator.Stats.CountVersion("2026-09") + f.Emulator.Stats.CountVersion("2026-03")));
    }

    [Fact]
    public async Task Create_GivesANumericStringId_AndStringValues_WithTimestamps()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.DefinePropertyAsync("hhl_total_progress", "number", "number");
        var (status, body, _) = await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"a@example.com","hhl_total_progress":5}}""");
        Assert.Equal(201, status);
        Assert.Matches("^[0-9]+$", (string)body!["id"]!);
        Assert.False((bool)body["archived"]!);
        Assert.NotNull(body["createdAt"]);

        var (_, read, _) = await f.GetAsync($"crm/v3/objects/contacts/{body["id"]}?properties=hhl_total_progress,firstname");
        Assert.Equal("5", read!["properties"]!["hhl_total_progress"]!.GetValue<string>());
        Assert.Null(read["properties"]!["firstname"]);
        Assert.True(read["properties"]!.AsObject().ContainsKey("firstname"));
    }

    [Fact]
    public async Task FiftyConcurrentCreatesOfOneEmail_GiveExactlyOneContact()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { RequestsPerTenSeconds = 1000 });
        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
            (await f.PostAsync("crm/v3/objects/contacts", $$$"""{"properties":{"email":"{{{(i % 2 == 0 ? "race@example.com" : "RACE@Example.com")}}}"}}""")).Status));
        Assert.Equal(1, statuses.Count(s => s == 201));
        Assert.Equal(49, statuses.Count(s => s == 409));
        Assert.Single(f.Emulator.Store.AllContacts());
    }

    [Fact]
    public async Task Conflict_ClassicBody_NamesTheExistingId()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var id = await f.CreateAsync("dup@example.com");
        var (status, body, _) = await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"dup@example.com"}}""");
        Assert.Equal(409, status);
        Assert.Equal("CONFLICT", (string)body!["category"]!);
        Assert.Equal($"Contact already exists. Existing ID: {id}", (string)body["message"]!);
        Assert.NotNull(body["correlationId"]);
    }

    [Fact]
    public async Task Conflict_NewerBody_CarriesTheIdInIdentityProfile()
    {
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { ConflictStyle = ConflictStyle.ObjectAlreadyExists });
        var id = await f.CreateAsync("dup@example.com");
        var (_, body, _) = await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"dup@example.com"}}""");
        Assert.Equal("OBJECT_ALREADY_EXISTS", (string)body!["category"]!);
        Assert.Equal(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), (long)body["identityProfile"]!["vid"]!);
    }

    [Fact]
    public async Task UnknownContact_Is404WithHubSpotsBody()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (status, body, _) = await f.GetAsync("crm/v3/objects/contacts/nobody%40example.com?idProperty=email");
        Assert.Equal(404, status);
        Assert.Equal(("error", "OBJECT_NOT_FOUND"), ((string)body!["status"]!, (string)body["category"]!));
    }

    [Fact]
    public async Task ReadByEmail_IsCaseInsensitive_AndDecodesThePathSegment()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var id = await f.CreateAsync("first+tag@example.com");
        var (status, body, _) = await f.GetAsync("crm/v3/objects/contacts/FIRST%2Btag%40example.com?idProperty=email");
        Assert.Equal(200, status);
        Assert.Equal(id, (string)body!["id"]!);
    }

    [Fact]
    public async Task BatchRead_WithUnknownIds_Is207WithErrorsBesideResults()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var id = await f.CreateAsync("a@example.com");
        var (status, body, _) = await f.PostAsync("crm/v3/objects/contacts/batch/read", $$$"""{"inputs":[{"id":"{{{id}}}"},{"id":"999"}],"properties":["email"]}""");
        Assert.Equal(207, status);
        Assert.Single(body!["results"]!.AsArray());
        Assert.Equal("999", (string)body["errors"]![0]!["context"]!["ids"]![0]!);
        Assert.Equal(1, (int)body["numErrors"]!);
    }

    [Fact]
    public async Task BatchUpdate_DuplicateIds_AreRejected()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var id = await f.CreateAsync("a@example.com");
        var (status, body, _) = await f.PostAsync("crm/v3/objects/contacts/batch/update",
            $$$"""{"inputs":[{"id":"{{{id}}}","properties":{"firstname":"A"}},{"id":"{{{id}}}","properties":{"firstname":"B"}}]}""");
        Assert.Equal(400, status);
        Assert.Contains("Duplicate", (string)body!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_Over100Inputs_IsRejected()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var inputs = string.Join(',', Enumerable.Range(0, 101).Select(i => $$$"""{"id":"{{{i}}}"}"""));
        Assert.Equal(400, (await f.PostAsync("crm/v3/objects/contacts/batch/read", $$$"""{"inputs":[{{{inputs}}}],"properties":[]}""")).Status);
    }

    [Fact]
    public async Task UnknownProperty_FailsTheWholeRequest_AndWritesNothing()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var id = await f.CreateAsync("a@example.com");
        var (status, body, _) = await f.SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{id}", """{"properties":{"firstname":"Changed","hhl_nope":"x"}}""");
        Assert.Equal(400, status);
        Assert.Equal("VALIDATION_ERROR", (string)body!["category"]!);
        Assert.Equal("PROPERTY_DOESNT_EXIST", (string)body["errors"]![0]!["code"]!);
        Assert.Equal("hhl_nope", (string)body["errors"]![0]!["context"]!["propertyName"]![0]!);
        Assert.False(f.Emulator.Store.AllContacts().Single().Properties.ContainsKey("firstname"));
    }

    [Theory]
    [InlineData("date", "date", "2026-11-27", 200)]
    [InlineData("date", "date", "1795737600000", 200)]
    [InlineData("date", "date", "1795737600001", 400)]
    [InlineData("date", "date", "2026-11-27T10:00:00Z", 400)]
    [InlineData("datetime", "date", "2026-11-27T10:00:00.000Z", 200)]
    [InlineData("datetime", "date", "1795780800000", 200)]
    [InlineData("datetime", "date", "yesterday", 400)]
    [InlineData("number", "number", "12", 200)]
    [InlineData("number", "number", "12.5", 200)]
    [InlineData("number", "number", "1.2.3", 400)]
    [InlineData("number", "number", "twelve", 400)]
    public async Task PropertyValues_AreValidatedLikeHubSpot(string type, string fieldType, string value, int expected)
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.DefinePropertyAsync("hhl_value", type, fieldType);
        var id = await f.CreateAsync("v@example.com");
        var (status, body, _) = await f.SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{id}", $$$"""{"properties":{"hhl_value":"{{{value}}}"}}""");
        Assert.True(expected == status, body?.ToJsonString());
    }

    [Fact]
    public async Task DateNotAtMidnight_FailsWithInvalidDate()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.DefinePropertyAsync("hhl_last_activity", "date", "date");
        var id = await f.CreateAsync("d@example.com");
        var (_, body, _) = await f.SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{id}", """{"properties":{"hhl_last_activity":"1795737600123"}}""");
        Assert.Equal("INVALID_DATE", (string)body!["errors"]![0]!["code"]!);
    }

    [Fact]
    public async Task StringOver65536Characters_IsRejected_AtTheLimitAccepted()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.DefinePropertyAsync("hhl_progress_state", "string", "textarea");
        var id = await f.CreateAsync("s@example.com");
        Assert.Equal(200, (await f.SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{id}", $$$"""{"properties":{"hhl_progress_state":"{{{new string('x', 65_536)}}}"}}""")).Status);
        Assert.Equal(400, (await f.SendAsync(HttpMethod.Patch, $"crm/v3/objects/contacts/{id}", $$$"""{"properties":{"hhl_progress_state":"{{{new string('x', 65_537)}}}"}}""")).Status);
    }

    [Fact]
    public async Task ReadOnlyProperty_CannotBeSet()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (status, body, _) = await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"r@example.com","hs_object_id":"5"}}""");
        Assert.Equal(400, status);
        Assert.Equal("READ_ONLY_VALUE", (string)body!["errors"]![0]!["code"]!);
    }

    [Fact]
    public async Task InvalidLifecycleStage_IsRejected_LeadIsAccepted()
    {
        await using var f = await EmulatorFixture.StartAsync();
        Assert.Equal(201, (await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"l@example.com","lifecyclestage":"lead"}}""")).Status);
        Assert.Equal(400, (await f.PostAsync("crm/v3/objects/contacts", """{"properties":{"email":"m@example.com","lifecyclestage":"prospect"}}""")).Status);
    }

    [Fact]
    public async Task Search_LagsWrites()
    {
        // On a fake clock: how long the machine takes between the calls cannot matter.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var f = await EmulatorFixture.StartAsync(new EmulatorOptions { SearchLag = TimeSpan.FromMilliseconds(400) }, clock);
        await f.CreateAsync("s@example.com");
        const string query = """{"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"s@example.com"}]}],"properties":["email"],"limit":1}""";
        clock.Advance(TimeSpan.FromMilliseconds(399));
        Assert.Equal(0, (int)(await f.PostAsync("crm/v3/objects/contacts/search", query)).Body!["total"]!);
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(1, (int)(await f.PostAsync("crm/v3/objects/contacts/search", query)).Body!["total"]!);
    }

    [Fact]
    public async Task BadJsonBody_Is400()
    {
        await using var f = await EmulatorFixture.StartAsync();
        var (status, body, _) = await f.PostAsync("crm/v3/objects/contacts", "{not json");
        Assert.Equal(400, status);
        Assert.StartsWith("Invalid input JSON", (string)body!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PropertyCreation_MismatchedTypeAndFieldType_IsRejected_ExistingNameIs409()
    {
        await using var f = await EmulatorFixture.StartAsync();
        await f.PostAsync("crm/v3/properties/contacts/groups", """{"name":"g","label":"G"}""");
        Assert.Equal(400, (await f.PostAsync("crm/v3/properties/contacts", """{"name":"p1","label":"P","type":"datetime","fieldType":"text","groupName":"g"}""")).Status);
        Assert.Equal(201, (await f.PostAsync("crm/v3/properties/contacts", """{"name":"p1","label":"P","type":"datetime","fieldType":"date","groupName":"g"}""")).Status);
        Assert.Equal(409, (await f.PostAsync("crm/v3/properties/contacts", """{"name":"p1","label":"P","type":"datetime","fieldType":"date","groupName":"g"}""")).Status);
        Assert.Equal(409, (await f.PostAsync("crm/v3/properties/contacts", """{"name":"email","label":"E","type":"string","fieldType":"text","groupName":"g"}""")).Status);
    }
}
