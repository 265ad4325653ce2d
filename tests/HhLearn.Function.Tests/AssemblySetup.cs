using System.Runtime.CompilerServices;

namespace HhLearn.Function.Tests;

internal static class AssemblySetup
{
    /// <summary>
    /// Log hashes are keyed process-wide by the first store-mode function that starts; every fixture here uses the same
    /// test key, set before any test runs, so that a line written by a direct-mode function compares with
    /// <c>EmailHash.Of</c> whatever the order the tests run in.
    /// </summary>
    [ModuleInitializer]
    internal static void UseTheTestHashKey() => EmailHash.UseKey(TestSupport.TestHashKey.Key);
}
