namespace HhLearn.Function.Tests;

/// <summary>JWT claims from API Gateway's authorizer win over body and query identifiers; a different one is refused.</summary>
public class IdentityTests
{
    private static readonly Dictionary<string, string> AdaClaims = new() { ["email"] = "Ada@Example.com", ["email_verified"] = "true", ["sub"] = "u1" };

    private const string Enrol = """{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x"}""";

    [Theory]
    [InlineData("false")]
    [InlineData("False")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yes")]
    public async Task EmailClaim_NotVerified_Is403IdentityUnverified_AndWritesNothing(string? verified)
    {
        await using var f = await FunctionFixture.StartAsync();
        var claims = new Dictionary<string, string> { ["email"] = "ada@example.com", ["sub"] = "u1" };
        if (verified is not null)
        {
            claims["email_verified"] = verified;
        }

        var track = await f.TrackAsync(Enrol, claims);
        Assert.Equal((403, "IDENTITY_UNVERIFIED"), (track.Status, track.Code));
        var read = await f.GetAsync("/progress/read", "", claims);
        Assert.Equal((403, "IDENTITY_UNVERIFIED"), (read.Status, read.Code));
        Assert.Equal(0, f.Emulator.Stats.Total);
    }

    [Fact]
    public async Task EmailClaim_VerifiedAsTheStringTrue_IsTheIdentity()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync(Enrol, new() { ["email"] = "ada@example.com", ["email_verified"] = "TRUE" });
        Assert.Equal("persisted", (string?)answer.Body!["status"]);
    }

    [Fact]
    public async Task RequireVerifiedEmailSwitchedOff_AcceptsAnEmailClaimWithoutTheFlag()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["JWT_REQUIRE_VERIFIED_EMAIL"] = "false" });
        var answer = await f.TrackAsync(Enrol, new() { ["email"] = "ada@example.com" });
        Assert.Equal("persisted", (string?)answer.Body!["status"]);
        Assert.NotNull(f.Contact("ada@example.com"));
    }

    [Fact]
    public async Task UnverifiedEmail_WithAContactIdClaim_UsesTheContactIdOnly()
    {
        await using var f = await FunctionFixture.StartAsync();
        var id = f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "grace@example.com" });
        var answer = await f.TrackAsync(Enrol, new() { ["email"] = "not-grace@example.com", ["email_verified"] = "false", ["hubspot_contact_id"] = id });
        Assert.Equal(id, (string?)answer.Body!["contactId"]);
        Assert.Null(f.Contact("not-grace@example.com"));
    }

    [Fact]
    public async Task ContactIdClaim_IsReadFromTheConfiguredClaimOnly()
    {
        await using var f = await FunctionFixture.StartAsync(new() { ["JWT_CONTACT_ID_CLAIM"] = "crm_id" });
        var id = f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "grace@example.com" });
        var other = await f.TrackAsync(Enrol, new() { ["hubspot_contact_id"] = id });
        Assert.Equal((401, "IDENTITY_MISSING"), (other.Status, other.Code));
        var configured = await f.TrackAsync(Enrol, new() { ["crm_id"] = id });
        Assert.Equal(id, (string?)configured.Body!["contactId"]);
    }

    [Fact]
    public async Task Track_ClaimsWithoutBodyIdentity_UseTheClaimsEmail()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x"}""", AdaClaims);
        Assert.Equal("persisted", (string?)answer.Body!["status"]);
        Assert.NotNull(f.Contact("ada@example.com"));
    }

    [Fact]
    public async Task Track_SameEmailInBodyAndClaims_IsAccepted()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"email":"ada@example.com"}}""", AdaClaims);
        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Track_DifferentEmailInBody_Is403_AndWritesNothing()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"email":"mallory@example.com"}}""", AdaClaims);
        Assert.Equal((403, "IDENTITY_MISMATCH"), (answer.Status, answer.Code));
        Assert.Empty(f.Emulator.Store.AllContacts());
    }

    [Fact]
    public async Task Track_ContactIdInBody_WithEmailOnlyClaims_Is403()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"contactId":"1001"}}""", AdaClaims);
        Assert.Equal(403, answer.Status);
    }

    [Fact]
    public async Task ContactIdClaim_IsUsed_AndMatchedAgainstTheBody()
    {
        await using var f = await FunctionFixture.StartAsync();
        var id = f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "grace@example.com" });
        var claims = new Dictionary<string, string> { ["hubspot_contact_id"] = id };
        var ok = await f.TrackAsync($$$"""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"contactId":"{{{id}}}"}}""", claims);
        Assert.Equal(id, (string?)ok.Body!["contactId"]);
        var other = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x","contactIdentifier":{"contactId":"5"}}""", claims);
        Assert.Equal(403, other.Status);
    }

    [Fact]
    public async Task TokenWithoutEmailOrContactIdClaim_Is401()
    {
        await using var f = await FunctionFixture.StartAsync();
        var answer = await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x"}""", new() { ["sub"] = "u1" });
        Assert.Equal((401, "IDENTITY_MISSING"), (answer.Status, answer.Code));
    }

    [Fact]
    public async Task ReadRoutes_UseClaims_AndRefuseADifferentQueryEmail()
    {
        await using var f = await FunctionFixture.StartAsync();
        await f.TrackAsync("""{"eventName":"learning_pathway_enrolled","pathway_slug":"path-x"}""", AdaClaims);
        var own = await f.InvokeAsync(FunctionFixture.Fixture("progress-read-jwt.json").Replace("Fixture@Example.com", "Ada@Example.com", StringComparison.Ordinal).Replace("fixture%40example.com", "ada%40example.com", StringComparison.Ordinal));
        Assert.Equal(200, own.Status);
        Assert.NotNull(own.Body!["progress"]!["path-x"]);

        var noQuery = await f.GetAsync("/enrollments/list", "", AdaClaims);
        Assert.Equal("path-x", (string?)noQuery.Body!["enrollments"]!["pathways"]![0]!["slug"]);

        var other = await f.GetAsync("/progress/read", "email=mallory%40example.com", AdaClaims);
        Assert.Equal((403, "IDENTITY_MISMATCH"), (other.Status, other.Code));
    }

    [Fact]
    public async Task AwsJwtFixture_ClaimsEmailMatchesQueryEmail_IgnoringCase()
    {
        await using var f = await FunctionFixture.StartAsync();
        f.Emulator.Store.Seed(new Dictionary<string, string> { ["email"] = "fixture@example.com" });
        var answer = await f.InvokeAsync(FunctionFixture.Fixture("progress-read-jwt.json"));
        Assert.Equal(200, answer.Status);
        Assert.Equal("authenticated", (string?)answer.Body!["mode"]);
    }
}
