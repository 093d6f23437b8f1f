using Sdn.Cli.Hosting;
using Sdn.Common.Interop;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// topologies/quickstart.yaml brought up as `sdn up` runs it, with three probe VMs on e1: red to red2 on the
/// other edge, blue to blue2, and red to blue2's address, which the edge must never answer.
/// </summary>
public sealed class QuickstartTests : IAsyncLifetime
{
    private EmbeddedFabric _fabric = null!;

    public async Task InitializeAsync() =>
        _fabric = await TopologyRun.StartAsync(TopologyRun.Load("quickstart.yaml").With(
            TopologyRun.Pinger("probe-red", "e1", "red/web", "10.1.0.50", target: "red2"),
            TopologyRun.Pinger("probe-blue", "e1", "blue/db", "10.2.0.50", target: "blue2"),
            TopologyRun.Pinger("probe-x", "e1", "red/web", "10.1.0.51", target: "blue2")));

    public async Task DisposeAsync() => await _fabric.DisposeAsync();

    [KvmFact]
    public void Vms_reach_their_own_tenant_across_edge_core_and_edge_and_never_the_other()
    {
        Assert.Equal(3ul, _fabric.RepliesWhenDone("probe-red"));
        Assert.Equal(3ul, _fabric.RepliesWhenDone("probe-blue"));
        _fabric.AssertNeverAnswered("probe-x");
    }

    [KvmFact]
    public void Linux_ping_from_the_host_namespace_reaches_red_vms_and_not_blue_ones()
    {
        var host = _fabric.Hosts["h1"];
        var h1 = host.Namespace;
        Assert.Contains("3 received", h1.Run("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.1.0.11"), StringComparison.Ordinal);
        Assert.Contains("3 received", h1.Run("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.1.0.12"), StringComparison.Ordinal);

        // On-link, so Linux asks the fabric itself for blue1's MAC: red's edge must not answer for blue.
        h1.Run("ip", "route", "add", "10.2.0.0/24", "dev", host.Device);
        Assert.Throws<ExternalCommandException>(() => h1.Run("ping", "-c", "2", "-i", "0.2", "-W", "1", "10.2.0.11"));
        Assert.Matches("FAILED|INCOMPLETE", h1.Run("ip", "neigh", "show", "10.2.0.11"));
    }
}
