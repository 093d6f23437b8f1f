using Sdn.Contracts;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>
/// The compiler's numbers live in etcd: a controller that becomes the leader compiles with the labels and port
/// numbers the one before it chose, not with those a compile from scratch would choose.
/// </summary>
public sealed class LeaderNumberingTests
{
    [Fact]
    public async Task A_new_leader_compiles_with_the_numbers_of_the_one_before()
    {
        using var etcd = await EtcdCluster.StartAsync();
        var first = await EtcdBackedController.StartAsync(etcd);
        CompiledFabric before;
        try
        {
            await UntilLeadingAsync(first);
            TopologyRun.Load("quickstart.yaml").LoadInto(first.Server.Model);
            // Deleting the first port by name leaves the others their numbers, which a compile from scratch renumbers.
            await first.Api.DeletePortAsync(new DeleteRequest { Name = "blue1" });
            before = await UntilCompiledAsync(first);
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await EtcdBackedController.StartAsync(etcd);
        await UntilLeadingAsync(second);
        var after = await UntilCompiledAsync(second);

        Assert.Equal(before.Numberings.Keys.Order(), after.Numberings.Keys.Order());
        Assert.All(before.Numberings, scope => Assert.True(scope.Value.SameAs(after.Numberings[scope.Key]), $"scope {scope.Key} was renumbered"));
        var scratch = FabricCompiler.Compile(second.Server.Model.Snapshot());
        Assert.Contains(scratch.Numberings, scope => !scope.Value.SameAs(after.Numberings[scope.Key]));
    }

    private static async Task UntilLeadingAsync(EtcdBackedController controller)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!controller.Leads)
        {
            Assert.True(DateTime.UtcNow < deadline, "the controller was not elected in 20 s");
            await Task.Delay(20);
        }
    }

    /// <summary>What the leader compiled once it numbers red1's port and no longer blue1's.</summary>
    private static async Task<CompiledFabric> UntilCompiledAsync(EtcdBackedController controller)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var compiled = controller.Server.Compiled;
            var numbered = compiled.Numberings.Values.SelectMany(n => n.Numbers.Keys).ToHashSet(StringComparer.Ordinal);
            if (numbered.Contains(CompiledFabric.VnicKey("red1")) && !numbered.Contains(CompiledFabric.VnicKey("blue1")))
            {
                return compiled;
            }

            Assert.True(DateTime.UtcNow < deadline, "the leader did not compile the deletion of blue1 in 20 s");
            await Task.Delay(20);
        }
    }
}
