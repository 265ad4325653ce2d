using static HhLearn.Progress.Tests.Support;

namespace HhLearn.Progress.Tests;

public class ProgressViewsTests
{
    [Fact]
    public void Aggregate_Course_IsLookedUpStandaloneFirst()
    {
        var state = ApplyAll(
            Enrolled(EventNames.CourseEnrolled, "path-x", "course-a", -20),
            Completed(null, "course-a", "a1", -10)).State;
        var view = ProgressViews.Aggregate(state, AggregateKind.Course, "course-a");
        Assert.Equal((1, 1), (view.Started, view.Completed));
        Assert.Equal(Ts(-10), view.EnrolledAt);
    }

    [Fact]
    public void Aggregate_Course_FallsBackToPathways()
    {
        var state = ApplyAll(Enrolled(EventNames.CourseEnrolled, "path-x", "course-a", -20)).State;
        Assert.Equal(new AggregateView(0, 0, true, Ts(-20)), ProgressViews.Aggregate(state, AggregateKind.Course, "course-a"));
    }

    [Fact]
    public void Aggregate_Course_CountsModules_TwoOfThreeDoneReadsCompletedTwo()
    {
        var state = ApplyAll(
            Completed("path-x", "course-a", "a1", -30),
            Completed("path-x", "course-a", "a2", -20),
            Started("path-x", "course-a", "a3", -10)).State;
        Assert.Equal(new AggregateView(3, 2, true, Ts(-30)), ProgressViews.Aggregate(state, AggregateKind.Course, "course-a"));
    }

    [Fact]
    public void Aggregate_Course_ACompletedModuleCountsAsStarted()
    {
        var state = ApplyAll(Completed(null, "course-c", "c1", -5)).State;
        var view = ProgressViews.Aggregate(state, AggregateKind.Course, "course-c");
        Assert.Equal((1, 1), (view.Started, view.Completed));
    }

    [Fact]
    public void Aggregate_HierarchicalPathway_CountsCourses()
    {
        var state = ApplyAll(
            Completed("path-x", "course-b", "b1", -30),
            Completed("path-x", "course-b", "b2", -20),
            Started("path-x", "course-a", "a1", -10)).State;
        Assert.Equal(new AggregateView(2, 1, true, Ts(-30)), ProgressViews.Aggregate(state, AggregateKind.Pathway, "path-x"));
    }

    [Fact]
    public void Aggregate_LegacyFlatPathway_CountsModules()
    {
        var state = ApplyAll(Completed("path-flat", null, "c1", -5), Started("path-flat", null, "extra", -4)).State;
        Assert.Equal(new AggregateView(2, 1, true, Ts(-5)), ProgressViews.Aggregate(state, AggregateKind.Pathway, "path-flat"));
    }

    [Fact]
    public void Aggregate_Unknown_IsZeroCountsNotEnrolled() =>
        Assert.Equal(new AggregateView(0, 0, false, null), ProgressViews.Aggregate(ApplyAll().State, AggregateKind.Pathway, "nope"));

    [Fact]
    public void Enrollments_ListsPathwaysAndCourses_WithTheirPathway()
    {
        var state = ApplyAll(
            Enrolled(EventNames.PathwayEnrolled, "path-x", null, -30, "pathway_page"),
            Started("path-x", "course-a", "a1", -20),
            Enrolled(EventNames.CourseEnrolled, null, "course-c", -10, "course_page")).State;
        var view = ProgressViews.Enrollments(state);
        Assert.Equal([new PathwayEnrollment("path-x", Ts(-30), "pathway_page")], view.Pathways);
        Assert.Equal(
            [new CourseEnrollment("course-a", "path-x", Ts(-20), "module_event"), new CourseEnrollment("course-c", null, Ts(-10), "course_page")],
            view.Courses);
    }
}

public class CatalogReaderTests
{
    private static CatalogSource Course(string name, string text) => new(CatalogKind.Course, name, text);

    private static CatalogSource Pathway(string name, string text) => new(CatalogKind.Pathway, name, text);

