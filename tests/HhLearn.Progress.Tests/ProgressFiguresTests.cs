using static HhLearn.Progress.Tests.Support;

namespace HhLearn.Progress.Tests;

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
