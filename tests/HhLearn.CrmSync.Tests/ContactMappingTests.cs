using static HhLearn.Progress.Tests.Support;
using CsCheck;
using HhLearn.CrmSync.Contacts;

namespace HhLearn.CrmSync.Tests;

/// <summary>docs/architecture.md section 4: the values written onto the contact, and read back from it.</summary>
public class ContactMappingTests
{
    [Fact]
    public void Build_NewLearner_WritesNoProgressYet()
    {
        var properties = Properties(LearnerProgress.New);
        Assert.Equal("{}", properties[P.ProgressState]);
        Assert.Equal("No progress yet", properties[P.ProgressSummary]);
        Assert.Equal("2026-11-27", properties[P.ProgressUpdatedAt]);
        Assert.False(properties.ContainsKey(P.TotalProgress));
        Assert.False(properties.ContainsKey(P.LastActivity));
    }

    [Fact]
    public void Build_MilestoneLists_AreSortedUniqueAndSemicolonJoined()
    {
        var learner = ApplyAll(
            Completed(null, "course-b", "b1", -30), Completed(null, "course-b", "b2", -20),
            Started("path-x", "course-a", "a1", -10), Started("path-x", "course-b", "b1", -5));
        var properties = Properties(learner);
        Assert.Equal("course-a;course-b", properties[P.EnrolledCourses]);
        Assert.Equal("course-b", properties[P.CompletedCourses]);
    }

    [Fact]
    public void Build_MilestoneLists_AreTheUnionWithWhatIsStored()
    {
        var stored = ContactProgress.Read(new Dictionary<string, string?>
        {
            [P.EnrolledCourses] = "old-course;zeta",
            [P.CompletedCourses] = "old-course",
        }).Value!;
        var properties = Properties(ApplyAll(stored, [Started(null, "course-a", "a1", -1)]));
        Assert.Equal("course-a;old-course;zeta", properties[P.EnrolledCourses]);
        Assert.Equal("old-course", properties[P.CompletedCourses]);
    }

    [Fact]
    public void Build_EmptyState_KeepsStoredMilestoneValues()
    {
        var stored = ContactProgress.Read(new Dictionary<string, string?>
        {
            [P.ProgressState] = "{}",
            [P.EnrolledCourses] = "legacy-course",
            [P.CompletedCourses] = "legacy-course",
            [P.TotalProgress] = "7",
        }).Value!;
        var properties = Properties(ApplyAll(stored, [PageView("page", "home", -1)]));
        Assert.Equal("legacy-course", properties[P.EnrolledCourses]);
        Assert.Equal("legacy-course", properties[P.CompletedCourses]);
        Assert.Equal("7", properties[P.TotalProgress]);
    }

    [Fact]
    public void Build_Dates_AreUtcCalendarDates()
    {
        // 23:30 at -05:00 is already the next day in UTC.
        var e = Event("""{"eventName":"learning_pathway_enrolled","pathway_slug":"p","payload":{"ts":"2026-11-20T23:30:00-05:00"}}""");
        var learner = Applied(LearnerProgress.New, e);
        var properties = ContactProgress.Build(learner, TestCatalog, new DateTimeOffset(2026, 11, 27, 23, 0, 0, TimeSpan.FromHours(-3)));
        Assert.Equal("2026-11-21", properties.Properties[P.LastActivity]);
        Assert.Equal("2026-11-28", properties.Properties[P.ProgressUpdatedAt]);
    }

    [Fact]
    public void Build_PageView_WritesTheThreeLastViewedProperties()
    {
        var properties = Properties(ApplyAll(PageView("module", "a1", -2)));
        Assert.Equal("module", properties[P.LastViewedType]);
        Assert.Equal("a1", properties[P.LastViewedSlug]);
        Assert.Equal(Ts(-2), properties[P.LastViewedAt]);
    }

