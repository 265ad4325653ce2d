using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace HhLearn.Function.Tests;

/// <summary>
/// The function knows nothing of which CRM sits behind it: CrmSync composes the HubSpot client (CrmConnection), and
/// the function names no type of HhLearn.HubSpot at all: not its client, options, token provider or errors. The
/// sync layer turns HubSpot's errors into its own (unavailable, permanent), which the HTTP layer turns into answers.
/// </summary>
public class BoundaryTests
{
    private static IReadOnlyList<string> TypeReferences(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.TypeReferences.Select(handle => metadata.GetTypeReference(handle))
            .Select(t => $"{metadata.GetString(t.Namespace)}.{metadata.GetString(t.Name)}").ToList();
    }

    [Fact]
    public void TheFunction_NamesNoHubSpotTypeAtAll()
    {
        var references = TypeReferences(typeof(FunctionApp).Assembly.Location);
        Assert.Contains(references, r => r.StartsWith("HhLearn.CrmSync.", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("HhLearn.HubSpot.", StringComparison.Ordinal));
    }

    [Fact]
    public void TheFunction_ReferencesTheCrmOnlyThroughCrmSync()
    {
        var referenced = typeof(FunctionApp).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("HhLearn.CrmSync", referenced);
        Assert.DoesNotContain("HhLearn.HubSpot", referenced);
    }

    [Fact]
    public void TheHttpLayer_NamesNoHubSpotTypeAtAll()
    {
        // Types of the function's Http namespace must not use anything from HhLearn.HubSpot: only FunctionApp composes it.
        var http = typeof(FunctionApp).Assembly.GetTypes().Where(t => t.Namespace == "HhLearn.Function.Http").ToList();
        Assert.NotEmpty(http);
        foreach (var type in http)
        {
            var members = type.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly);
            var used = members.SelectMany(m => m switch
            {
                System.Reflection.FieldInfo f => [f.FieldType],
                System.Reflection.PropertyInfo p => [p.PropertyType],
                System.Reflection.MethodInfo mi => mi.GetParameters().Select(p => p.ParameterType).Append(mi.ReturnType),
                System.Reflection.ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
                _ => [],
            });
            Assert.DoesNotContain(used, t => t.Namespace?.StartsWith("HhLearn.HubSpot", StringComparison.Ordinal) == true);
        }
    }
}
