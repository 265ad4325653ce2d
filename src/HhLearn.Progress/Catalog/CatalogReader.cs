namespace HhLearn.Progress.Catalog;

public enum CatalogKind
{
    Course,
    Pathway,
}

/// <summary>One catalog file's text; the caller does the file I/O.</summary>
public sealed record CatalogSource(CatalogKind Kind, string Name, string Text);

/// <summary>A file that was skipped, and why.</summary>
public sealed record CatalogProblem(string Name, string Problem);

public sealed record CatalogReadResult(LearningCatalog Catalog, IReadOnlyList<CatalogProblem> Problems);

/// <summary>
/// Parses <c>courses/*.json</c> (<c>{"slug","modules":[...]}</c>) and <c>pathways/*.json</c>
/// (<c>{"slug","courses":[...]}</c>). A bad file is reported and skipped, never fatal: one typo
/// in the catalog must not take the service down.
/// </summary>
public static class CatalogReader
{
    public static CatalogReadResult Read(IEnumerable<CatalogSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var courses = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        var pathways = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        var problems = new List<CatalogProblem>();

        foreach (var source in sources.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var listKey = source.Kind == CatalogKind.Course ? "modules" : "courses";
            var target = source.Kind == CatalogKind.Course ? courses : pathways;
            (string? Slug, ImmutableArray<string> Items, string? Problem) parsed;
            try
            {
                parsed = Parse(source.Text, listKey);
            }
            catch (InvalidOperationException)
            {
                parsed = (null, default, "contains an escaped unpaired surrogate");
            }

            if (parsed.Problem is not null)
            {
                problems.Add(new CatalogProblem(source.Name, parsed.Problem));
            }
            else if (target.ContainsKey(parsed.Slug!))
            {
                problems.Add(new CatalogProblem(source.Name, $"slug '{parsed.Slug}' is already defined by another file"));
            }
            else
            {
                target[parsed.Slug!] = parsed.Items;
            }
        }

        return new CatalogReadResult(new LearningCatalog(courses, pathways), problems);
    }

    private static (string? Slug, ImmutableArray<string> Items, string? Problem) Parse(string text, string listKey)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return (null, default, $"not valid JSON: {ex.Message.Split('\n')[0]}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, default, "not a JSON object");
            }

            if (!root.TryGetProperty("slug", out var slugElement) || slugElement.ValueKind != JsonValueKind.String)
            {
                return (null, default, "slug: required string");
            }

            var slug = slugElement.GetString()!;
            if (Slugs.Problem(slug) is { } slugProblem)
            {
                return (null, default, $"slug: {slugProblem}");
            }

            if (!root.TryGetProperty(listKey, out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return (null, default, $"{listKey}: required array");
            }

            var items = new List<string>();
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    return (null, default, $"{listKey}[{index}]: must be a string");
                }

                var value = item.GetString()!;
                if (Slugs.Problem(value) is { } itemProblem)
                {
                    return (null, default, $"{listKey}[{index}]: {itemProblem}");
                }

                if (!items.Contains(value, StringComparer.Ordinal))
                {
                    items.Add(value);
                }

                index++;
            }

            // An empty definition would make a course "complete" with nothing done.
            return items.Count == 0
                ? (null, default, $"{listKey}: must not be empty")
                : (slug, items.ToImmutableArray(), null);
        }
    }
}
