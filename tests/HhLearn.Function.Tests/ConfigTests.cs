using System.Collections;

namespace HhLearn.Function.Tests;

public class ConfigTests
{
    private static (FunctionConfig Config, IReadOnlyList<string> Problems) Read(params (string Key, string Value)[] variables)
    {
        var table = new Hashtable();
        foreach (var (key, value) in variables)
        {
            table[key] = value;
        }

        return FunctionConfig.FromEnvironment(table);
    }

    [Fact]
    public void Defaults_SyncOff_PropertiesBackend_100PerTenSeconds()
    {
        var (config, problems) = Read();
        Assert.Empty(problems);
        Assert.False(config.CrmEnabled);
        Assert.Equal(ProgressBackend.Properties, config.Backend);
        Assert.Equal(100, config.RateLimit);
        Assert.Equal(new Uri("https://api.hubapi.com/"), config.HubSpotBaseUrl);
        Assert.Null(config.SyncQueueUrl);
    }

    [Fact]
    public void EveryProblem_IsReportedAtOnce()
    {
        var (_, problems) = Read(
            ("ENABLE_CRM_PROGRESS", "maybe"),
            ("PROGRESS_BACKEND", "database"),
            ("HUBSPOT_BASE_URL", "not a url"),
            ("CATALOG_DIR", "/does/not/exist"),
            ("ALLOWED_ORIGINS", "https://ok.example.com, ftp://bad, https://x.example.com/path"),
            ("HUBSPOT_RATE_LIMIT", "lots"),
            ("SYNC_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/1/standard-queue"));
        Assert.Equal(8, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("ENABLE_CRM_PROGRESS must be true or false", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PROGRESS_BACKEND must be properties or events", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("SYNC_QUEUE_URL must be the URL of a FIFO queue", StringComparison.Ordinal));
    }

    [Fact]
    public void SyncOnWithoutAnyToken_IsAProblem()
    {
        var (_, problems) = Read(("ENABLE_CRM_PROGRESS", "true"));
        Assert.Contains(problems, p => p.Contains("neither HUBSPOT_TOKEN_PARAMETER", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    public void EnableFlag_AcceptsTheUsualSpellings(string value, bool expected) =>
        Assert.Equal(expected, Read(("ENABLE_CRM_PROGRESS", value), ("HUBSPOT_TOKEN_PARAMETER", "/hhlearn/dev/hubspot-token")).Config.CrmEnabled);

    [Fact]
    public void FullConfiguration_IsRead()
    {
        var (config, problems) = Read(
            ("ENABLE_CRM_PROGRESS", "true"),
            ("PROGRESS_TABLE", "hhlearn-prod-progress"),
            ("HUBSPOT_TOKEN_PARAMETER", "/hhlearn/prod/hubspot-token"),
            ("HUBSPOT_BASE_URL", "http://127.0.0.1:5081"),
            ("ALLOWED_ORIGINS", "https://learn.example.com/, *"),
            ("HUBSPOT_RATE_LIMIT", "190"),
            ("HUBSPOT_READ_RATE_LIMIT", "3"),
            ("PROJECTION_SWEEP_AFTER_SECONDS", "120"),
            ("PROJECTION_LEASE_SECONDS", "90"),
            ("PROJECTION_WINDOW_SECONDS", "0"),
            ("HUBSPOT_PROJECTION_BUDGET", "150"),
            ("HASH_KEY_PARAMETER", "/aws/reference/secretsmanager/hhlearn-prod-hash-key"),
            ("SYNC_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/hhlearn-sync.fifo"));
        Assert.Empty(problems);
        Assert.Equal("/aws/reference/secretsmanager/hhlearn-prod-hash-key", config.HashKeyParameter);
        Assert.Equal("hhlearn-prod-progress", config.ProgressTable);
        Assert.Equal((3, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(90)), (config.ReadRateLimit, config.SweepAfter, config.ProjectionLease));
        Assert.Equal((TimeSpan.Zero, (int?)150), (config.ProjectionWindow, config.ProjectionBudget));
        Assert.Equal("/hhlearn/prod/hubspot-token", config.TokenParameter);
        Assert.Equal(new Uri("http://127.0.0.1:5081/"), config.HubSpotBaseUrl);
        Assert.Equal(["https://learn.example.com", "*"], config.AllowedOrigins);
        Assert.Equal(190, config.RateLimit);
        Assert.NotNull(config.SyncQueueUrl);
    }

    [Fact]
    public void TheProgressStore_WithoutAHashKey_IsRefusedWithAClearLine()
    {
        var (_, problems) = Read(("ENABLE_CRM_PROGRESS", "true"), ("HUBSPOT_PRIVATE_APP_TOKEN", "t"), ("PROGRESS_TABLE", "hhlearn-dev-progress"));
        Assert.Contains(problems, p => p.StartsWith("PROGRESS_TABLE needs the deployment's hash key", StringComparison.Ordinal));
    }

    [Fact]
    public void AHashKeyTooShortToBeSecret_IsRefused()
    {
        var (_, problems) = Read(("HHLEARN_HASH_KEY", "short"));
        Assert.Contains(problems, p => p.StartsWith("HHLEARN_HASH_KEY must be at least 32 characters", StringComparison.Ordinal));
        Assert.NotNull(Read(("HHLEARN_HASH_KEY", new string('k', 32))).Config.HashKey);
    }

    [Fact]
    public void EventsBackend_WithTheProgressStore_IsRefusedWithAClearLine()
    {
        var (_, problems) = Read(("PROGRESS_BACKEND", "events"), ("PROGRESS_TABLE", "hhlearn-dev-progress"));
        Assert.Contains(problems, p => p.StartsWith("PROGRESS_BACKEND=events cannot be used with PROGRESS_TABLE", StringComparison.Ordinal));
        Assert.Empty(Read(("PROGRESS_BACKEND", "events")).Problems);
    }

    [Fact]
    public void TheProjectionQueue_WithoutTheStore_IsRefused()
    {
        var (_, problems) = Read(("SYNC_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/hhlearn-sync.fifo"));
        Assert.Contains(problems, p => p.StartsWith("SYNC_QUEUE_URL is the projection queue of the progress store", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PROJECTION_SWEEP_AFTER_SECONDS", "0")]
    [InlineData("PROJECTION_LEASE_SECONDS", "1.5")]
    [InlineData("PROJECTION_LEASE_SECONDS", "-60")]
    public void ProjectionTimings_AreWholePositiveSeconds(string name, string value) =>
        Assert.Contains(Read((name, value)).Problems, p => p == $"{name} must be a whole number of seconds (got '{value}')");

    [Fact]
    public void TheProjectionWindow_IsFiveSecondsUnlessSet()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Read().Config.ProjectionWindow);
        Assert.Null(Read().Config.ProjectionBudget);
    }

    [Theory]
    [InlineData("PROJECTION_WINDOW_SECONDS", "61", "PROJECTION_WINDOW_SECONDS must be a whole number of seconds from 0 to 60 (got '61')")]
    [InlineData("PROJECTION_WINDOW_SECONDS", "2.5", "PROJECTION_WINDOW_SECONDS must be a whole number of seconds from 0 to 60 (got '2.5')")]
    [InlineData("HUBSPOT_PROJECTION_BUDGET", "0", "HUBSPOT_PROJECTION_BUDGET must be a whole number of requests per 10 s, at least 1 (got '0')")]
    public void AProjectionWindowOrBudgetOutOfRange_IsRefused(string name, string value, string problem) =>
        Assert.Contains(problem, Read((name, value)).Problems);

    [Theory]
    [InlineData("a")]
    [InlineData("has space")]
    [InlineData("bad/name")]
    public void AProgressTableThatCannotBeADynamoDbName_IsRefused(string table) =>
        Assert.Contains(Read(("PROGRESS_TABLE", table)).Problems, p => p.StartsWith("PROGRESS_TABLE must be a DynamoDB table name", StringComparison.Ordinal));
}
