using System.Collections.Frozen;

namespace HhLearn.Progress.Catalog;

/// <summary>
/// Course and pathway definitions. Completion is inferred only against these: a course is complete
/// when every module of its definition is, a pathway when every course of its definition is.
/// </summary>
public sealed class LearningCatalog
{
    public static readonly LearningCatalog Empty = new(
        new Dictionary<string, ImmutableArray<string>>(),
        new Dictionary<string, ImmutableArray<string>>());

    public LearningCatalog(
        IReadOnlyDictionary<string, ImmutableArray<string>> courses,
        IReadOnlyDictionary<string, ImmutableArray<string>> pathways)
    {
        ArgumentNullException.ThrowIfNull(courses);
        ArgumentNullException.ThrowIfNull(pathways);
        Courses = courses.ToFrozenDictionary(StringComparer.Ordinal);
        Pathways = pathways.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Course slug to its module slugs.</summary>
    public FrozenDictionary<string, ImmutableArray<string>> Courses { get; }

    /// <summary>Pathway slug to its course slugs.</summary>
    public FrozenDictionary<string, ImmutableArray<string>> Pathways { get; }

    public ImmutableArray<string>? CourseModules(string course) =>
        Courses.TryGetValue(course, out var modules) ? modules : null;

    public ImmutableArray<string>? PathwayCourses(string pathway) =>
        Pathways.TryGetValue(pathway, out var courses) ? courses : null;

    public static LearningCatalog Of(
        IEnumerable<(string Slug, string[] Modules)> courses,
        IEnumerable<(string Slug, string[] Courses)> pathways) =>
        new(
            courses.ToDictionary(c => c.Slug, c => c.Modules.ToImmutableArray(), StringComparer.Ordinal),
            pathways.ToDictionary(p => p.Slug, p => p.Courses.ToImmutableArray(), StringComparer.Ordinal));
}
