namespace HhLearn.HubSpot.Tests;

/// <summary>The status-code table and the two documented 409 forms, from raw bodies.</summary>
public class ErrorMappingTests
{
    [Theory]
    [InlineData(400, typeof(HubSpotValidationException))]
    [InlineData(401, typeof(HubSpotUnauthorizedException))]
    [InlineData(403, typeof(HubSpotForbiddenException))]
    [InlineData(404, typeof(HubSpotNotFoundException))]
    [InlineData(409, typeof(HubSpotConflictException))]
    [InlineData(423, typeof(HubSpotLockedException))]
    [InlineData(429, typeof(HubSpotRateLimitedException))]
    [InlineData(477, typeof(HubSpotLockedException))]
    [InlineData(500, typeof(HubSpotServerException))]
    [InlineData(503, typeof(HubSpotServerException))]
    [InlineData(418, typeof(HubSpotApiException))]
    public void Create_PicksTheTypeFromTheStatusCode(int status, Type expected) =>
        Assert.IsType(expected, HubSpotErrors.Create(status, """{"status":"error","message":"m","correlationId":"c-1","category":"X"}""", null));

    [Fact]
    public void Conflict_ClassicMessage_GivesTheExistingId() =>
        Assert.Equal("37765128953", ((HubSpotConflictException)HubSpotErrors.Create(409,
            """{"status":"error","message":"Contact already exists. Existing ID: 37765128953","correlationId":"c","category":"CONFLICT"}""", null)).ExistingId);

    [Fact]
    public void Conflict_NewForm_IdentityProfileVid_GivesTheExistingId() =>
        Assert.Equal("12345", ((HubSpotConflictException)HubSpotErrors.Create(409,
            """{"status":"error","message":"exists","category":"OBJECT_ALREADY_EXISTS","identityProfile":{"vid":12345,"identity":[]}}""", null)).ExistingId);

    [Fact]
    public void Conflict_NewForm_Context_GivesTheExistingId() =>
        Assert.Equal("777", ((HubSpotConflictException)HubSpotErrors.Create(409,
            """{"status":"error","message":"exists","category":"OBJECT_ALREADY_EXISTS","context":{"id":["777"]}}""", null)).ExistingId);

    [Fact]
    public void Forbidden_CarriesTheRequiredScopes() =>
        Assert.Equal(["crm.objects.contacts.write"], ((HubSpotForbiddenException)HubSpotErrors.Create(403,
            """{"status":"error","message":"missing scopes","category":"MISSING_SCOPES","errors":[{"message":"m","context":{"requiredScopes":["crm.objects.contacts.write"]}}]}""", null)).RequiredScopes);

    [Fact]
    public void BodyThatIsNotJson_StillGivesATypedError()
    {
        var error = HubSpotErrors.Create(502, "<html>Bad Gateway</html>", null);
        Assert.IsType<HubSpotServerException>(error);
        Assert.Contains("Bad Gateway", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every429Policy_ButDaily_IsTransient()
    {
        Assert.True(HubSpotErrors.Create(429, """{"policyName":"TEN_SECONDLY_ROLLING"}""", null).IsTransient);
        Assert.True(HubSpotErrors.Create(429, """{"policyName":"SECONDLY"}""", null).IsTransient);
        Assert.False(HubSpotErrors.Create(429, """{"policyName":"DAILY"}""", null).IsTransient);
    }
}
