using Sdn.Common.Interop;
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
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly NetworkNamespace _outside;

    public ExternalInterfaceTests()
    {
        _outside = NetworkNamespace.Create($"sdno-{_suffix}");
        try
        {
            ExternalCommand.Run("ip", "link", "add", Inside, "type", "veth", "peer", "name", Outside);
            _outside.Adopt(Outside);
            _outside.Configure(Outside, "198.51.100.1/24");
            ExternalCommand.Run("ip", "link", "set", "dev", Inside, "up");
        }
        catch
        {
            _outside.Dispose();
            throw;
        }
    }

    private string Inside => $"sdnx{_suffix}";

    private string Outside => $"sdny{_suffix}";

    /// <summary>Deletes the pair from this end: the kernel frees a deleted namespace's devices only later.</summary>
    public void Dispose()
    {
        try
        {
            ExternalCommand.Run("ip", "link", "del", Inside);
        }
        finally
        {
            _outside.Dispose();
        }
    }

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
              - { name: internet, edge: e2, interface: {{Inside}}, subnet: 198.51.100.0/24, gateway-ip: 198.51.100.2 }
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
                    _outside.Run("bash", "-c", $"ping -c 1 -W 1 {address} >/dev/null; true");
                    return _outside.Run("ip", "neigh", "show", address).Contains("lladdr 02:5e:", StringComparison.Ordinal);
                },
                () => _outside.Run("ip", "neigh", "show"));
        }

        Assert.DoesNotContain("lladdr", _outside.Run("bash", "-c", "ping -c 1 -W 1 198.51.100.11 >/dev/null; ip neigh show 198.51.100.11"), StringComparison.Ordinal);
    }
}
