using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Topology;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.EndToEnd.Gateway;

/// <summary>
/// A fabric with an external network on a veth pair this test makes, whose other end is in an "outside" namespace it
/// makes too: the gateway edge opens its end, and the outside's Linux resolves the gateway's and a floating IP's
/// addresses through it.
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
}
