using static HhLearn.Progress.Tests.Support;

namespace HhLearn.Progress.Tests;

/// <summary>docs/architecture.md section 3, "Apply rules".</summary>
public class ApplyRulesTests
{
    [Fact]
    public void ApplyAll_FoldsInOrder_SkippingARefusedEvent_AndNamingItByPosition()
    {
        var fold = ProgressEngine.ApplyAll(LearnerProgress.New,
        [
            Completed(null, "course-b", "b1", -30),
            Enrolled(EventNames.CourseCompleted, null, "course-b", -20),
            Completed(null, "course-b", "b2", -10),
            Enrolled(EventNames.CourseCompleted, null, "course-b", -5),
        ], TestCatalog, Now);

        var (index, error) = Assert.Single(fold.Rejected);
        Assert.Equal((1, "INVALID_EVENT_DATA"), (index, error.Code));
        Assert.True(fold.Learner.State.StandaloneCourse("course-b")!.IsCompleted);
        Assert.Empty(fold.Warnings);
    }

    [Fact]
    public void Apply_ModuleWithPathwayAndCourse_NestsPathwayCourseModule_AndAutoEnrolsBoth()
    {
        var state = ApplyAll(Started("path-x", "course-a", "a1", -60)).State;
        var pathway = state.Pathway("path-x")!;
        var course = pathway.Course("course-a")!;
        Assert.True(pathway.IsEnrolled);
        Assert.Equal(ProgressEngine.ModuleEventSource, pathway.EnrollmentSource);
        Assert.True(course.IsEnrolled);
        Assert.Equal(ProgressEngine.ModuleEventSource, course.EnrollmentSource);
        Assert.Equal(Ts(-60), course.EnrolledAt!.Value.Text);
        Assert.True(course.Module("a1")!.IsStarted);
    }

    [Fact]
    public void Apply_ModuleWithPathwayOnly_UsesTheLegacyFlatModel()
    {
        var pathway = ApplyAll(Completed("path-flat", null, "c1", -10)).State.Pathway("path-flat")!;
        Assert.True(pathway.IsEnrolled);
        Assert.Null(pathway.Courses);
        Assert.True(pathway.FlatModule("c1")!.IsCompleted);
    }

    [Fact]
    public void Apply_ModuleWithCourseOnly_IsAStandaloneCourse()
    {
        var state = ApplyAll(Started(null, "course-a", "a1", -10)).State;
        Assert.Empty(state.Pathways);
        Assert.True(state.StandaloneCourse("course-a")!.IsEnrolled);
        Assert.True(state.StandaloneCourse("course-a")!.Module("a1")!.IsStarted);
    }

    [Fact]
    public void Apply_ModuleCompleted_ImpliesStarted()
    {
        var module = ApplyAll(Completed(null, "course-a", "a1", -10)).State.StandaloneCourse("course-a")!.Module("a1")!;
        Assert.True(module.IsStarted);
        Assert.Equal(Ts(-10), module.StartedAt!.Value.Text);
        Assert.Equal(Ts(-10), module.CompletedAt!.Value.Text);
    }

    [Fact]
    public void Apply_ModuleCompletedTwice_KeepsFirstCompletion()
    {
        var module = ApplyAll(Completed(null, "course-a", "a1", -10), Completed(null, "course-a", "a1", -5))
            .State.StandaloneCourse("course-a")!.Module("a1")!;
        Assert.Equal(Ts(-10), module.CompletedAt!.Value.Text);
    }

    [Fact]
    public void Apply_LateArrivingEarlierStart_MovesStartedAtBack()
    {
        var module = ApplyAll(Started(null, "course-a", "a1", -10), Started(null, "course-a", "a1", -30))
            .State.StandaloneCourse("course-a")!.Module("a1")!;
        Assert.Equal(Ts(-30), module.StartedAt!.Value.Text);
    }

    [Fact]
    public void Apply_StartAfterCompletion_KeepsTheModuleCompleted()
    {
        var module = ApplyAll(Completed(null, "course-a", "a1", -10), Started(null, "course-a", "a1", -5))
            .State.StandaloneCourse("course-a")!.Module("a1")!;
        Assert.True(module.IsCompleted);
        Assert.Equal(Ts(-10), module.StartedAt!.Value.Text);
    }

    [Fact]
    public void Apply_CourseEnrolledWithPathway_EnrolsCourseInsidePathway_AndThePathway()
    {
        var state = ApplyAll(Enrolled(EventNames.CourseEnrolled, "path-x", "course-b", -10, "catalog_page")).State;
        var pathway = state.Pathway("path-x")!;
        Assert.True(pathway.IsEnrolled);
        Assert.Equal("catalog_page", pathway.Course("course-b")!.EnrollmentSource);
        Assert.Null(state.StandaloneCourse("course-b"));
    }

