namespace HhLearn.CrmSync;

/// <summary>Reads <c>courses/*.json</c> and <c>pathways/*.json</c> under a catalog directory (the file I/O the pure domain leaves out).</summary>
public static class CatalogFiles
{
    public static CatalogReadResult Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"catalog directory '{directory}' does not exist");
        }

        var sources = new List<CatalogSource>();
        var problems = new List<CatalogProblem>();
        foreach (var (kind, folder) in new[] { (CatalogKind.Course, "courses"), (CatalogKind.Pathway, "pathways") })
        {
            var path = Path.Combine(directory, folder);
            if (!Directory.Exists(path))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(path, "*.json").Order(StringComparer.Ordinal))
            {
                var name = Path.Combine(folder, Path.GetFileName(file));
                try
                {
                    sources.Add(new CatalogSource(kind, name, File.ReadAllText(file)));
                }
                catch (IOException ex)
                {
                    problems.Add(new CatalogProblem(name, $"cannot be read: {ex.Message}"));
                }
            }
        }

        var result = CatalogReader.Read(sources);
        return problems.Count == 0 ? result : result with { Problems = [.. problems, .. result.Problems] };
    }
}
