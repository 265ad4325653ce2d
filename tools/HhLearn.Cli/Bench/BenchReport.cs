namespace HhLearn.Cli.Bench;

/// <summary>A table of the report: printed to the console and written to docs/benchmarks.md.</summary>
public sealed record BenchTable(string Title, string Paragraph, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>Collects tables; renders them as Spectre tables and as Markdown.</summary>
public sealed class BenchReport
{
    public List<BenchTable> Tables { get; } = [];

    public void Add(BenchTable table, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(console);
        Tables.Add(table);
        var rendered = new Table().Title(Markup.Escape(table.Title)).AddColumns(table.Columns.Select(c => new TableColumn(Markup.Escape(c))).ToArray());
        foreach (var row in table.Rows)
        {
            rendered.AddRow(row.Select(Markup.Escape).ToArray());
        }

        console.Write(rendered);
        console.WriteLine(table.Paragraph);
        console.WriteLine();
    }

    public string ToMarkdown(string heading, IEnumerable<(string Key, string Value)> facts)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# {heading}").AppendLine();
        text.AppendLine("Written by `hhlearn bench`; do not edit by hand.").AppendLine();
        text.AppendLine("| | |").AppendLine("| --- | --- |");
        foreach (var (key, value) in facts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {key} | {value} |");
        }

        foreach (var table in Tables)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {table.Title}").AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", table.Columns)} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", table.Columns.Select((_, i) => i == 0 ? "---" : "---:"))} |");
            foreach (var row in table.Rows)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal)))} |");
            }

            text.AppendLine().AppendLine(table.Paragraph);
        }

        return text.ToString();
    }

    public static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    public static string Num(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);
}
