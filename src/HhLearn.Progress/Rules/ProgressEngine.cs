namespace HhLearn.Progress.Rules;

/// <summary>
/// Applies one validated event to a learner (docs/architecture.md section 3, "Apply rules"). Pure: the server time
/// and the catalog are parameters. Every merge keeps the earliest start and enrolment, a module's earliest
/// completion and aggregates from their parts, so the same events in any order give the same state, and
/// applying an event twice equals applying it once.
/// </summary>
public static class ProgressEngine
{
    /// <summary>The enrolment source of courses and pathways enrolled as a side effect of a module event.</summary>
    public const string ModuleEventSource = "module_event";

    /// <summary>
    /// The fold: applies a learner's events in order, each to the result of the ones before; an event the rules refuse
    /// is skipped and named by its position, as are the warnings. Every replay of events (the CLI's apply, the bench's
    /// oracle, the tests) goes through here.
    /// </summary>
    public static FoldResult ApplyAll(LearnerProgress learner, IEnumerable<TrackEvent> events, LearningCatalog catalog, DateTimeOffset serverNow)
    {
        ArgumentNullException.ThrowIfNull(events);
        var rejected = new List<(int Index, ValidationError Error)>();
        var warnings = new List<(int Index, ApplyWarning Warning)>();
        var index = 0;
        foreach (var e in events)
        {
            var result = Apply(learner, e, catalog, serverNow);
            if (result.IsApplied)
            {
                learner = result.Learner;
                warnings.AddRange(result.Warnings.Select(w => (index, w)));
            }
            else
            {
                rejected.Add((index, result.Rejection));
            }

            index++;
        }

        return new FoldResult(learner, rejected, warnings);
    }

    public static ApplyResult Apply(LearnerProgress learner, TrackEvent trackEvent, LearningCatalog catalog, DateTimeOffset serverNow)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentNullException.ThrowIfNull(trackEvent);
        ArgumentNullException.ThrowIfNull(catalog);

        var time = trackEvent.TimeAt(serverNow);
        var at = Stamp.From(time);
        var e = trackEvent;
        var state = learner.State;
        var lastViewed = learner.LastViewed;

        switch (e.Kind)
        {
            case EventKind.ModuleStarted or EventKind.ModuleCompleted:
                state = ApplyModule(state, e.PathwaySlug, e.CourseSlug, e.ModuleSlug!, at, e.Kind == EventKind.ModuleCompleted);
                break;
            case EventKind.PathwayEnrolled:
                state = UpdatePathway(state, e.PathwaySlug!, p => Enroll(p, at, e.EnrollmentSource));
                break;
            case EventKind.CourseEnrolled:
                state = UpdateCourse(state, e.PathwaySlug, e.CourseSlug!, at, e.EnrollmentSource, c => Enroll(c, at, e.EnrollmentSource));
                break;
            case EventKind.PageViewed:
                lastViewed = PageView.Latest(lastViewed, new PageView(e.ContentType!, e.PageSlug!, at));
                break;
        }

        state = Aggregates.Recompute(state, catalog);

        var warnings = new List<ApplyWarning>();
        if (e.ClaimedTimeIgnored(serverNow))
        {
            warnings.Add(new ApplyWarning(
                WarningCodes.EventTimeIgnored,
                $"payload.ts {Stamp.Format(e.ClaimedTime!.Value)} is before {Stamp.Format(Limits.EarliestEventTime)} or more than {Limits.MaxClockSkew.TotalMinutes:0} minutes ahead; the server time was used"));
        }

        if (e.Kind is EventKind.CourseCompleted or EventKind.PathwayCompleted)
        {
            var rejection = e.Kind == EventKind.CourseCompleted
                ? CheckCourseCompleted(state, e, time, catalog, warnings)
                : CheckPathwayCompleted(state, e, time, catalog, warnings);
            if (rejection is not null)
            {
                return ApplyResult.Rejected(rejection, time);
            }
        }

