namespace HhLearn.Cli.Doctor;

public enum CheckResult
{
    Pass,
    Fail,

    /// <summary>Not checked (nothing to check it with); never makes the run fail.</summary>
    Skip,
}

/// <summary>One line of a report: what was checked, how it went, what was found and, when it failed, what to do.</summary>
public sealed record Check(string Name, CheckResult Result, string Detail, string? Todo = null, TimeSpan? Took = null);

/// <summary>The checks of a <c>doctor</c> or <c>verify</c> run, printed as one table; the run passes when none failed.</summary>
public sealed class CheckReport
{
    private readonly List<Check> _checks = [];

    public IReadOnlyList<Check> Checks => _checks;

    public bool Passed => _checks.All(c => c.Result != CheckResult.Fail);

    public Check Add(Check check)
    {
        ArgumentNullException.ThrowIfNull(check);
        _checks.Add(check);
        return check;
    }

    public Check Pass(string name, string detail, TimeSpan? took = null) => Add(new Check(name, CheckResult.Pass, detail, null, took));

    public Check Fail(string name, string detail, string todo, TimeSpan? took = null) => Add(new Check(name, CheckResult.Fail, detail, todo, took));

    public Check Skip(string name, string detail) => Add(new Check(name, CheckResult.Skip, detail));

    /// <summary>The table, then one closing line: all passed, or which failed.</summary>
    public void Write(IAnsiConsole console, string title, bool withTimes = false)
    {
        ArgumentNullException.ThrowIfNull(console);
        var table = new Table().Title(Markup.Escape(title)).AddColumn("check").AddColumn("result");
        if (withTimes)
        {
            table.AddColumn(new TableColumn("time").RightAligned());
        }

        table.AddColumn("found / what to do");
        foreach (var check in _checks)
        {
            var result = check.Result switch { CheckResult.Pass => "[green]pass[/]", CheckResult.Fail => "[red]FAIL[/]", _ => "[grey]skipped[/]" };
            var detail = Markup.Escape(check.Todo is null ? check.Detail : $"{check.Detail}: {check.Todo}");
            var cells = new List<string> { Markup.Escape(check.Name), result };
            if (withTimes)
            {
                cells.Add(check.Took is { } took ? $"{took.TotalSeconds:0.0} s" : string.Empty);
            }

            cells.Add(detail);
            table.AddRow([.. cells]);
        }

        console.Write(table);
        var failed = _checks.Where(c => c.Result == CheckResult.Fail).ToList();
        console.WriteLine(failed.Count == 0
            ? $"all {_checks.Count(c => c.Result == CheckResult.Pass)} checks passed" + (_checks.Any(c => c.Result == CheckResult.Skip) ? $" ({_checks.Count(c => c.Result == CheckResult.Skip)} skipped)" : string.Empty)
            : $"{failed.Count} of {_checks.Count} checks failed: {string.Join("; ", failed.Select(f => $"{f.Name}: {f.Todo}"))}");
    }
}