    [Fact]
    public void Apply_CourseEnrolledWithoutPathway_IsStandalone()
    {
        var state = ApplyAll(Enrolled(EventNames.CourseEnrolled, null, "course-b", -10, "course_page")).State;
        Assert.Empty(state.Pathways);
        Assert.Equal("course_page", state.StandaloneCourse("course-b")!.EnrollmentSource);
    }

    [Fact]
    public void Apply_PathwayEnrolled_RecordsTimeAndSource()
    {
        var pathway = ApplyAll(Enrolled(EventNames.PathwayEnrolled, "path-x", null, -10, "pathway_page")).State.Pathway("path-x")!;
        Assert.True(pathway.IsEnrolled);
        Assert.Equal(Ts(-10), pathway.EnrolledAt!.Value.Text);
        Assert.Equal("pathway_page", pathway.EnrollmentSource);
    }

    [Fact]
    public void Apply_EnrolmentSource_ComesFromTheEarliestEnrolment()
    {
        var explicitFirst = ApplyAll(
            Enrolled(EventNames.CourseEnrolled, null, "course-a", -30, "course_page"),
            Started(null, "course-a", "a1", -10)).State.StandaloneCourse("course-a")!;
        Assert.Equal(("course_page", Ts(-30)), (explicitFirst.EnrollmentSource, explicitFirst.EnrolledAt!.Value.Text));

        var moduleFirst = ApplyAll(
            Started(null, "course-a", "a1", -30),
            Enrolled(EventNames.CourseEnrolled, null, "course-a", -10, "course_page")).State.StandaloneCourse("course-a")!;
        Assert.Equal((ProgressEngine.ModuleEventSource, Ts(-30)), (moduleFirst.EnrollmentSource, moduleFirst.EnrolledAt!.Value.Text));
    }

    [Fact]
    public void Apply_EnrolmentArrivingLateButEarlier_TakesOverTimeAndSource()
    {
        var course = ApplyAll(
            Started(null, "course-a", "a1", -10),
            Enrolled(EventNames.CourseEnrolled, null, "course-a", -30, "course_page")).State.StandaloneCourse("course-a")!;
        Assert.Equal(("course_page", Ts(-30)), (course.EnrollmentSource, course.EnrolledAt!.Value.Text));
    }

    [Fact]
    public void Apply_CourseStarted_WhenAnyModuleIs_AtTheEarliestModuleStart()
    {
        var course = ApplyAll(Started(null, "course-a", "a2", -5), Started(null, "course-a", "a1", -20)).State.StandaloneCourse("course-a")!;
        Assert.True(course.IsStarted);
        Assert.Equal(Ts(-20), course.StartedAt!.Value.Text);
    }

    [Fact]
    public void Apply_CourseCompleted_WhenEveryCatalogModuleIs_AtTheLatestModuleCompletion()
    {
        var course = ApplyAll(
            Completed(null, "course-a", "a1", -30),
            Completed(null, "course-a", "a3", -10),
            Completed(null, "course-a", "a2", -20)).State.StandaloneCourse("course-a")!;
        Assert.True(course.IsCompleted);
        Assert.Equal(Ts(-10), course.CompletedAt!.Value.Text);
    }

    [Fact]
    public void Apply_ModulesOutsideTheDefinition_DoNotCount()
    {
        var course = ApplyAll(
            Completed(null, "course-a", "a1", -30),
            Completed(null, "course-a", "a2", -20),
            Completed(null, "course-a", "bonus", -10)).State.StandaloneCourse("course-a")!;
        Assert.False(course.IsCompleted);
    }

    [Fact]
    public void Apply_CourseUnknownToCatalog_IsNeverCompleteByInference()
    {
        var course = ApplyAll(Completed(null, "mystery", "m1", -10)).State.StandaloneCourse("mystery")!;
        Assert.False(course.IsCompleted);
        Assert.Null(course.Completed);
    }

    [Fact]
    public void Apply_CourseUnknownToCatalog_KeepsItsStoredCompletion()
    {
        var learner = FromState("""{"courses":{"mystery":{"enrolled":true,"completed":true,"completed_at":"2026-01-01T00:00:00.000Z","modules":{}}}}""");
        var course = Applied(learner, Started(null, "mystery", "m9", -1)).State.StandaloneCourse("mystery")!;
        Assert.True(course.IsCompleted);
        Assert.Equal("2026-01-01T00:00:00.000Z", course.CompletedAt!.Value.Text);
    }

