// Each test runs the whole local stack (several processes). Two test classes run at once (most of a test is waiting:
// for a window, an outage, the sweeper), which halves the suite's wall time on a 2-core machine; the load
// test (LoadTests: 16 clients flat out) runs alone afterwards, so its numbers are not another stack's.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, MaxParallelThreads = 2)]

namespace HhLearn.EndToEnd.Tests;

/// <summary>The tests that load the stack: run one at a time, with no other stack beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "alone";
}
