using System.Runtime.InteropServices;

namespace HhLearn.Cli;

/// <summary>
/// Turns Ctrl-C and SIGTERM into a cancellation, so that long-running commands stop cleanly (the emulator
/// saves its data file, child processes are stopped) instead of being killed mid-write.
/// </summary>
internal sealed class Shutdown : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration[] _registrations;

    public Shutdown(CancellationToken outer)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>Waits for Ctrl-C (or SIGTERM), then says so: what a long-running command does while it serves.</summary>
    public async Task UntilStoppedAsync()
    {
        Console.WriteLine("Press Ctrl-C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("Stopping.");
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cts.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _cts.Cancel();
    }
}