    [Fact]
    public void Apply_WhenTheDefinitionGrows_CompletionIsRevoked()
    {
        var done = ApplyAll(Completed(null, "course-b", "b1", -20), Completed(null, "course-b", "b2", -10));
        Assert.True(done.State.StandaloneCourse("course-b")!.IsCompleted);

        var grown = LearningCatalog.Of([("course-b", ["b1", "b2", "b3"])], []);
        var after = Applied(done, Started(null, "course-b", "b1", -5), grown).State.StandaloneCourse("course-b")!;
        Assert.False(after.IsCompleted);
        Assert.Null(after.CompletedAt);
    }

    [Fact]
    public void Apply_PathwayCompleted_WhenEveryCatalogCourseIs_AtTheLatestCourseCompletion()
    {
        var learner = ApplyAll(
            Completed("path-x", "course-a", "a1", -60), Completed("path-x", "course-a", "a2", -50), Completed("path-x", "course-a", "a3", -40),
            Completed("path-x", "course-b", "b1", -30));
        Assert.False(learner.State.Pathway("path-x")!.IsCompleted);

        var pathway = Applied(learner, Completed("path-x", "course-b", "b2", -20)).State.Pathway("path-x")!;
        Assert.True(pathway.IsCompleted);
        Assert.Equal(Ts(-20), pathway.CompletedAt!.Value.Text);
        Assert.Equal(Ts(-60), pathway.StartedAt!.Value.Text);
    }

    [Fact]
    public void Apply_LegacyFlatPathway_CompletesWhenAllModulesOfItsCoursesAre()
    {
        var pathway = ApplyAll(Completed("path-flat", null, "c1", -5)).State.Pathway("path-flat")!;
        Assert.True(pathway.IsCompleted);
        Assert.Equal(Ts(-5), pathway.CompletedAt!.Value.Text);
    }

