using Sdn.Contracts;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>A <c>dhcp: true</c> host on quickstart's e1: busybox's udhcpc in its namespace gets its address from the edge.</summary>
public sealed class DhcpHostTests
{
    [KvmFact]
    public async Task A_dhcp_host_gets_its_address_from_the_fabric_and_reaches_red1()
    {
        var h9 = new Port { Name = "h9", Edge = "e1", Network = "red.web", Ipv4 = "10.1.0.109", Kind = PortKind.Tap, Host = new HostSpec { Dhcp = true } };
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("quickstart.yaml").With(h9));
        var host = fabric.Hosts["h9"];

        await FabricChecks.UntilAsync(
            () => host.Namespace.Run("ip", "-4", "addr", "show").Contains("inet 10.1.0.109/24", StringComparison.Ordinal),
            () => host.Namespace.Run("ip", "-4", "addr", "show"));

        Assert.Contains("default via 10.1.0.1", host.Namespace.Run("ip", "-4", "route", "show"), StringComparison.Ordinal);
        Assert.Contains(" 3 received", await fabric.PingFromHostAsync("h9", "10.1.0.11"), StringComparison.Ordinal);
    }
}
