using HhLearn.Cli.Commands;

var root = new RootCommand("hhlearn: run, test and operate the HhLearn progress sync service")
{
    ApplyCommand.Create(TimeProvider.System),
    EmulatorCommand.Create(),
    ProvisionCommand.Create(),
    LocalCommand.Create(),
    BenchCommand.Create(),
    PublishCommand.Create(),
    HhLearn.Cli.Operate.ImportCommand.Create(),
    HhLearn.Cli.Operate.ReprojectCommand.Create(),
    HhLearn.Cli.Operate.RecomputeCommand.Create(),
    HhLearn.Cli.Operate.PrivacyCommands.Suppress(),
    HhLearn.Cli.Operate.PrivacyCommands.Forget(),
    HhLearn.Cli.Operate.PrivacyCommands.Export(),
    HhLearn.Cli.Doctor.DoctorCommand.Create(),
    HhLearn.Cli.Verify.VerifyCommand.Create(),
};

try
{
    // Our own handler below: an operator gets one line saying what went wrong, never a stack trace.
    var parse = root.Parse(args);
    if (parse.Errors.Count > 0)
    {
        // One line that says what is wrong and where to look, not the whole help.
        Console.Error.WriteLine(HhLearn.Cli.ArgumentErrors.Describe(parse));
        return 1;
    }

    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException)
{
    return 130;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"hhlearn: {ex.GetType().Name}: {ex.Message}");
    Console.Error.WriteLine("hhlearn: this is a bug in hhlearn; please report it with the command you ran (HHLEARN_DEBUG=1 prints the stack trace)");
    if (Environment.GetEnvironmentVariable("HHLEARN_DEBUG") is "1")
    {
        Console.Error.WriteLine(ex);
    }

    return 70;
}