    [Fact]
    public void Read_StoredValues_AsHubSpotReturnsThem()
    {
        var read = ContactProgress.Read(new Dictionary<string, string?>
        {
            [P.ProgressState] = """{"courses":{"course-a":{"enrolled":true}}}""",
            [P.LastActivity] = "2026-11-01",
            [P.LastViewedType] = "course",
            [P.LastViewedSlug] = "course-a",
            [P.LastViewedAt] = "1793000000000",
            [P.TotalProgress] = null,
        });
        Assert.True(read.IsOk);
        Assert.Equal(new DateOnly(2026, 11, 1), read.Value.LastActivity);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_793_000_000_000), read.Value.LastViewed!.At.Value);
    }

    [Fact]
    public void Read_CorruptState_IsAResult()
    {
        var read = ContactProgress.Read(new Dictionary<string, string?> { [P.ProgressState] = "{broken" });
        Assert.False(read.IsOk);
        Assert.StartsWith("not valid JSON", read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_StateOverTheHubSpotLimit_IsFlaggedTooLarge()
    {
        var events = Enumerable.Range(0, 700).Select(i => Completed(null, $"course-{i:D4}-{new string('x', 60)}", "m", -1)).ToArray();
        var update = ContactProgress.Build(ApplyAll(events), TestCatalog, Now);
        Assert.True(update.StateLength > 65_536);
        Assert.True(update.StateTooLarge);
    }

    [Fact]
    public void Build_OrdinaryState_IsNotTooLarge() =>
        Assert.False(ContactProgress.Build(ApplyAll(Completed(null, "course-a", "a1", -1)), TestCatalog, Now).StateTooLarge);

    [Fact]
    public void Schema_EveryWrittenProperty_IsDefinedWithAValidTypePair()
    {
        var names = ContactPropertySchema.All.Select(p => p.Name).ToHashSet();
        var learner = ApplyAll(Completed(null, "course-a", "a1", -1), PageView("course", "course-a", -1));
        Assert.All(Properties(learner).Keys, k => Assert.Contains(k, names));
        Assert.All(ContactPropertySchema.All, p => Assert.Contains((p.Type, p.FieldType), new[] { ("string", "textarea"), ("string", "text"), ("date", "date"), ("datetime", "date"), ("number", "number") }));
    }

    private static readonly string[] Slugs = ["course-a", "course-b", "course-c", "mystery"];
    private static readonly string[] ModuleSlugs = ["a1", "a2", "a3", "b1", "b2", "c1"];

    /// <summary>Module, enrolment and page-view events over the test catalog (and a course it does not know).</summary>
    private static readonly Gen<TrackEvent> GenEvent =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, Slugs.Length - 1], Gen.Int[0, ModuleSlugs.Length - 1], Gen.Int[-30, -1], Gen.Bool)
            .Select(t => t.Item1 switch
            {
                0 => Completed(t.Item5 ? "path-x" : null, Slugs[t.Item2], ModuleSlugs[t.Item3], t.Item4),
                1 => Started(t.Item5 ? "path-x" : null, Slugs[t.Item2], ModuleSlugs[t.Item3], t.Item4),
                2 => Enrolled(EventNames.CourseEnrolled, t.Item5 ? "path-x" : null, Slugs[t.Item2], t.Item4),
                3 => Enrolled(EventNames.PathwayEnrolled, t.Item5 ? "path-x" : "path-flat", null, t.Item4),
                _ => PageView("module", ModuleSlugs[t.Item3], t.Item4),
            });

    [Fact]
    public void Build_ThenRead_ThenMoreEvents_EqualsApplyingEverythingInMemory() =>
        Gen.Select(GenEvent.Array[2, 30], Gen.Int[1, 29]).Sample((events, cut) =>
        {
            cut = Math.Min(cut, events.Length - 1);
            var written = Properties(ApplyAll(LearnerProgress.New, events[..cut]));
            var read = ContactProgress.Read(written.ToDictionary(kv => kv.Key, kv => (string?)kv.Value));
            Assert.True(read.IsOk, read.Error);
            Assert.Equal(Properties(ApplyAll(LearnerProgress.New, events)), Properties(ApplyAll(read.Value, events[cut..])));
        }, iter: 200);

    private static IReadOnlyDictionary<string, string> Properties(LearnerProgress learner) =>
        ContactProgress.Build(learner, TestCatalog, Now).Properties;
}
