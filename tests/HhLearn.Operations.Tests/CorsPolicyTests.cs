namespace HhLearn.Operations.Tests;

/// <summary>Which pages may call the API, and the headers that let a browser send credentialed requests.</summary>
public class CorsPolicyTests
{
    private static readonly CorsPolicy Site = new(["https://learn.example.com", "https://www.example.com/"]);

    [Fact]
    public void AllowedOrigin_IsReflected_WithCredentials_AndVaryOrigin()
    {
        var headers = Site.ResponseHeaders("https://learn.example.com");
        Assert.Equal("https://learn.example.com", headers["access-control-allow-origin"]);
        Assert.Equal("true", headers["access-control-allow-credentials"]);
        Assert.Equal("Origin", headers["vary"]);
        Assert.Equal("retry-after", headers["access-control-expose-headers"]);
    }

    [Theory]
    [InlineData("https://evil.example.net")]
    [InlineData("https://learn.example.com.evil.net")]
    [InlineData("http://learn.example.com")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData(null)]
    public void OtherOrigins_GetNoGrantAtAll(string? origin)
    {
        Assert.Empty(Site.ResponseHeaders(origin));
        Assert.Empty(Site.PreflightHeaders(origin));
    }

    [Fact]
    public void Preflight_AllowsTheMethodsAndTheAuthorizationAndContentTypeHeaders()
    {
        var headers = Site.PreflightHeaders("https://www.example.com");
        Assert.Equal("https://www.example.com", headers["access-control-allow-origin"]);
        Assert.Equal("true", headers["access-control-allow-credentials"]);
        Assert.Contains("POST", headers["access-control-allow-methods"], StringComparison.Ordinal);
        Assert.Equal(["authorization", "content-type"], headers["access-control-allow-headers"].Split(',', StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5173", true)]
    [InlineData("http://127.0.0.1:80", true)]
    [InlineData("http://localhost:3000", true)]
    [InlineData("http://127.0.0.1", false)]
    [InlineData("http://127.0.0.1:5173.evil.net", false)]
    [InlineData("http://127.0.0.10:5173", false)]
    [InlineData("https://127.0.0.1:5173", false)]
    public void LocalDefault_AllowsAnyPortOfThisMachineOnly(string origin, bool allowed)
    {
        var local = new CorsPolicy(CorsPolicy.LocalDefault);
        Assert.Equal(allowed, local.Allows(origin));
        if (allowed)
        {
            Assert.Equal(origin, local.ResponseHeaders(origin)["access-control-allow-origin"]);
            Assert.Equal("true", local.ResponseHeaders(origin)["access-control-allow-credentials"]);
        }
    }

    [Fact]
    public void Star_AllowsAnyOrigin_WithoutCredentials()
    {
        var any = new CorsPolicy(["*"]);
        var headers = any.ResponseHeaders("https://anywhere.example");
        Assert.Equal("*", headers["access-control-allow-origin"]);
        Assert.False(headers.ContainsKey("access-control-allow-credentials"));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("https://learn.example.com", true)]
    [InlineData("https://learn.example.com/", true)]
    [InlineData("http://127.0.0.1:*", true)]
    [InlineData("http://127.0.0.1:8080:*", false)]
    [InlineData("ftp://bad", false)]
    [InlineData("https://x.example.com/path", false)]
    [InlineData("https://*.example.com", false)]
    [InlineData("learn.example.com", false)]
    public void ConfiguredEntries_AreCheckedOnce(string entry, bool ok) => Assert.Equal(ok, CorsPolicy.Problem(entry) is null);
}