    [Fact]
    public void Apply_ExplicitCourseCompletion_OfACompleteCourse_IsAccepted()
    {
        var learner = ApplyAll(Completed(null, "course-b", "b1", -20), Completed(null, "course-b", "b2", -10));
        var result = ProgressEngine.Apply(learner, Enrolled(EventNames.CourseCompleted, null, "course-b", -9), TestCatalog, Now);
        Assert.True(result.IsApplied);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Apply_ExplicitCourseCompletion_OfAnIncompleteCourse_IsRejectedWithTheCount()
    {
        var learner = ApplyAll(Completed(null, "course-a", "a1", -20), Completed(null, "course-a", "a2", -10));
        var result = ProgressEngine.Apply(learner, Enrolled(EventNames.CourseCompleted, null, "course-a", -9), TestCatalog, Now);
        Assert.False(result.IsApplied);
        Assert.Equal(ErrorCodes.InvalidEventData, result.Rejection.Code);
        Assert.Contains("course_slug: 2/3 modules completed", result.Rejection.Details);
    }

    [Fact]
    public void Apply_ExplicitCourseCompletion_InsideAPathway_CountsThatPathwaysModules()
    {
        var learner = ApplyAll(Completed("path-x", "course-b", "b1", -20));
        var result = ProgressEngine.Apply(learner, Enrolled(EventNames.CourseCompleted, "path-x", "course-b", -9), TestCatalog, Now);
        Assert.Contains("course_slug: 1/2 modules completed", result.Rejection!.Details);
    }

    [Fact]
    public void Apply_ExplicitCourseCompletion_WithNoProgress_IsRejected()
    {
        var result = ProgressEngine.Apply(LearnerProgress.New, Enrolled(EventNames.CourseCompleted, null, "course-a", -9), TestCatalog, Now);
        Assert.Contains("course_slug: 0/3 modules completed", result.Rejection!.Details);
    }

    [Fact]
    public void Apply_ExplicitCompletion_OfACourseUnknownToCatalog_IsRejected()
    {
        var result = ProgressEngine.Apply(LearnerProgress.New, Enrolled(EventNames.CourseCompleted, null, "mystery", -9), TestCatalog, Now);
        Assert.Equal(ErrorCodes.InvalidEventData, result.Rejection!.Code);
        Assert.Contains("course_slug: 'mystery' is not in the catalog", result.Rejection.Details);
    }

    [Fact]
    public void Apply_ExplicitPathwayCompletion_OfAnIncompletePathway_IsRejectedWithTheCount()
    {
        var learner = ApplyAll(Completed("path-x", "course-b", "b1", -20), Completed("path-x", "course-b", "b2", -10));
        var result = ProgressEngine.Apply(learner, Enrolled(EventNames.PathwayCompleted, "path-x", null, -9), TestCatalog, Now);
        Assert.Equal(ErrorCodes.InvalidEventData, result.Rejection!.Code);
        Assert.Contains("pathway_slug: 1/2 courses completed", result.Rejection.Details);
    }

    [Fact]
    public void Apply_RejectedEvent_LeavesTheLearnerUnchanged()
    {
        var learner = ApplyAll(Completed(null, "course-a", "a1", -20));
        var result = ProgressEngine.Apply(learner, Enrolled(EventNames.CourseCompleted, null, "course-a", -1), TestCatalog, Now);
        Assert.False(result.IsApplied);
        Assert.Equal(Json(learner.State), Json(ApplyAll(Completed(null, "course-a", "a1", -20)).State));
    }

    [Fact]
    public void Apply_ClaimedCompletedAtMoreThanFiveMinutesOff_IsAcceptedWithAMismatchWarning()
    {
        var learner = ApplyAll(Completed(null, "course-b", "b1", -60), Completed(null, "course-b", "b2", -30));
        var claim = Enrolled(EventNames.CourseCompleted, null, "course-b", -1, completedAt: Now.AddMinutes(-30).AddMinutes(5).AddMilliseconds(1).ToString("O"));
        var result = ProgressEngine.Apply(learner, claim, TestCatalog, Now);
        Assert.True(result.IsApplied);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(WarningCodes.CompletedAtMismatch, warning.Code);
    }

    [Fact]
    public void Apply_ClaimedCompletedAtExactlyFiveMinutesOff_HasNoWarning()
    {
        var learner = ApplyAll(Completed(null, "course-b", "b1", -60), Completed(null, "course-b", "b2", -30));
        var claim = Enrolled(EventNames.CourseCompleted, null, "course-b", -1, completedAt: Ts(-25));
        Assert.Empty(ProgressEngine.Apply(learner, claim, TestCatalog, Now).Warnings);
    }

    [Fact]
    public void Apply_ClaimWithoutCompletedAt_ComparesTheEventTime()
    {
        var learner = ApplyAll(Completed(null, "course-b", "b1", -60), Completed(null, "course-b", "b2", -30));
        Assert.Single(ProgressEngine.Apply(learner, Enrolled(EventNames.CourseCompleted, null, "course-b", -1), TestCatalog, Now).Warnings);
        Assert.Empty(ProgressEngine.Apply(learner, Enrolled(EventNames.CourseCompleted, null, "course-b", -29), TestCatalog, Now).Warnings);
    }

    [Fact]
    public void Apply_PageView_SetsLastViewed_AndDoesNotTouchTheState()
    {
        var learner = ApplyAll(PageView("course", "course-a", -3));
        Assert.True(learner.State.IsEmpty);
        Assert.Equal(new PageView("course", "course-a", State.Stamp.Parse(Ts(-3))), learner.LastViewed);
    }

    [Fact]
    public void Apply_OlderPageViewArrivingLate_DoesNotReplaceANewerOne() =>
        Assert.Equal("newer", ApplyAll(PageView("module", "newer", -1), PageView("module", "older", -10)).LastViewed!.Slug);

    [Fact]
    public void Apply_AnyEvent_AdvancesLastActivityToTheLatestEventDate()
    {
        var learner = ApplyAll(Started(null, "course-a", "a1", -3 * 24 * 60), PageView("course", "c", -2 * 24 * 60), Started(null, "course-a", "a2", -5 * 24 * 60));
        Assert.Equal(DateOnly.FromDateTime(Now.AddDays(-2).UtcDateTime), learner.LastActivity);
    }

    [Fact]
    public void Apply_EventWithFutureTs_UsesServerTime()
    {
        var module = ApplyAll(Started(null, "course-a", "a1", 6)).State.StandaloneCourse("course-a")!.Module("a1")!;
        Assert.Equal(State.Stamp.Format(Now), module.StartedAt!.Value.Text);
    }

    [Fact]
    public void Apply_ToLegacyStoredState_KeepsItsUnknownFields()
    {
        var learner = FromState("""{"path-x":{"enrolled":true,"mentor":"grace","courses":{"course-a":{"enrolled":true,"modules":{"a1":{"started":true,"notes":[1,2]}}}}}}""");
        var node = Node(Applied(learner, Completed("path-x", "course-a", "a2", -1)).State);
        Assert.Equal("grace", (string)node["path-x"]!["mentor"]!);
        Assert.Equal(2, node["path-x"]!["courses"]!["course-a"]!["modules"]!["a1"]!["notes"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_EnrolmentWithoutAStoredTime_IsReplacedByOneWithATime()
    {
        var learner = FromState("""{"courses":{"course-a":{"enrolled":true,"enrollment_source":"import"}}}""");
        var course = Applied(learner, Enrolled(EventNames.CourseEnrolled, null, "course-a", -5, "course_page")).State.StandaloneCourse("course-a")!;
        Assert.Equal(("course_page", Ts(-5)), (course.EnrollmentSource, course.EnrolledAt!.Value.Text));
    }
}