    [Fact]
    public void Read_ValidFiles_DefineCoursesAndPathways()
    {
        var result = CatalogReader.Read([
            Course("courses/a.json", """{"slug":"a","modules":["m1","m2"]}"""),
            Pathway("pathways/p.json", """{"slug":"p","courses":["a"],"title":"ignored extra"}"""),
        ]);
        Assert.Empty(result.Problems);
        Assert.Equal(["m1", "m2"], result.Catalog.CourseModules("a")!.Value.ToArray());
        Assert.Equal(["a"], result.Catalog.PathwayCourses("p")!.Value.ToArray());
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"modules":["m"]}""", "slug: required string")]
    [InlineData("""{"slug":"a b","modules":["m"]}""", "slug: may hold only")]
    [InlineData("""{"slug":"a"}""", "modules: required array")]
    [InlineData("""{"slug":"a","modules":[]}""", "modules: must not be empty")]
    [InlineData("""{"slug":"a","modules":[1]}""", "modules[0]: must be a string")]
    public void Read_BadFile_IsReportedAndSkipped_NeverFatal(string text, string problem)
    {
        var result = CatalogReader.Read([Course("courses/bad.json", text), Course("courses/good.json", """{"slug":"good","modules":["m"]}""")]);
        var reported = Assert.Single(result.Problems);
        Assert.Equal("courses/bad.json", reported.Name);
        Assert.StartsWith(problem, reported.Problem, StringComparison.Ordinal);
        Assert.NotNull(result.Catalog.CourseModules("good"));
    }

    [Fact]
    public void Read_DuplicateSlug_KeepsTheFirstFileAndReportsTheSecond()
    {
        var result = CatalogReader.Read([Course("courses/1.json", """{"slug":"a","modules":["m1"]}"""), Course("courses/2.json", """{"slug":"a","modules":["m2"]}""")]);
        Assert.Equal(["m1"], result.Catalog.CourseModules("a")!.Value.ToArray());
        Assert.Equal("courses/2.json", Assert.Single(result.Problems).Name);
    }

    [Fact]
    public void Read_DuplicateModulesInADefinition_AreCountedOnce() =>
        Assert.Equal(["m1", "m2"], CatalogReader.Read([Course("c.json", """{"slug":"a","modules":["m1","m2","m1"]}""")]).Catalog.CourseModules("a")!.Value.ToArray());
}

/// <summary>What progress adds up to for people to read: the summary line and the counts (docs/architecture.md section 4).</summary>
public class ProgressFiguresTests
{
    [Fact]
    public void Summary_CountsStandaloneCoursesAndHierarchicalPathways()
    {
        var learner = ApplyAll(
            Completed(null, "course-a", "a1", -30), Completed(null, "course-a", "a2", -20),
            Completed("path-x", "course-b", "b1", -15), Completed("path-x", "course-b", "b2", -10));
        Assert.Equal("course-a: 2/3 modules; path-x: 1/2 courses", ProgressFigures.Summary(learner.State, TestCatalog));
    }

    [Fact]
    public void Summary_CountsFlatPathwaysInModules() =>
        Assert.Equal("path-flat: 1/1 modules", ProgressFigures.Summary(ApplyAll(Completed("path-flat", null, "c1", -5)).State, TestCatalog));

    [Fact]
    public void Summary_UsesRecordedCounts_ForEntitiesUnknownToTheCatalog() =>
        Assert.Equal("mystery: 1/2 modules",
            ProgressFigures.Summary(ApplyAll(Completed(null, "mystery", "m1", -5), Started(null, "mystery", "m2", -4)).State, TestCatalog));

    [Fact]
    public void Summary_IsInProgress_WhenNothingIsCountable() =>
        Assert.Equal("In progress", ProgressFigures.Summary(ApplyAll(Enrolled(EventNames.PathwayEnrolled, "unknown-path", null, -5)).State, TestCatalog));

    [Fact]
    public void CompletedModules_CountsAcrossHierarchicalFlatAndStandalone()
    {
        var learner = ApplyAll(
            Completed(null, "course-a", "a1", -30), Started(null, "course-a", "a2", -29),
            Completed("path-x", "course-b", "b1", -20),
            Completed("path-flat", null, "c1", -10));
        Assert.Equal(3, ProgressFigures.CompletedModules(learner.State));
    }

    [Fact]
    public void ParseDate_EpochMidnight_IsUnderstood() =>
        Assert.Equal(new DateOnly(2026, 11, 1), ProgressFigures.ParseDate("1793491200000"));

    [Fact]
    public void Milestones_AreSortedAndUnique()
    {
        var learner = ApplyAll(
            Completed(null, "course-b", "b1", -30), Completed(null, "course-b", "b2", -20),
            Started("path-x", "course-a", "a1", -10), Started("path-x", "course-b", "b1", -5));
        var (enrolled, completed) = ProgressFigures.Milestones(learner.State);
        Assert.Equal(["course-a", "course-b"], enrolled);
        Assert.Equal(["course-b"], completed);
    }
}
