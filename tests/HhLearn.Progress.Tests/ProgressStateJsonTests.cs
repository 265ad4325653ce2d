namespace HhLearn.Progress.Tests;

/// <summary>hhl_progress_state is read and written in exactly its existing shape; unknown fields survive.</summary>
public class ProgressStateJsonTests
{
    /// <summary>The example of docs/architecture.md section 3, plus unknown fields at every level.</summary>
    private const string Existing = """
    {
      "path-x": {
        "enrolled": true, "enrolled_at": "2026-01-10T09:00:00.000Z", "enrollment_source": "pathway_page",
        "started": true, "started_at": "2026-01-10T09:05:00.000Z", "completed": false,
        "courses": {
          "course-a": {
            "enrolled": true, "enrolled_at": "2026-01-10T09:05:00.000Z", "enrollment_source": "module_event",
            "started": true, "started_at": "2026-01-10T09:05:00.000Z", "completed": true, "completed_at": "2026-01-12T10:00:00.000Z",
            "modules": { "a1": { "started": true, "started_at": "2026-01-10T09:05:00.000Z", "completed": true, "completed_at": "2026-01-10T09:30:00.000Z", "score": 93 } },
            "certificate": { "id": "CERT-1" }
          }
        },
        "legacy_note": "kept"
      },
      "path-old": { "enrolled": true, "modules": { "m1": { "started": true, "started_at": "2025-05-01T00:00:00Z" } } },
      "courses": { "course-z": { "enrolled": true, "modules": { } } },
      "schema_version": 2
    }
    """;

    [Fact]
    public void Read_ExistingShape_RoundTripsLosslessly()
    {
        var read = ProgressStateJson.Read(Existing);
        Assert.True(read.IsOk);
        Assert.True(Support.JsonEquals(Existing, ProgressStateJson.Write(read.Value)));
    }

    [Fact]
    public void Read_UnknownFields_AreKeptAtEveryLevel()
    {
        var written = Support.Node(ProgressStateJson.Read(Existing).Value!);
        Assert.Equal(93, (int)written["path-x"]!["courses"]!["course-a"]!["modules"]!["a1"]!["score"]!);
        Assert.Equal("CERT-1", (string)written["path-x"]!["courses"]!["course-a"]!["certificate"]!["id"]!);
        Assert.Equal("kept", (string)written["path-x"]!["legacy_note"]!);
        Assert.Equal(2, (int)written["schema_version"]!);
    }

    [Fact]
    public void Read_TimestampsWeDoNotChange_AreWrittenBackVerbatim()
    {
        var written = Support.Node(ProgressStateJson.Read(Existing).Value!);
        Assert.Equal("2025-05-01T00:00:00Z", (string)written["path-old"]!["modules"]!["m1"]!["started_at"]!);
    }

    [Fact]
    public void Read_ClassifiesHierarchicalFlatAndStandalone()
    {
        var state = ProgressStateJson.Read(Existing).Value!;
        Assert.NotNull(state.Pathway("path-x")!.Courses);
        Assert.NotNull(state.Pathway("path-old")!.Modules);
        Assert.NotNull(state.StandaloneCourse("course-z"));
        Assert.Null(state.Pathway("courses"));
    }

    [Fact]
    public void Write_SortsMapsByKey_SoEqualStatesGiveEqualText()
    {
        var a = ProgressStateJson.Read("""{"p2":{"enrolled":true},"p1":{"enrolled":true}}""").Value!;
        var b = ProgressStateJson.Read("""{"p1":{"enrolled":true},"p2":{"enrolled":true}}""").Value!;
        Assert.Equal(ProgressStateJson.Write(a), ProgressStateJson.Write(b));
        Assert.Equal("""{"p1":{"enrolled":true},"p2":{"enrolled":true}}""", ProgressStateJson.Write(a));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{}")]
    public void Read_NothingStored_IsAnEmptyState(string? text)
    {
        var read = ProgressStateJson.Read(text);
        Assert.True(read.IsOk);
        Assert.True(read.Value.IsEmpty);
        Assert.Equal("{}", ProgressStateJson.Write(read.Value));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{\"a\":", "not valid JSON")]
    [InlineData("[1,2]", "not a JSON object (found Array)")]
    [InlineData("\"{}\"", "not a JSON object (found String)")]
    [InlineData("42", "not a JSON object (found Number)")]
    [InlineData("{\"p\":{\"courses\":[]}}", "p.courses is Array, expected an object")]
    [InlineData("{\"p\":{\"modules\":{\"m\":\"done\"}}}", "p.modules.m is String, expected an object")]
    [InlineData("{\"p\":{\"enrolled\":\"yes\"}}", "p.enrolled is String, expected true or false")]
    [InlineData("{\"p\":{\"started_at\":12}}", "p.started_at is Number, expected a timestamp string")]
    [InlineData("{\"courses\":\"none\"}", "courses is String, expected an object")]
    public void Read_CorruptText_IsReportedAsAResult_NotAnException(string text, string reason)
    {
        var read = ProgressStateJson.Read(text);
        Assert.False(read.IsOk);
        Assert.StartsWith(reason, read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NullValuesForKnownFields_AreTreatedAsAbsent()
    {
        var read = ProgressStateJson.Read("""{"p":{"enrolled":null,"enrolled_at":null,"courses":null}}""");
        Assert.True(read.IsOk);
        Assert.Equal("""{"p":{}}""", ProgressStateJson.Write(read.Value));
    }

    [Fact]
    public void Write_NonAsciiSlugs_StayReadable() =>
        Assert.Equal("""{"café":{"enrolled":true}}""", ProgressStateJson.Write(ProgressStateJson.Read("""{"café":{"enrolled":true}}""").Value!));
}

public class ProgressStateJsonUnicodeTests
{
    [Fact]
    public void Read_StoredStateWithAnEscapedLoneSurrogate_IsCorrupt_NotAnException()
    {
        var read = ProgressStateJson.Read("""{"p\ud800":{"enrolled":true}}""");
        Assert.False(read.IsOk);
        Assert.Contains("surrogate", read.Error, StringComparison.Ordinal);
    }
}
