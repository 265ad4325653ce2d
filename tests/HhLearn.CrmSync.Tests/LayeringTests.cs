namespace HhLearn.CrmSync.Tests;

/// <summary>
/// The application (CrmSync) meets the store through its ports only: it references HhLearn.Store.Abstractions (the
/// interfaces and the types they speak), never the DynamoDB store or the AWS SDK, so that an in-memory store can stand
/// in for it and a second store could be written without touching the projector.
/// </summary>
public class LayeringTests
{
    private static List<string?> ReferencedBy(Type type) => type.Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

    [Fact]
    public void CrmSync_KnowsTheStoreOnlyThroughItsPorts()
    {
        var referenced = ReferencedBy(typeof(Projector));
        Assert.Contains("HhLearn.Store.Abstractions", referenced);
        Assert.DoesNotContain("HhLearn.Store", referenced);
        Assert.DoesNotContain(referenced, name => name?.StartsWith("AWSSDK", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void ThePorts_DependOnTheDomainOnly()
    {
        var referenced = ReferencedBy(typeof(Store.IProgressRepository)).Where(name => name?.StartsWith("HhLearn.", StringComparison.Ordinal) == true || name?.StartsWith("AWSSDK", StringComparison.Ordinal) == true);
        Assert.Equal(["HhLearn.Progress"], referenced);
    }

    [Fact]
    public void TheDynamoDbStore_ImplementsEveryPort()
    {
        var implemented = typeof(Store.IProgressRepository).Assembly.GetExportedTypes().Where(t => t.IsInterface).ToList();
        Assert.Equal(["ILearnerRepository", "IProgressRepository", "IProjectionLedger", "IProjectionStore", "IProjectionWindowStore", "IRecordCombiner", "IUpstreamRecords"], implemented.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(implemented, port => Assert.True(port.IsAssignableFrom(typeof(Store.ProgressStore)), port.Name));
        Assert.All(implemented, port => Assert.True(port.IsAssignableFrom(typeof(TestSupport.Fakes.InMemoryProgressStore)), port.Name));
    }
}
