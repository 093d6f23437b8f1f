using System.Reflection;

namespace Sdn.Repository.Tests;

/// <summary>References point one way, from the executable down to what every node shares (docs/architecture.md).</summary>
public class LayeringTests
{
    /// <summary>What each production project may reference, as docs/architecture.md's table of projects says.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Sdn.Common"] = [],
        ["Sdn.Contracts"] = ["Sdn.Common"],
        ["Vmm"] = ["Sdn.Common"],
        ["Fabric.Core"] = ["Sdn.Common", "Sdn.Contracts"],
        ["Fabric.Edge"] = ["Sdn.Common", "Sdn.Contracts", "Fabric.Core"],
        ["Fabric.Controller"] = ["Sdn.Common", "Sdn.Contracts"],
        ["Sdn.Cli"] = ["Sdn.Common", "Sdn.Contracts", "Vmm", "Fabric.Core", "Fabric.Edge", "Fabric.Controller"],
    };

    private static readonly IReadOnlyList<ProjectFile> Production = ProjectFile.Production();

    [Fact]
    public void Every_production_project_is_in_the_layering_table()
    {
        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), Production.Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_production_project_references_only_what_its_layer_allows()
    {
        var wrong = Production
            .SelectMany(p => p.ProjectReferences().Where(r => !Allowed[p.Name].Contains(r)).Select(r => $"{p.Name} -> {r}"))
            .ToList();

        Assert.Empty(wrong);
    }

    [Theory]
    [InlineData("Vmm")]
    [InlineData("Fabric.Controller")]
    public void The_project_reference_closure_holds_no_edge_no_vmm_and_no_aspnet_core(string project)
    {
        var closure = Closure(project);
        var frameworks = closure.SelectMany(p => Production.Single(f => f.Name == p).Items("FrameworkReference"));
        var packages = closure.SelectMany(p => Production.Single(f => f.Name == p).Items("PackageReference"));

        Assert.DoesNotContain("Fabric.Edge", closure);
        Assert.True(project == "Vmm" || !closure.Contains("Vmm"), $"{project} reaches Vmm");
        Assert.DoesNotContain("Microsoft.AspNetCore.App", frameworks);
        Assert.DoesNotContain(packages, p => p.StartsWith("Grpc.AspNetCore", StringComparison.Ordinal) || p.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Vmm")]
    [InlineData("Fabric.Controller")]
    public void The_built_assembly_loads_no_aspnet_core_and_no_edge(string assemblyName)
    {
        var loaded = new SortedSet<string>(StringComparer.Ordinal);
        Visit(new AssemblyName(assemblyName));

        Assert.DoesNotContain(loaded, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain("Fabric.Edge", loaded);
        Assert.True(assemblyName == "Vmm" || !loaded.Contains("Vmm"), $"{assemblyName} references Vmm");

        void Visit(AssemblyName name)
        {
            if (!loaded.Add(name.Name!) || name.Name!.StartsWith("System", StringComparison.Ordinal))
            {
                return;
            }

            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies())
            {
                Visit(reference);
            }
        }
    }

    [Fact]
    public void Production_projects_grant_their_internals_to_test_projects_only()
    {
        var tests = ProjectFile.Tests().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var friends = Production
            .SelectMany(p => p.Items("InternalsVisibleTo").Where(f => !tests.Contains(f)).Select(f => $"{p.Name} -> {f}"))
            .ToList();

        Assert.Empty(friends);
    }

    [Fact]
    public void No_test_project_compiles_another_projects_source_files()
    {
        var linked = ProjectFile.Tests().SelectMany(p => p.Items("Compile").Select(c => $"{p.Name}: {c}")).ToList();

        Assert.Empty(linked);
    }

    private static HashSet<string> Closure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next))
            {
                foreach (var reference in Production.Single(p => p.Name == next).ProjectReferences())
                {
                    pending.Push(reference);
                }
            }
        }

        return seen;
    }
}
