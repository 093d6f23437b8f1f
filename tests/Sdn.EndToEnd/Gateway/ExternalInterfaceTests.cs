using Sdn.Common.Interop;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Topology;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.EndToEnd.Gateway;

/// <summary>
/// A fabric with an external network on a veth pair this test makes, whose other end is in an "outside" namespace it
/// makes too: the gateway edge opens its end, and the outside's Linux resolves the gateway's and a floating IP's
/// addresses through it. An external network added live on an interface that does not exist is failed in `sdn status`,
/// with why, while the rest of the fabric is up.
/// </summary>
public sealed class ExternalInterfaceTests : IDisposable
{
    private readonly OutsideNetwork _network = new("198.51.100.1/24");

    private NetworkNamespace Outside => _network.Namespace;

    public void Dispose() => _network.Dispose();

    [Fact]
    public async Task The_outside_resolves_the_gateway_and_a_floating_ip_to_the_gateways_mac()
    {
        var topology = TopologyFile.Parse(
            $$"""
            name: gateway
            core: [{ name: c1 }]
            edges: [{ name: e1 }, { name: e2 }]
            links:
              - endpoints: [e1, c1]
              - endpoints: [c1, e2]
            externals:
              - { name: internet, edge: e2, interface: {{_network.Inside}}, subnet: 198.51.100.0/24, gateway-ip: 198.51.100.2 }
            tenants:
              - name: red
                external: internet
                networks: [{ name: web, subnet: 10.1.0.0/24 }]
            hosts:
              - { name: h1, edge: e1, network: red/web, ip: 10.1.0.100, floating-ip: 198.51.100.10 }
            """,
            "gateway.yaml");
        await using var fabric = await TopologyRun.StartAsync(topology);

        foreach (var address in new[] { "198.51.100.2", "198.51.100.10" })
        {
            await FabricChecks.UntilAsync(
                () =>
                {
                    Outside.Run("bash", "-c", $"ping -c 1 -W 1 {address} >/dev/null; true");
                    return Outside.Run("ip", "neigh", "show", address).Contains("lladdr 02:5e:", StringComparison.Ordinal);
                },
                () => Outside.Run("ip", "neigh", "show"));
        }

        Assert.DoesNotContain("lladdr", Outside.Run("bash", "-c", "ping -c 1 -W 1 198.51.100.11 >/dev/null; ip neigh show 198.51.100.11"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdn_status_says_why_an_external_port_whose_interface_is_missing_failed_while_the_rest_is_up()
    {
        const string Missing = "sdnx-missing";
        Assert.DoesNotContain(Missing, ExternalCommand.Run("ip", "-o", "link", "show"), StringComparison.Ordinal);
        var topology = TopologyFile.Parse(
            """
            name: nowhere
            core: [{ name: c1 }]
            edges: [{ name: e1 }]
            links: [{ endpoints: [e1, c1] }]
            tenants:
              - name: red
                networks: [{ name: web, subnet: 10.1.0.0/24 }]
            hosts:
              - { name: h1, edge: e1, network: red/web, ip: 10.1.0.100 }
            """,
            "nowhere.yaml");
        await using var fabric = await TopologyRun.StartAsync(topology);
        using var channel = RpcChannels.ForAddress(fabric.Address);

        // Added live: sdn up refuses to start a fabric with a port it cannot realize, while a running edge goes on without it.
        var external = new ExternalNetwork { Name = "internet", Edge = "e1", Interface = Missing, Ipv4Subnet = "198.51.100.0/24", Ipv4Address = "198.51.100.2" };
        await new Controller.ControllerClient(channel).CreateExternalNetworkAsync(external);

        var deadline = DateTime.UtcNow + TopologyRun.Timeout;
        string status;
        while (!(status = (await SdnCli.InvokeAsync(fabric.Address, "status")).Output).Contains("  external internet on e1: failed: ", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, status);
            await Task.Delay(100);
        }

        Assert.Contains($"interface '{Missing}' does not exist on this machine", status, StringComparison.Ordinal);
        Assert.Matches($@"\ninternet +e1 +{Missing} +198\.51\.100\.2 +- +failed ", status);
        Assert.Contains("hosts: 1 up", status, StringComparison.Ordinal);
    }
}
