namespace HhLearn.Cli.Commands;

/// <summary>Checks on option values, so that a bad value is a usage error naming the option, not a failure later on.</summary>
internal static class OptionRules
{
    /// <summary>The option's value must lie between <paramref name="min"/> and <paramref name="max"/> (both included).</summary>
    public static Option<int> InRange(this Option<int> option, int min, int max, string? meaning = null)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            int value;
            if (result.Tokens.Count == 0)
            {
                value = result.GetValueOrDefault<int>();
            }
            else if (!int.TryParse(result.Tokens[^1].Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out value))
            {
                // Not a number at all: that is the parser's error to report, once.
                return;
            }

            if (value < min || value > max)
            {
                result.AddError($"{option.Name} must be {meaning ?? $"from {min} to {max}"} (got {value})");
            }
        });
        return option;
    }

    /// <summary>A TCP port on 127.0.0.1; 0 takes a free one.</summary>
    public static Option<int> IsPort(this Option<int> option) => option.InRange(0, 65535, "a port from 1 to 65535 (0 for a free one)");
}
