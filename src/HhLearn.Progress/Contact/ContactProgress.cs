using HhLearn.Progress.Rules;

namespace HhLearn.Progress.Contact;

/// <summary>The values to write onto the contact, and whether the state fits HubSpot's 65,536-character limit.</summary>
public sealed record ContactUpdate(IReadOnlyDictionary<string, string> Properties, int StateLength)
{
    public bool StateTooLarge => StateLength > Limits.MaxPropertyValueLength;
}

/// <summary>Maps between a HubSpot contact's property values (all strings) and <see cref="LearnerProgress"/>.</summary>
public static class ContactProgress
{
    private const string NoProgressYet = "No progress yet";
    private const string InProgress = "In progress";

    /// <summary>Reads stored values as HubSpot returns them. Corrupt state is a result, not an exception.</summary>
    public static Result<LearnerProgress, string> Read(IReadOnlyDictionary<string, string?> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var read = ProgressStateJson.Read(Get(properties, ContactPropertyNames.ProgressState));
        if (!read.IsOk)
        {
            return Result<LearnerProgress, string>.Fail(read.Error);
        }

        PageView? lastViewed = null;
        if (Get(properties, ContactPropertyNames.LastViewedType) is { Length: > 0 } type &&
            Get(properties, ContactPropertyNames.LastViewedSlug) is { Length: > 0 } slug &&
            Get(properties, ContactPropertyNames.LastViewedAt) is { Length: > 0 } at)
        {
            var parsed = Stamp.TryParseInstant(at);
            lastViewed = new PageView(type, slug, parsed is { } p ? Stamp.From(p) : new Stamp(at, null));
        }

        return Result<LearnerProgress, string>.Ok(new LearnerProgress
        {
            State = read.Value,
            StoredEnrolledCourses = SplitList(Get(properties, ContactPropertyNames.EnrolledCourses)),
            StoredCompletedCourses = SplitList(Get(properties, ContactPropertyNames.CompletedCourses)),
            StoredTotalProgress = Get(properties, ContactPropertyNames.TotalProgress) is { Length: > 0 } total ? total : null,
            LastActivity = ParseDate(Get(properties, ContactPropertyNames.LastActivity)),
            LastViewed = lastViewed,
        });
    }

