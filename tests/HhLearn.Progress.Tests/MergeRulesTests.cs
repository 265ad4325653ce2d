using static HhLearn.Progress.Tests.Support;

namespace HhLearn.Progress.Tests;

/// <summary>The state-level merge, case by case: what two documents of one learner become.</summary>
public class MergeRulesTests
{
    private static LearnerProgress Stored(string json) => new() { State = ProgressStateJson.Read(json).Value! };

    [Fact]
    public void Merge_KeepsTheEarliestModuleCompletion_AndEveryModuleOfBoth()
    {
        var a = ApplyAll(Completed("path-x", "course-a", "a1", -30), Completed("path-x", "course-a", "a2", -5));
        var b = ApplyAll(Completed("path-x", "course-a", "a1", -40), Completed("path-x", "course-a", "a3", -10));
        var merged = ProgressMerge.Merge(a, b, TestCatalog).State.Pathway("path-x")!.Course("course-a")!;
        Assert.Equal(Ts(-40), merged.Module("a1")!.CompletedAt!.Value.Text);
        Assert.True(merged.IsCompleted);
        Assert.Equal(Ts(-5), merged.CompletedAt!.Value.Text);
    }

    [Fact]
    public void Merge_KeepsTheEarliestEnrolment_WithItsSource()
    {
        var a = ApplyAll(Enrolled(EventNames.PathwayEnrolled, "path-x", null, -10, "email"));
        var b = ApplyAll(Enrolled(EventNames.PathwayEnrolled, "path-x", null, -20, "pathway_page"));
        var pathway = ProgressMerge.Merge(a, b, TestCatalog).State.Pathway("path-x")!;
        Assert.Equal((Ts(-20), "pathway_page"), (pathway.EnrolledAt!.Value.Text, pathway.EnrollmentSource));
    }

    [Fact]
    public void Merge_KeepsUnknownFieldsOfBothDocuments()
    {
        var a = Stored("""{"path-x":{"enrolled":true,"cohort":"2025"},"meta":1}""");
        var b = Stored("""{"path-x":{"enrolled":true,"mentor":"grace"},"old-path":{"modules":{"m1":{"completed":true,"note":"x"}}}}""");
        var json = ProgressStateJson.Write(ProgressMerge.Merge(a, b, TestCatalog).State);
        Assert.Contains("\"cohort\":\"2025\"", json, StringComparison.Ordinal);
        Assert.Contains("\"mentor\":\"grace\"", json, StringComparison.Ordinal);
        Assert.Contains("\"note\":\"x\"", json, StringComparison.Ordinal);
        Assert.Contains("\"meta\":1", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_DerivesCompletionFromTheCatalog_WhenNeitherSideAloneIsComplete()
    {
        var a = ApplyAll(Completed(null, "course-b", "b1", -10));
        var b = ApplyAll(Completed(null, "course-b", "b2", -5));
        Assert.False(a.State.StandaloneCourse("course-b")!.IsCompleted);
        var course = ProgressMerge.Merge(a, b, TestCatalog).State.StandaloneCourse("course-b")!;
        Assert.True(course.IsCompleted);
        Assert.Equal(Ts(-5), course.CompletedAt!.Value.Text);
    }

    [Fact]
    public void Merge_KeepsStoredMilestones_TheLatestViewAndActivity()
    {
        var legacy = new LearnerProgress
        {
            StoredEnrolledCourses = ["old-course"],
            StoredCompletedCourses = ["old-course"],
            LastActivity = new DateOnly(2025, 1, 2),
            LastViewed = new PageView("course", "old-course", Stamp.Parse("2025-01-02T00:00:00.000Z")),
        };
        var current = ApplyAll(Enrolled(EventNames.CourseEnrolled, null, "course-a", -1));
        var merged = ProgressMerge.Merge(legacy, current, TestCatalog);
        Assert.Equal(["old-course"], merged.StoredCompletedCourses);
        Assert.Equal(DateOnly.FromDateTime(Now.UtcDateTime), merged.LastActivity);
        Assert.Equal("old-course", merged.LastViewed!.Slug);
        Assert.NotNull(merged.State.StandaloneCourse("course-a"));
    }

    [Fact]
    public void Merge_WithNothing_IsTheOtherDocument()
    {
        var a = ApplyAll(Completed("path-flat", null, "c1", -5));
        Assert.Equal(ProgressStateJson.Write(a.State), ProgressStateJson.Write(ProgressMerge.Merge(LearnerProgress.New, a, TestCatalog).State));
        Assert.Equal(ProgressStateJson.Write(a.State), ProgressStateJson.Write(ProgressMerge.Merge(a, LearnerProgress.New, LearningCatalog.Empty).State));
    }
}
