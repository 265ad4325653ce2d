namespace HhLearn.HubSpot.Tests;

public class PropertyCallsTests
{
    [Fact]
    public async Task GetProperty_Existing_ReturnsItsTypes_Unknown_IsNull()
    {
        await using var f = await ClientFixture.StartAsync();
        var p = await f.Client.GetPropertyAsync("hhl_last_activity");
        Assert.Equal(("date", "date", "learning_milestones"), (p!.Type, p.FieldType, p.GroupName));
        Assert.Null(await f.Client.GetPropertyAsync("nope"));
    }

    [Fact]
    public async Task CreateProperty_ExistingName_Is409()
    {
        await using var f = await ClientFixture.StartAsync();
        await Assert.ThrowsAsync<HubSpotConflictException>(() => f.Client.CreatePropertyAsync(
            new HubSpotProperty { Name = "hhl_last_activity", Label = "x", Type = "date", FieldType = "date", GroupName = "learning_milestones" }));
    }

    [Fact]
    public async Task CreateProperty_MismatchedTypeAndFieldType_IsRejected()
    {
        await using var f = await ClientFixture.StartAsync();
        var error = await Assert.ThrowsAsync<HubSpotValidationException>(() => f.Client.CreatePropertyAsync(
            new HubSpotProperty { Name = "hhl_bad", Label = "Bad", Type = "datetime", FieldType = "text", GroupName = "learning_milestones" }));
        Assert.Contains("not compatible", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchCreateProperties_ReportsExistingOnesAsErrors()
    {
        await using var f = await ClientFixture.StartAsync();
        var result = await f.Client.BatchCreatePropertiesAsync([
            new HubSpotProperty { Name = "hhl_new", Label = "New", Type = "string", FieldType = "text", GroupName = "learning_milestones" },
            new HubSpotProperty { Name = "hhl_last_activity", Label = "Dup", Type = "date", FieldType = "date", GroupName = "learning_milestones" },
        ]);
        Assert.Equal(207, result.StatusCode);
        Assert.Equal("hhl_new", Assert.Single(result.Results).Name);
        Assert.Single(result.Errors);
    }

    [Fact]
    public async Task CreateGroup_Twice_IsConflict()
    {
        await using var f = await ClientFixture.StartAsync();
        await Assert.ThrowsAsync<HubSpotConflictException>(() => f.Client.CreatePropertyGroupAsync(new HubSpotPropertyGroup { Name = "learning_milestones", Label = "Again" }));
    }
}
