// Each test runs the whole local stack (several processes). Three test classes run at once (most of a test is
// waiting: for a window, an outage, the sweeper, the queue's retries), and each of the long tests (an outage, poison,
// faults) has a class of its own so that they overlap; the load test (LoadTests: 16 clients flat out) runs alone
// afterwards, so its numbers are not another stack's.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, MaxParallelThreads = 3)]

namespace HhLearn.EndToEnd.Tests;

/// <summary>The tests that load the stack: run one at a time, with no other stack beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "alone";
}