    /// <summary>
    /// The learner's own values under their property names, nothing derived (no summary, no dates of writing):
    /// what a store keeps so that <see cref="Read"/> gives the same learner back.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Snapshot(LearnerProgress learner)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ContactPropertyNames.ProgressState] = ProgressStateJson.Write(learner.State),
        };
        if (!learner.StoredEnrolledCourses.IsEmpty)
        {
            values[ContactPropertyNames.EnrolledCourses] = JoinList(learner.StoredEnrolledCourses);
        }

        if (!learner.StoredCompletedCourses.IsEmpty)
        {
            values[ContactPropertyNames.CompletedCourses] = JoinList(learner.StoredCompletedCourses);
        }

        if (learner.StoredTotalProgress is { } total)
        {
            values[ContactPropertyNames.TotalProgress] = total;
        }

        AddActivity(values, learner);

        return values;
    }

    /// <summary>
    /// Every property of docs/architecture.md section 4 for <paramref name="learner"/>. <paramref name="writeTime"/> dates
    /// <c>hhl_progress_updated_at</c>. An empty state keeps the stored milestone values.
    /// </summary>
    public static ContactUpdate Build(LearnerProgress learner, LearningCatalog catalog, DateTimeOffset writeTime)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentNullException.ThrowIfNull(catalog);
        var state = learner.State;
        var stateJson = ProgressStateJson.Write(state);
        var properties = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ContactPropertyNames.ProgressState] = stateJson,
            [ContactPropertyNames.ProgressUpdatedAt] = FormatDate(DateOnly.FromDateTime(writeTime.UtcDateTime)),
            [ContactPropertyNames.ProgressSummary] = Summary(state, catalog),
        };

        var (enrolled, completed) = Milestones(state);
        var enrolledList = JoinList(learner.StoredEnrolledCourses.Union(enrolled));
        var completedList = JoinList(learner.StoredCompletedCourses.Union(completed));
        if (!state.IsEmpty || enrolledList.Length > 0)
        {
            properties[ContactPropertyNames.EnrolledCourses] = enrolledList;
        }

        if (!state.IsEmpty || completedList.Length > 0)
        {
            properties[ContactPropertyNames.CompletedCourses] = completedList;
        }

        if (!state.IsEmpty)
        {
            properties[ContactPropertyNames.TotalProgress] = CompletedModules(state).ToString(CultureInfo.InvariantCulture);
        }
        else if (learner.StoredTotalProgress is { } storedTotal)
        {
            properties[ContactPropertyNames.TotalProgress] = storedTotal;
        }

        AddActivity(properties, learner);

        return new ContactUpdate(properties, stateJson.Length);
    }

    /// <summary>
    /// <c>course: 2/3 modules</c> per standalone course, <c>pathway: 1/2 courses</c> per hierarchical pathway,
    /// <c>pathway: 1/1 modules</c> per legacy flat pathway, joined by <c>; </c>. Totals come from the catalog
    /// definition when there is one, else from what is recorded.
    /// </summary>
    public static string Summary(ProgressState state, LearningCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(catalog);
        if (state.IsEmpty)
        {
            return NoProgressYet;
        }

        var parts = new List<string>();
        if (state.Courses is not null)
        {
            foreach (var (slug, course) in state.Courses)
            {
                AddPart(parts, slug, CourseCounts(slug, course.Modules, catalog), "modules");
            }
        }

        foreach (var (slug, pathway) in state.Pathways)
        {
            var flat = pathway.Modules is { Count: > 0 } && pathway.Courses is not { Count: > 0 };
            if (flat)
            {
                AddPart(parts, slug, FlatCounts(slug, pathway, catalog), "modules");
            }
            else
            {
                AddPart(parts, slug, PathwayCounts(slug, pathway, catalog), "courses");
            }
        }

        if (parts.Count == 0)
        {
            return InProgress;
        }

        var summary = string.Join("; ", parts);
        return summary.Length <= Limits.MaxPropertyValueLength
            ? summary
            : string.Concat(summary.AsSpan(0, Limits.MaxPropertyValueLength - 3), "...");
    }

    /// <summary>Completed modules across hierarchical, flat and standalone progress.</summary>
    public static int CompletedModules(ProgressState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var count = 0;
        foreach (var pathway in state.Pathways.Values)
        {
            count += CountCompleted(pathway.Modules);
            if (pathway.Courses is not null)
            {
                foreach (var course in pathway.Courses.Values)
                {
                    count += CountCompleted(course.Modules);
                }
            }
        }

        if (state.Courses is not null)
        {
            foreach (var course in state.Courses.Values)
            {
                count += CountCompleted(course.Modules);
            }
        }

        return count;
    }

    /// <summary>Slugs of enrolled and of completed courses, in pathways and standalone.</summary>
    public static (ImmutableSortedSet<string> Enrolled, ImmutableSortedSet<string> Completed) Milestones(ProgressState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var enrolled = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        var completed = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);

        void Visit(ImmutableSortedDictionary<string, CourseProgress>? courses)
        {
            if (courses is null)
            {
                return;
            }

            foreach (var (slug, course) in courses)
            {
                if (course.IsEnrolled)
                {
                    enrolled.Add(slug);
                }

                if (course.IsCompleted)
                {
                    completed.Add(slug);
                }
            }
        }

        foreach (var pathway in state.Pathways.Values)
        {
            Visit(pathway.Courses);
        }

        Visit(state.Courses);
        return (enrolled.ToImmutable(), completed.ToImmutable());
    }

    /// <summary>The last activity and the last page viewed, when the learner has them.</summary>
    private static void AddActivity(SortedDictionary<string, string> values, LearnerProgress learner)
    {
        if (learner.LastActivity is { } last)
        {
            values[ContactPropertyNames.LastActivity] = FormatDate(last);
        }

        if (learner.LastViewed is { } view)
        {
            values[ContactPropertyNames.LastViewedType] = view.Type;
            values[ContactPropertyNames.LastViewedSlug] = view.Slug;
            values[ContactPropertyNames.LastViewedAt] = view.At.Text;
        }
    }

    public static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>HubSpot returns dates as <c>YYYY-MM-DD</c>, or epoch milliseconds at midnight UTC, or an ISO instant.</summary>
    public static DateOnly? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        return Stamp.TryParseInstant(text) is { } instant ? DateOnly.FromDateTime(instant.UtcDateTime) : null;
    }

    private static (int Done, int Total) CourseCounts(string slug, ImmutableSortedDictionary<string, ModuleProgress>? modules, LearningCatalog catalog)
    {
        if (catalog.CourseModules(slug) is { } required)
        {
            return (Completion.CountModules(required, modules).Done, required.Length);
        }

        return (CountCompleted(modules), modules?.Count ?? 0);
    }

    private static (int Done, int Total) FlatCounts(string slug, PathwayProgress pathway, LearningCatalog catalog)
    {
        if (catalog.PathwayCourses(slug) is { } courses)
        {
            var required = courses
                .SelectMany(c => catalog.CourseModules(c) ?? ImmutableArray<string>.Empty)
                .Distinct(StringComparer.Ordinal)
                .ToImmutableArray();
            if (required.Length > 0)
            {
                return (Completion.CountModules(required, pathway.Modules).Done, required.Length);
            }
        }

        return (CountCompleted(pathway.Modules), pathway.Modules?.Count ?? 0);
    }

    private static (int Done, int Total) PathwayCounts(string slug, PathwayProgress pathway, LearningCatalog catalog)
    {
        if (catalog.PathwayCourses(slug) is { } required)
        {
            return (Completion.CountCourses(pathway, required, catalog).Done, required.Length);
        }

        var courses = pathway.Courses;
        return (courses?.Values.Count(c => c.IsCompleted) ?? 0, courses?.Count ?? 0);
    }

    private static void AddPart(List<string> parts, string slug, (int Done, int Total) counts, string unit)
    {
        if (counts.Total > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{slug}: {counts.Done}/{counts.Total} {unit}"));
        }
    }

    private static int CountCompleted(ImmutableSortedDictionary<string, ModuleProgress>? modules)
    {
        if (modules is null)
        {
            return 0;
        }

        var count = 0;
        foreach (var module in modules.Values)
        {
            if (module.IsCompleted)
            {
                count++;
            }
        }

        return count;
    }

    private static string JoinList(IEnumerable<string> slugs) => string.Join(';', slugs);

    private static ImmutableSortedSet<string> SplitList(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? ImmutableSortedSet.Create<string>(StringComparer.Ordinal)
            : text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToImmutableSortedSet(StringComparer.Ordinal);

    private static string? Get(IReadOnlyDictionary<string, string?> properties, string name) =>
        properties.TryGetValue(name, out var value) ? value : null;
}