        var date = DateOnly.FromDateTime(time.UtcDateTime);
        var updated = learner with
        {
            State = state,
            LastViewed = lastViewed,
            LastActivity = learner.LastActivity is { } last && last > date ? last : date,
        };
        return ApplyResult.Applied(updated, warnings, time);
    }

    private static ProgressState ApplyModule(ProgressState state, string? pathway, string? course, string module, Stamp at, bool completed)
    {
        ModuleProgress Touch(ModuleProgress? m) => MarkModule(m ?? ModuleProgress.New, at, completed);

        if (pathway is not null && course is not null)
        {
            state = UpdatePathway(state, pathway, p => Enroll(p, at, ModuleEventSource));
            return UpdateCourse(state, pathway, course, at, ModuleEventSource, c =>
                Enroll(c, at, ModuleEventSource) with { Modules = SetModule(c.Modules, module, Touch) });
        }

        if (pathway is not null)
        {
            // Legacy flat model: pathway -> module.
            return UpdatePathway(state, pathway, p =>
                Enroll(p, at, ModuleEventSource) with { Modules = SetModule(p.Modules, module, Touch) });
        }

        return UpdateCourse(state, null, course!, at, ModuleEventSource, c =>
            Enroll(c, at, ModuleEventSource) with { Modules = SetModule(c.Modules, module, Touch) });
    }

    private static ModuleProgress MarkModule(ModuleProgress module, Stamp at, bool completed)
    {
        // A completion implies the module was started, no later than it was completed.
        var result = module with { Started = true, StartedAt = Stamp.Earliest(module.StartedAt, at) };
        return completed ? result with { Completed = true, CompletedAt = Stamp.Earliest(module.CompletedAt, at) } : result;
    }

    private static ImmutableSortedDictionary<string, ModuleProgress> SetModule(
        ImmutableSortedDictionary<string, ModuleProgress>? modules, string slug, Func<ModuleProgress?, ModuleProgress> update)
    {
        var map = modules ?? ProgressState.NewMap<ModuleProgress>();
        return map.SetItem(slug, update(map.TryGetValue(slug, out var m) ? m : null));
    }

    private static ProgressState UpdatePathway(ProgressState state, string slug, Func<PathwayProgress, PathwayProgress> update) =>
        state with { Pathways = state.Pathways.SetItem(slug, update(state.Pathway(slug) ?? PathwayProgress.New)) };

    /// <summary>A course inside <paramref name="pathway"/> (which becomes enrolled too), or standalone when it is null.</summary>
    private static ProgressState UpdateCourse(
        ProgressState state, string? pathway, string course, Stamp at, string? source, Func<CourseProgress, CourseProgress> update)
    {
        if (pathway is null)
        {
            var courses = state.Courses ?? ProgressState.NewMap<CourseProgress>();
            var current = courses.TryGetValue(course, out var c) ? c : CourseProgress.New;
            return state with { Courses = courses.SetItem(course, update(current)) };
        }

        return UpdatePathway(state, pathway, p =>
        {
            var enrolled = Enroll(p, at, source);
            var courses = enrolled.Courses ?? ProgressState.NewMap<CourseProgress>();
            var current = courses.TryGetValue(course, out var c) ? c : CourseProgress.New;
            return enrolled with { Courses = courses.SetItem(course, update(current)) };
        });
    }

    private static PathwayProgress Enroll(PathwayProgress p, Stamp at, string? source)
    {
        var (enrolledAt, chosenSource, changed) = EarliestEnrollment(p.Enrolled, p.EnrolledAt, p.EnrollmentSource, at, source);
        return changed ? p with { Enrolled = true, EnrolledAt = enrolledAt, EnrollmentSource = chosenSource } : p;
    }

    private static CourseProgress Enroll(CourseProgress c, Stamp at, string? source)
    {
        var (enrolledAt, chosenSource, changed) = EarliestEnrollment(c.Enrolled, c.EnrolledAt, c.EnrollmentSource, at, source);
        return changed ? c with { Enrolled = true, EnrolledAt = enrolledAt, EnrollmentSource = chosenSource } : c;
    }

    /// <summary>
    /// The earliest enrolment wins, with its source. An enrolment with no parseable time is replaced by one
    /// with a time (its source goes with it, otherwise the order of events would decide). Equal times are
    /// ordered by source (a named source before none) so that the result never depends on order.
    /// </summary>
    private static (Stamp At, string? Source, bool Changed) EarliestEnrollment(
        bool? enrolled, Stamp? currentAt, string? currentSource, Stamp at, string? source)
    {
        if (enrolled != true || currentAt is not { Value: not null } existing)
        {
            return (at, source, true);
        }

        var cmp = Stamp.Compare(at, existing);
        if (cmp == 0)
        {
            cmp = CompareSources(source, currentSource);
        }

        return cmp < 0 ? (at, source, true) : (existing, currentSource, false);
    }

    private static int CompareSources(string? a, string? b) =>
        a is null ? (b is null ? 0 : 1) : b is null ? -1 : string.CompareOrdinal(a, b);

    private static ValidationError? CheckCourseCompleted(
        ProgressState state, TrackEvent e, DateTimeOffset time, LearningCatalog catalog, List<ApplyWarning> warnings)
    {
        var slug = e.CourseSlug!;
        if (catalog.CourseModules(slug) is not { } required)
        {
            return Reject($"Course '{slug}' is not in the catalog, so its completion cannot be confirmed", $"course_slug: '{slug}' is not in the catalog");
        }

        var modules = FindCourseModules(state, e.PathwaySlug, slug);
        var (done, latest) = Completion.CountModules(required, modules);
        if (done < required.Length)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"{done}/{required.Length} modules completed");
            return Reject($"Course '{slug}' is not complete: {reason}", $"course_slug: {reason}");
        }

        CheckClaim(e, time, latest, $"course '{slug}'", warnings);
        return null;
    }

    private static ValidationError? CheckPathwayCompleted(
        ProgressState state, TrackEvent e, DateTimeOffset time, LearningCatalog catalog, List<ApplyWarning> warnings)
    {
        var slug = e.PathwaySlug!;
        if (catalog.PathwayCourses(slug) is not { } required)
        {
            return Reject($"Pathway '{slug}' is not in the catalog, so its completion cannot be confirmed", $"pathway_slug: '{slug}' is not in the catalog");
        }

        var pathway = state.Pathway(slug) ?? PathwayProgress.New;
        var (done, latest) = Completion.CountCourses(pathway, required, catalog);
        if (done < required.Length)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"{done}/{required.Length} courses completed");
            return Reject($"Pathway '{slug}' is not complete: {reason}", $"pathway_slug: {reason}");
        }

        CheckClaim(e, time, latest, $"pathway '{slug}'", warnings);
        return null;
    }

    /// <summary>The modules of a course: inside the named pathway (flat modules for a legacy pathway), else standalone, else in any pathway.</summary>
    private static ImmutableSortedDictionary<string, ModuleProgress>? FindCourseModules(ProgressState state, string? pathway, string course)
    {
        if (pathway is not null)
        {
            var p = state.Pathway(pathway);
            return p?.Course(course)?.Modules ?? p?.Modules;
        }

        if (state.StandaloneCourse(course) is { } standalone)
        {
            return standalone.Modules;
        }

        foreach (var p in state.Pathways.Values)
        {
            if (p.Course(course) is { } inPathway)
            {
                return inPathway.Modules;
            }
        }

        return null;
    }

    /// <summary>A claimed completion time more than 5 minutes from the inferred one is reported, not rejected (exactly 5 passes).</summary>
    private static void CheckClaim(TrackEvent e, DateTimeOffset time, Stamp? inferred, string what, List<ApplyWarning> warnings)
    {
        var claimed = e.ClaimedCompletedAt ?? time;
        if (inferred?.Value is { } inferredAt && (claimed - inferredAt).Duration() > Limits.CompletionMismatchTolerance)
        {
            warnings.Add(new ApplyWarning(
                WarningCodes.CompletedAtMismatch,
                $"{what}: claimed completed_at {Stamp.Format(claimed)} differs from inferred {inferred.Value.Text}"));
        }
    }

    private static ValidationError Reject(string message, string detail) =>
        ValidationError.Of(ErrorCodes.InvalidEventData, message, detail);
}
