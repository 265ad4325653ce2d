using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using HhLearn.CrmSync.Contacts;

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
        Assert.Equal(["ILearnerRepository", "ILegacyImports", "IProgressRepository", "IProjectionLedger", "IProjectionStore", "IProjectionWindowStore", "IRecordCombiner", "IUpstreamRecords"], implemented.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(implemented, port => Assert.True(port.IsAssignableFrom(typeof(Store.ProgressStore)), port.Name));
        Assert.All(implemented, port => Assert.True(port.IsAssignableFrom(typeof(TestSupport.Fakes.InMemoryProgressStore)), port.Name));
    }

    /// <summary>Every string literal compiled into an assembly (its user-string heap).</summary>
    private static List<string> Literals(Type inAssembly)
    {
        using var stream = File.OpenRead(inAssembly.Assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var literals = new List<string>();
        var handle = MetadataTokens.UserStringHandle(1);
        while (!handle.IsNil)
        {
            literals.Add(metadata.GetUserString(handle));
            handle = metadata.GetNextHandle(handle);
        }

        return literals;
    }

    [Fact]
    public void TheDomainAndThePorts_SpeakNoHubSpot()
    {
        // HubSpot's property names and the contact mapping live in CrmSync (Contacts/); the domain's figures and its
        // encoding of a learner (LearnerFields) carry no CRM name, and neither do the ports.
        foreach (var assembly in new[] { typeof(LearnerProgress), typeof(Store.IProgressRepository) })
        {
            var literals = Literals(assembly);
            Assert.NotEmpty(literals);
            Assert.DoesNotContain(literals, l => l.Contains("hhl_", StringComparison.Ordinal) || l.Contains("hs_", StringComparison.Ordinal));
            Assert.DoesNotContain(assembly.Assembly.GetExportedTypes(), t => t.Namespace?.EndsWith(".Contact", StringComparison.Ordinal) == true);
        }

        Assert.Equal("HhLearn.CrmSync.Contacts", typeof(ContactPropertyNames).Namespace);
        Assert.Equal(typeof(Projector).Assembly, typeof(ContactPropertyNames).Assembly);
    }
}
