using System.Diagnostics;
using System.Text.Json.Nodes;

namespace HhLearn.Cli.Tests;

/// <summary><c>hhlearn apply</c>: the offline replay tool an engineer uses to answer "why does this learner show X".</summary>
public class ApplyCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static (int Exit, JsonNode? Output, string Error) Run(string? events, string? properties = null, string? stdin = null, string? catalog = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = ApplyCommand.Run(
            new ApplyCommand.Options(catalog ?? RepoPaths.Samples("catalog"), properties, Now, events ?? "-"),
            new StringReader(stdin ?? string.Empty), stdout, stderr, TimeProvider.System);
        var text = stdout.ToString();
        return (exit, text.Length == 0 ? null : JsonNode.Parse(text), stderr.ToString());
    }

    [Fact]
    public void Apply_SampleEvents_PrintsTheExpectedProperties()
    {
        var (exit, output, error) = Run(RepoPaths.Samples("events.jsonl"));
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, error);
        var properties = output!["properties"]!;
        Assert.Equal("git-essentials;intro-to-cloud;networking-basics", (string?)properties["hhl_enrolled_courses"]);
        Assert.Equal("intro-to-cloud", (string?)properties["hhl_completed_courses"]);
        Assert.Equal("5", (string?)properties["hhl_total_progress"]);
        Assert.Equal("git-essentials: 1/3 modules; cloud-foundations: 1/2 courses", (string?)properties["hhl_progress_summary"]);
        Assert.Equal("2026-11-06", (string?)properties["hhl_last_activity"]);
        Assert.Equal("2026-11-27", (string?)properties["hhl_progress_updated_at"]);
        Assert.Equal("course", (string?)properties["hhl_last_viewed_type"]);
        Assert.Equal("networking-basics", (string?)properties["hhl_last_viewed_slug"]);
        Assert.Equal("2026-11-06T14:05:00.000Z", (string?)properties["hhl_last_viewed_at"]);
        Assert.True(JsonNode.DeepEquals(output["state"], JsonNode.Parse((string)properties["hhl_progress_state"]!)));
        Assert.True((bool)output["state"]!["cloud-foundations"]!["courses"]!["intro-to-cloud"]!["completed"]!);
    }

    [Fact]
    public void Apply_SampleEvents_ReportsTheBadLinesWithTheirCodes()
    {
        var rejected = Run(RepoPaths.Samples("events.jsonl")).Output!["rejected"]!.AsArray();
        Assert.Equal(2, rejected.Count);
        Assert.Equal((9, "INVALID_EVENT_DATA"), ((int)rejected[0]!["line"]!, (string)rejected[0]!["code"]!));
        Assert.Equal("course_slug: 1/3 modules completed", (string?)rejected[0]!["details"]![0]);
        Assert.Equal((12, "SCHEMA_VALIDATION_FAILED"), ((int)rejected[1]!["line"]!, (string)rejected[1]!["code"]!));
    }

    [Fact]
    public void Apply_LegacyContact_KeepsUnknownFieldsAndStoredMilestones()
    {
        var (exit, output, _) = Run(RepoPaths.Samples("events-legacy.jsonl"), RepoPaths.Samples("contact-legacy.json"));
        Assert.Equal(0, exit);
        Assert.Equal("spring-2025", (string?)output!["state"]!["devops-starter"]!["cohort"]);
        Assert.True((bool)output["state"]!["devops-starter"]!["completed"]!);
        Assert.Equal("devops-starter: 3/3 modules", (string?)output["properties"]!["hhl_progress_summary"]);
        Assert.Equal("legacy-intro", (string?)output["properties"]!["hhl_completed_courses"]);
        Assert.Empty(output["rejected"]!.AsArray());
    }

    [Fact]
    public void Apply_FromStandardInput_SkipsBlankLines_AndCountsLinesFromOne()
    {
        var stdin = "\n" + """{"eventName":"learning_module_completed","payload":{"course_slug":"git-essentials","module_slug":"commits"}}""" + "\n\nnot json\n";
        var (exit, output, _) = Run(null, stdin: stdin);
        Assert.Equal(0, exit);
        Assert.Equal("1", (string?)output!["properties"]!["hhl_total_progress"]);
        var rejected = Assert.Single(output["rejected"]!.AsArray());
        Assert.Equal((4, "INVALID_JSON"), ((int)rejected!["line"]!, (string)rejected["code"]!));
    }

    [Fact]
    public void Apply_WithoutTs_UsesTheGivenNow() =>
        Assert.Equal("2026-11-27",
            (string?)Run(null, stdin: """{"eventName":"learning_pathway_enrolled","pathway_slug":"p"}""").Output!["properties"]!["hhl_last_activity"]);

    [Fact]
    public void Apply_NoEvents_PrintsANewContactsProperties()
    {
        var (exit, output, _) = Run(null, stdin: string.Empty);
        Assert.Equal(0, exit);
        Assert.Equal("No progress yet", (string?)output!["properties"]!["hhl_progress_summary"]);
    }

    [Fact]
    public void Apply_CorruptStoredState_ExitsOneWithAClearMessage_AndPrintsNothing()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """{"hhl_progress_state":"[1,2,3]"}""");
        try
        {
            var (exit, output, error) = Run(RepoPaths.Samples("events.jsonl"), file);
            Assert.Equal(1, exit);
            Assert.Null(output);
            Assert.Contains("hhl_progress_state is corrupt (not a JSON object (found Array))", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Apply_MissingCatalog_ExitsOne()
    {
        var (exit, _, error) = Run(RepoPaths.Samples("events.jsonl"), catalog: "/nonexistent/catalog");
        Assert.Equal(1, exit);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_MissingEventsFile_ExitsOne()
    {
        var (exit, _, error) = Run("/nonexistent/events.jsonl");
        Assert.Equal(1, exit);
        Assert.Contains("cannot read events", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_BadCatalogFile_IsReportedAndSkipped()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "courses"));
            File.WriteAllText(Path.Combine(dir.FullName, "courses", "broken.json"), "{");
            File.WriteAllText(Path.Combine(dir.FullName, "courses", "ok.json"), """{"slug":"ok","modules":["m"]}""");
            var (exit, output, error) = Run(null, stdin: """{"eventName":"learning_module_completed","payload":{"course_slug":"ok","module_slug":"m"}}""", catalog: dir.FullName);
            Assert.Equal(0, exit);
            Assert.Contains("courses/broken.json skipped", error, StringComparison.Ordinal);
            Assert.Equal("ok", (string?)output!["properties"]!["hhl_completed_courses"]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Hhlearn_Binary_RunsApplyFromTheCommandLine()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "hhlearn.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "apply", "--catalog", RepoPaths.Samples("catalog"), "--now", "2026-11-27T12:00:00Z", RepoPaths.Samples("events.jsonl") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("5", (string?)JsonNode.Parse(stdout)!["properties"]!["hhl_total_progress"]);
    }

    [Fact]
    public void Hhlearn_BadNow_ExitsOne()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "hhlearn.dll"), "apply", "--catalog", RepoPaths.Samples("catalog"), "--now", "tomorrow" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("--now 'tomorrow' is not an ISO-8601 date-time", stderr, StringComparison.Ordinal);
    }
}

/// <summary>Every command ends in an answer a person can read: one line on standard error, never a stack trace.</summary>
public class CommandFailureTests
{
    private static (int Exit, string Stdout, string Stderr) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hhlearn.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    [Theory]
    [InlineData("export", "--email", "ada@example.com", "--table", "hhlearn-test", "--store-url", "http://127.0.0.1:9/")]
    [InlineData("forget", "--email", "not-an-email", "--table", "hhlearn-test")]
    [InlineData("suppress", "--table", "hhlearn-test")]
    [InlineData("reproject", "--all", "--table", "hhlearn-test", "--store-url", "http://127.0.0.1:9/")]
    [InlineData("apply", "--catalog", "/nonexistent/catalog")]
    public void AFailingCommand_SaysWhyInALine_WithoutAStackTrace(params string[] arguments)
    {
        var (exit, _, stderr) = Run(arguments);
        Assert.NotEqual(0, exit);
        Assert.StartsWith($"hhlearn {arguments[0]}: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
