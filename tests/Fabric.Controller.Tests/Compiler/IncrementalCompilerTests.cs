using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Compiler;

public class IncrementalCompilerTests
{
    private const int Steps = 600;

    private static readonly int[] FixedSeeds = [1, 2, 3, 4, 5];

    /// <summary>Fixed seeds, so a failure can be replayed; and one from the clock, which a failure prints.</summary>
    public static TheoryData<int> Seeds => [.. FixedSeeds, Environment.TickCount];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void After_every_change_the_programs_equal_a_full_compile(int seed)
    {
        var model = new FabricModel(store: null);
        model.Create(ResourceKinds.CoreNodes, new CoreNode { Name = "c0" });
        foreach (var edge in new[] { "e0", "e1" })
        {
            model.Create(ResourceKinds.Edges, new EdgeNode { Name = edge });
            model.Create(ResourceKinds.Links, new Link { Name = $"l{edge[1]}", A = new LinkEndpoint { Node = edge }, B = new LinkEndpoint { Node = "c0" } });
        }

        RandomChanges.CreateExternal(model, "x0", "e0");
        RandomChanges.CreateExternal(model, "x1", "e1");

        // A tenant out through x1 from the start, so dual-stack networks and floating IPv6 addresses come early.
        model.Create(ResourceKinds.Tenants, new Tenant { Name = "t0", External = "x1" });
        var compiler = new IncrementalCompiler(model.Snapshot(), previous: null);
        using var changes = model.Watch(includeExisting: false);
        var random = new RandomChanges(model, seed);
        var batching = new Random(seed);
        var pending = new List<(EventType, IMessage)>();
        var applied = 0;
        var attachedTenants = 0;
        var floatingPorts = 0;
        var floatingIpv6Ports = 0;
        for (var step = 0; step < Steps; step++)
        {
            var what = random.Next();
            while (changes.Reader.TryRead(out var change))
            {
                pending.Add((change.Type, ModelObject.FromEvent(change).Message));
                applied++;
            }

            // Mostly one change a step, as the programmer sees them one by one; sometimes several, as a burst.
            if (pending.Count > 0 && batching.Next(4) > 0)
            {
                var before = compiler.Compiled;
                compiler.ApplyAll(pending);
                var state = model.Snapshot();
                AssertSameAsFullCompile(FabricCompiler.Compile(state, before), compiler.Compiled, $"seed {seed}, step {step} ({pending.Count} changes): {what}");
                attachedTenants += state.Tenants.Count(t => t.External.Length > 0);
                floatingPorts += state.Ports.Count(p => p.FloatingIpv4.Length > 0);
                floatingIpv6Ports += state.Ports.Count(p => p.FloatingIpv6.Length > 0);
                pending.Clear();
            }
        }

        Assert.True(applied > Steps / 8, $"seed {seed}: only {applied} of {Steps} random changes were accepted");
        // A seed from the clock may by chance never attach one; the fixed seeds show the changes reach them.
        Assert.True(attachedTenants > 0 || !FixedSeeds.Contains(seed), $"seed {seed}: no tenant was ever attached to an external network");
        Assert.True(floatingPorts > 0 || !FixedSeeds.Contains(seed), $"seed {seed}: no port ever held a floating IP");
        Assert.True(floatingIpv6Ports > 0 || !FixedSeeds.Contains(seed), $"seed {seed}: no port ever held a floating IPv6");
    }

    [Fact]
    public void A_port_add_changes_only_the_edges_hosting_its_tenant()
    {
        var model = new FabricModel(store: null);
        model.Create(ResourceKinds.CoreNodes, new CoreNode { Name = "c0" });
        foreach (var edge in new[] { "e0", "e1", "e2" })
        {
            model.Create(ResourceKinds.Edges, new EdgeNode { Name = edge });
            model.Create(ResourceKinds.Links, new Link { Name = $"{edge}-c0", A = new LinkEndpoint { Node = edge }, B = new LinkEndpoint { Node = "c0" } });
        }

        foreach (var tenant in new[] { "a", "b" })
        {
            model.Create(ResourceKinds.Tenants, new Tenant { Name = tenant });
            model.Create(ResourceKinds.Networks, new Network { Name = tenant + "-net", Tenant = tenant, Ipv4Subnet = tenant == "a" ? "10.1.0.0/24" : "10.2.0.0/24" });
        }

        model.Create(ResourceKinds.Ports, new Port { Name = "a1", Network = "a-net", Edge = "e0" });
        model.Create(ResourceKinds.Ports, new Port { Name = "b1", Network = "b-net", Edge = "e2" });
        var compiler = new IncrementalCompiler(model.Snapshot(), previous: null);
        var before = compiler.Compiled;

        var port = model.Create(ResourceKinds.Ports, new Port { Name = "a2", Network = "a-net", Edge = "e1" });
        var changed = compiler.Apply(EventType.Created, port);

        Assert.Equal(["e0", "e1"], changed.Order(StringComparer.Ordinal));
        Assert.Same(before.ProgramOf("e2"), compiler.Compiled.ProgramOf("e2"));
        Assert.Same(before.ProgramOf("c0"), compiler.Compiled.ProgramOf("c0"));
        var toE0 = NodeProgram.Diff(before.ProgramOf("e0"), compiler.Compiled.ProgramOf("e0"), 1, 2);
        Assert.Equal([ModOp.Add, ModOp.Add], toE0.FlowMods.Select(m => m.Op));
        Assert.All(toE0.FlowMods, m => Assert.True(m.Entry.TableId is EdgeTables.Neighbours or EdgeTables.Forward, m.Entry.ToString()));
        AssertSameAsFullCompile(FabricCompiler.Compile(model.Snapshot(), before), compiler.Compiled, "a2 added");
    }

    private static void AssertSameAsFullCompile(CompiledFabric full, CompiledFabric incremental, string context)
    {
        Assert.True(full.Edges.Keys.Order(StringComparer.Ordinal).SequenceEqual(incremental.Edges.Keys.Order(StringComparer.Ordinal)), $"{context}: edges differ");
        Assert.True(full.Cores.Keys.Order(StringComparer.Ordinal).SequenceEqual(incremental.Cores.Keys.Order(StringComparer.Ordinal)), $"{context}: core nodes differ");
        foreach (var node in full.Edges.Keys.Concat(full.Cores.Keys))
        {
            var difference = NodeProgram.Diff(incremental.ProgramOf(node), full.ProgramOf(node), 0, 1);
            Assert.True(NodeProgram.IsEmpty(difference), $"{context}: {node}'s program is not a full compile's; from incremental to full: {difference}");
        }

        foreach (var (scope, numbers) in full.Numberings)
        {
            Assert.True(incremental.Numberings.TryGetValue(scope, out var kept) && kept.SameAs(numbers), $"{context}: numbers of {scope} differ");
        }

        Assert.Equal(full.Numberings.Count, incremental.Numberings.Count);
    }
}
