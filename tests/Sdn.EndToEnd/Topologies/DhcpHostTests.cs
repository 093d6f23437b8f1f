using Sdn.Contracts;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// A <c>dhcp: true</c> host on quickstart's e1: busybox's udhcpc in its namespace gets its address, its default route
/// and its network's DNS server from the edge.
/// </summary>
public sealed class DhcpHostTests
{
    [KvmFact]
    public async Task A_dhcp_host_gets_its_address_and_dns_server_from_the_fabric_and_reaches_red1()
    {
        var h9 = new Port { Name = "h9", Edge = "e1", Network = "red.web", Ipv4 = "10.1.0.109", Kind = PortKind.Tap, Host = new HostSpec { Dhcp = true } };
        var topology = TopologyRun.Load("quickstart.yaml").With(h9);
        topology.State.Networks.Single(n => n.Name == "red.web").Ipv4DnsServer = "10.1.0.53";
        string namespaceEtc;
        await using (var fabric = await TopologyRun.StartAsync(topology))
        {
            var host = fabric.Hosts["h9"];
            namespaceEtc = Path.Combine("/etc/netns", host.Namespace.Name);

            // The lease script writes the resolv.conf last, after the address and the route.
            await FabricChecks.UntilAsync(
                () => host.Namespace.Run("cat", "/etc/resolv.conf") == "nameserver 10.1.0.53\n",
                () => host.Namespace.Run("cat", "/etc/resolv.conf"));

            Assert.Contains("inet 10.1.0.109/24", host.Namespace.Run("ip", "-4", "addr", "show"), StringComparison.Ordinal);
            Assert.Contains("default via 10.1.0.1", host.Namespace.Run("ip", "-4", "route", "show"), StringComparison.Ordinal);
            Assert.Contains(" 3 received", await fabric.PingFromHostAsync("h9", "10.1.0.11"), StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(namespaceEtc), $"{namespaceEtc} outlived the host");
    }
}
