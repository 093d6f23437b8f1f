using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Hosting;
using Sdn.Vmm.Tests;

namespace Sdn.EndToEnd.Diagnostics;

/// <summary>
/// topologies/quickstart.yaml brought up once for a class's tests, with a probe on e1 that has pinged red2 on e2 three
/// times, so counters have moved. Without a usable /dev/kvm (and the KVM tests skipped) nothing starts.
/// </summary>
public sealed class QuickstartFabricFixture : IAsyncLifetime
{
    internal EmbeddedFabric Fabric { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (new KvmFactAttribute().Skip is not null)
        {
            return;
        }

        Fabric = await TopologyRun.StartAsync(TopologyRun.Load("quickstart.yaml").With(TopologyRun.Pinger("probe", "e1", "red/web", "10.1.0.50", target: "red2")));
        Assert.Equal(3ul, Fabric.RepliesWhenDone("probe"));
    }

    public async Task DisposeAsync()
    {
        if (Fabric is not null)
        {
            await Fabric.DisposeAsync();
        }
    }
}
