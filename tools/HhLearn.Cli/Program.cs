using System.CommandLine;
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
};

return await root.Parse(args).InvokeAsync();
