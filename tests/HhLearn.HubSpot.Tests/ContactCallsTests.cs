namespace HhLearn.HubSpot.Tests;

/// <summary>Every contacts call of the client against the emulator, over real HTTP on 127.0.0.1.</summary>
public class ContactCallsTests
{
    private static Dictionary<string, string> Props(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    [Fact]
    public async Task Create_ThenGetByIdAndByEmail_ReturnsStringValues()
    {
        await using var f = await ClientFixture.StartAsync();
        var created = await f.Client.CreateContactAsync(Props(("email", "Ada+Tag@Example.com"), ("hhl_total_progress", "3")));
        Assert.Matches("^[0-9]+$", created.Id);

        var byId = await f.Client.GetContactAsync(created.Id, ClientFixture.Props);
        Assert.Equal("3", byId.Property("hhl_total_progress"));
        Assert.Null(byId.Property("firstname"));
        Assert.NotNull(byId.CreatedAt);

        var byEmail = await f.Client.FindContactByEmailAsync("ada+tag@example.com", ClientFixture.Props);
        Assert.Equal(created.Id, byEmail!.Id);
    }

    [Theory]
    [InlineData(null, "2026-09")]
    [InlineData("2026-03", "2026-03")]
    [InlineData("v3", "v3")]
    public async Task TheClient_SpeaksTheApiVersionItIsGiven_2026_09ByDefault(string? configured, string spoken)
    {
        var options = new HubSpotClientOptions { RequestsPerTenSeconds = 10_000 };
        await using var f = await ClientFixture.StartAsync(clientOptions: configured is null ? options : options with { ApiVersion = configured });
        f.Emulator.Stats.Reset();
        var created = await f.Client.CreateContactAsync(Props(("email", "v@example.com")));
        await f.Client.BatchUpdateContactsAsync([new HubSpotContactUpdate(created.Id, Props(("firstname", "V")))]);
        await f.Client.GetPropertyAsync("email");
        Assert.Equal(3, f.Emulator.Stats.CountVersion(spoken));
        Assert.Equal(3, f.Emulator.Stats.Total);
    }

    [Theory]
    [InlineData("2026-09")]
    [InlineData("v3")]
    [InlineData("2027-03")]
    public void ApiVersions_OfHubSpotsForm_AreAccepted(string version) => Assert.Null(HubSpotClientOptions.ApiVersionProblem(version));

    [Theory]
    [InlineData("v4")]
    [InlineData("2026-10")]
    [InlineData("latest")]
    public void OtherApiVersions_AreRefused(string version) => Assert.NotNull(HubSpotClientOptions.ApiVersionProblem(version));

    [Fact]
    public async Task FindByEmail_Unknown_IsNull_AndGetById_Unknown_IsTypedNotFound()
    {
        await using var f = await ClientFixture.StartAsync();
        Assert.Null(await f.Client.FindContactByEmailAsync("nobody@example.com", ClientFixture.Props));
        var error = await Assert.ThrowsAsync<HubSpotNotFoundException>(() => f.Client.GetContactAsync("999999", ClientFixture.Props));
        Assert.Equal("OBJECT_NOT_FOUND", error.Category);
        Assert.NotNull(error.CorrelationId);
    }

    [Fact]
    public async Task Update_OverwritesValues_AndEmptyStringClears()
    {
        await using var f = await ClientFixture.StartAsync();
        var c = await f.Client.CreateContactAsync(Props(("email", "u@example.com"), ("firstname", "Ada")));
        await f.Client.UpdateContactAsync(c.Id, Props(("firstname", ""), ("hhl_last_activity", "2026-11-27")));
        var read = await f.Client.GetContactAsync(c.Id, ClientFixture.Props);
        Assert.Null(read.Property("firstname"));
        Assert.Equal("2026-11-27", read.Property("hhl_last_activity"));
    }

    [Theory]
    [InlineData(HubSpotEmulator.ConflictStyle.Classic)]
    [InlineData(HubSpotEmulator.ConflictStyle.ObjectAlreadyExists)]
    public async Task Create_DuplicateEmail_ConflictCarriesTheExistingId_InBothDocumentedForms(HubSpotEmulator.ConflictStyle style)
    {
        await using var f = await ClientFixture.StartAsync(new HubSpotEmulator.EmulatorOptions { ConflictStyle = style });
        var first = await f.Client.CreateContactAsync(Props(("email", "dup@example.com")));
        var conflict = await Assert.ThrowsAsync<HubSpotConflictException>(() => f.Client.CreateContactAsync(Props(("email", "DUP@example.com"))));
        Assert.Equal(first.Id, conflict.ExistingId);
        Assert.Equal(style == HubSpotEmulator.ConflictStyle.Classic ? "CONFLICT" : "OBJECT_ALREADY_EXISTS", conflict.Category);
        Assert.Equal(1, f.Emulator.Stats.Count(409));
    }

    [Fact]
    public async Task BatchRead_ByEmail_ReturnsFoundContacts_AndUnknownOnesAsErrors207()
    {
        await using var f = await ClientFixture.StartAsync();
        await f.Client.CreateContactAsync(Props(("email", "a@example.com")));
        await f.Client.CreateContactAsync(Props(("email", "b@example.com")));
        var result = await f.Client.BatchReadContactsAsync(["a@example.com", "b@example.com", "ghost@example.com"], ClientFixture.Props, byEmail: true);
        Assert.Equal(207, result.StatusCode);
        Assert.Equal(["a@example.com", "b@example.com"], result.Results.Select(r => r.Property("email")!).Order().ToArray());
        var error = Assert.Single(result.Errors);
        Assert.Equal("OBJECT_NOT_FOUND", error.Category);
        Assert.Equal(["ghost@example.com"], error.Ids);
    }

    [Fact]
    public async Task BatchRead_ById_AllFound_Is200()
    {
        await using var f = await ClientFixture.StartAsync();
        var a = await f.Client.CreateContactAsync(Props(("email", "a@example.com")));
        var result = await f.Client.BatchReadContactsAsync([a.Id], ClientFixture.Props);
        Assert.Equal(200, result.StatusCode);
        Assert.False(result.HasErrors);
    }

    [Fact]
    public async Task BatchCreate_ThenBatchUpdate_WritesEveryInput()
    {
        await using var f = await ClientFixture.StartAsync();
        var created = await f.Client.BatchCreateContactsAsync([Props(("email", "x@example.com")), Props(("email", "y@example.com"))]);
        Assert.Equal(201, created.StatusCode);
        Assert.Equal(2, created.Results.Count);

        var updated = await f.Client.BatchUpdateContactsAsync(created.Results.Select(c => new HubSpotContactUpdate(c.Id, Props(("hhl_total_progress", "7")))).ToArray());
        Assert.Equal(200, updated.StatusCode);
        Assert.All(await Task.WhenAll(created.Results.Select(c => f.Client.GetContactAsync(c.Id, ClientFixture.Props))), c => Assert.Equal("7", c.Property("hhl_total_progress")));
    }

    [Fact]
    public async Task BatchCreate_WithOneExistingEmail_FailsWholeWith409_AndCreatesNothing()
    {
        await using var f = await ClientFixture.StartAsync();
        var existing = await f.Client.CreateContactAsync(Props(("email", "taken@example.com")));
        var conflict = await Assert.ThrowsAsync<HubSpotConflictException>(() =>
            f.Client.BatchCreateContactsAsync([Props(("email", "new@example.com")), Props(("email", "taken@example.com"))]));
        Assert.Equal(existing.Id, conflict.ExistingId);
        Assert.Null(await f.Client.FindContactByEmailAsync("new@example.com", ClientFixture.Props));
    }

    [Fact]
    public async Task BatchUpdate_UnknownId_Is207WithTheIdInErrors()
    {
        await using var f = await ClientFixture.StartAsync();
        var c = await f.Client.CreateContactAsync(Props(("email", "k@example.com")));
        var result = await f.Client.BatchUpdateContactsAsync([new HubSpotContactUpdate(c.Id, Props(("firstname", "K"))), new HubSpotContactUpdate("424242", Props(("firstname", "Z")))]);
        Assert.Equal(207, result.StatusCode);
        Assert.Single(result.Results);
        Assert.Equal(["424242"], Assert.Single(result.Errors).Ids);
    }

    [Fact]
    public async Task BatchUpsert_CreatesNewAndUpdatesExisting_SayingWhichIsNew()
    {
        await using var f = await ClientFixture.StartAsync();
        await f.Client.CreateContactAsync(Props(("email", "old@example.com")));
        var result = await f.Client.BatchUpsertContactsByEmailAsync([
            new HubSpotContactUpsert("old@example.com", Props(("firstname", "Old"))),
            new HubSpotContactUpsert("fresh@example.com", Props(("firstname", "Fresh"))),
        ]);
        Assert.Equal(
            [("fresh@example.com", true), ("old@example.com", false)],
            result.Results.Select(r => (r.Contact.Property("email")!, r.New)).OrderBy(r => r.Item1).ToArray());
    }

    [Fact]
    public async Task BatchUpsert_DuplicateEmails_AreRejected()
    {
        await using var f = await ClientFixture.StartAsync();
        var error = await Assert.ThrowsAsync<HubSpotValidationException>(() => f.Client.BatchUpsertContactsByEmailAsync([
            new HubSpotContactUpsert("same@example.com", Props(("firstname", "A"))),
            new HubSpotContactUpsert("SAME@example.com", Props(("firstname", "B"))),
        ]));
        Assert.Contains("Duplicate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_SeesANewContactOnlyAfterTheIndexLag()
    {
        // HubSpot on a fake clock: how long the machine takes between the calls cannot matter.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var f = await ClientFixture.StartAsync(new HubSpotEmulator.EmulatorOptions { SearchLag = TimeSpan.FromMilliseconds(600) }, emulatorTime: clock);
        var created = await f.Client.CreateContactAsync(Props(("email", "lag@example.com")));
        clock.Advance(TimeSpan.FromMilliseconds(599));
        Assert.Null(await f.Client.SearchContactByEmailAsync("lag@example.com", ClientFixture.Props));
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(created.Id, (await f.Client.SearchContactByEmailAsync("lag@example.com", ClientFixture.Props))!.Id);
        Assert.Equal(2, f.Client.Stats.Searches);
    }

    [Fact]
    public async Task GdprDelete_RemovesTheContact()
    {
        await using var f = await ClientFixture.StartAsync();
        var c = await f.Client.CreateContactAsync(Props(("email", "forget@example.com")));
        await f.Client.GdprDeleteContactAsync("forget@example.com", byEmail: true);
        await Assert.ThrowsAsync<HubSpotNotFoundException>(() => f.Client.GetContactAsync(c.Id, ClientFixture.Props));
        await Assert.ThrowsAsync<HubSpotNotFoundException>(() => f.Client.GdprDeleteContactAsync(c.Id));
    }

    [Fact]
    public async Task UnknownProperty_FailsTheWholeRequest_WithTypedPerPropertyProblems()
    {
        await using var f = await ClientFixture.StartAsync();
        var error = await Assert.ThrowsAsync<HubSpotValidationException>(() =>
            f.Client.CreateContactAsync(Props(("email", "v@example.com"), ("no_such_property", "x"), ("hhl_last_activity", "1793000000001"))));
        Assert.Equal("VALIDATION_ERROR", error.Category);
        Assert.Contains(error.Problems, p => p is { Code: "PROPERTY_DOESNT_EXIST", PropertyName: "no_such_property" });
        Assert.Contains(error.Problems, p => p is { Code: "INVALID_DATE", PropertyName: "hhl_last_activity" });
        Assert.Null(await f.Client.FindContactByEmailAsync("v@example.com", ClientFixture.Props));
    }

    [Fact]
    public async Task BehavioralEvent_IsSent()
    {
        await using var f = await ClientFixture.StartAsync();
        await f.Client.SendBehavioralEventAsync(new HubSpotBehavioralEvent
        {
            EventName = "pe123_learning_module_completed",
            Email = "ev@example.com",
            OccurredAt = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero),
            Properties = new Dictionary<string, string> { ["module_slug"] = "m1" },
        });
        var stored = Assert.Single(f.Emulator.Store.Events());
        Assert.Equal("m1", (string?)stored["properties"]!["module_slug"]);
    }
}
