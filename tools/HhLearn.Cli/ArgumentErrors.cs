using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace HhLearn.Cli;

/// <summary>Argument mistakes as one line: <c>hhlearn COMMAND: what is wrong (see hhlearn COMMAND --help)</c>, in words, not .NET type names.</summary>
public static partial class ArgumentErrors
{
    [GeneratedRegex("Cannot parse argument '(?<value>[^']*)' for option '(?<option>[^']*)' as expected type '(?<type>[^']*)'\\.?")]
    private static partial Regex TypeError();

    public static string Describe(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = string.Join(' ', Commands(parse.CommandResult).Reverse());
        var message = parse.Errors[0].Message;
        var typed = TypeError().Match(message);
        if (typed.Success)
        {
            message = $"{typed.Groups["option"].Value} '{typed.Groups["value"].Value}' is not {Kind(typed.Groups["type"].Value)}";
        }

        return $"{command}: {message.TrimEnd('.')} (see {command} --help)";
    }

    private static string Kind(string type) => type switch
    {
        "System.Int32" or "System.Int64" or "System.Nullable`1[System.Int32]" => "a whole number",
        "System.Double" or "System.Decimal" or "System.Nullable`1[System.Double]" => "a number",
        "System.Boolean" => "true or false",
        "System.TimeSpan" => "a duration such as 5s",
        _ => "a valid value",
    };

    private static IEnumerable<string> Commands(CommandResult? result)
    {
        for (var current = result; current is not null; current = current.Parent as CommandResult)
        {
            yield return current.Command is RootCommand ? "hhlearn" : current.Command.Name;
        }
    }
}
