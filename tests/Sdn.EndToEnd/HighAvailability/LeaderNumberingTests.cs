using Sdn.Contracts;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>
/// The compiler's numbers live in etcd: a controller that becomes the leader compiles with the labels and port
/// numbers the one before it chose, not with those a compile from scratch would choose.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class LeaderNumberingTests
{
    [Fact]
    public async Task A_new_leader_compiles_with_the_numbers_of_the_one_before()
    {
        using var etcd = await EtcdCluster.StartAsync();
        var first = await EtcdBackedController.StartAsync(etcd);
        CompiledFabric before;
        string kept;
        try
        {
            TopologyRun.Load("quickstart.yaml").LoadInto(first.Server.Model);
            var both = await UntilCompiledAsync(first, ["red1", "blue1"], []);
            // Deleting e1's lower-numbered port leaves the other its number, which a compile from scratch would lower.
            var ports = both.Numberings[CompiledFabric.PortScope("e1")];
            var (gone, stays) = ports[CompiledFabric.VnicKey("red1")] < ports[CompiledFabric.VnicKey("blue1")] ? ("red1", "blue1") : ("blue1", "red1");
            await first.Api.DeletePortAsync(new DeleteRequest { Name = gone });
            before = await UntilCompiledAsync(first, [stays], [gone]);
            kept = stays;
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await EtcdBackedController.StartAsync(etcd);
        var after = await UntilCompiledAsync(second, [kept], []);

        Assert.Equal(before.Numberings.Keys.Order(), after.Numberings.Keys.Order());
        Assert.All(before.Numberings, scope => Assert.True(scope.Value.SameAs(after.Numberings[scope.Key]), $"scope {scope.Key} was renumbered"));
        var scratch = FabricCompiler.Compile(second.Server.Model.Snapshot());
        Assert.NotEqual(scratch.Numberings[CompiledFabric.PortScope("e1")][CompiledFabric.VnicKey(kept)], after.Numberings[CompiledFabric.PortScope("e1")][CompiledFabric.VnicKey(kept)]);
    }

    /// <summary>What the controller compiled, leading at the time, once it numbers the <paramref name="present"/> ports and none of the <paramref name="absent"/>.</summary>
    /// <remarks>On a loaded machine a leader may miss a renewal of its 1 s lease and step down for a moment; it campaigns again.</remarks>
    private static async Task<CompiledFabric> UntilCompiledAsync(EtcdBackedController controller, string[] present, string[] absent)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var compiled = controller.Leads ? controller.Compiled : null;
            var numbered = compiled?.Numberings.Values.SelectMany(n => n.Numbers.Keys).ToHashSet(StringComparer.Ordinal) ?? [];
            if (compiled is not null && present.All(p => numbered.Contains(CompiledFabric.VnicKey(p))) && !absent.Any(p => numbered.Contains(CompiledFabric.VnicKey(p))))
            {
                return compiled;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the controller did not lead and compile ports {string.Join(", ", present)} without {string.Join(", ", absent)} in 30 s");
            await Task.Delay(20);
        }
    }
}
