using System.Net;
using System.Text;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Benchmarks.Density;

/// <summary>
/// A generated topology of echo VMs spread round-robin over its edges, each edge linked to both core nodes, all in
/// one tenant network with room for 1,000 VMs; its controller listens on a free port.
/// </summary>
internal static class DensityTopology
{
    public const string Network = "t1/lan";

    public static TopologyDefinition Create(int vms, int edges)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine($"name: density-{vms}");
        yaml.AppendLine("core: [{ name: c1 }, { name: c2 }]");
        yaml.AppendLine("edges:");
        for (var e = 0; e < edges; e++)
        {
            yaml.AppendLine($"  - name: {EdgeName(e)}");
        }

        yaml.AppendLine("links:");
        for (var e = 0; e < edges; e++)
        {
            yaml.AppendLine($"  - endpoints: [{EdgeName(e)}, c1]");
            yaml.AppendLine($"  - endpoints: [{EdgeName(e)}, c2]");
        }

        yaml.AppendLine("tenants:");
        yaml.AppendLine("  - name: t1");
        yaml.AppendLine("    networks: [{ name: lan, subnet: 10.40.0.0/22 }]");
        yaml.AppendLine("vms:");
        for (var v = 0; v < vms; v++)
        {
            // Addresses from 10.40.0.16 leave the low ones to the network's gateway.
            var host = 16 + v;
            yaml.AppendLine($"  - {{ name: {VmName(v)}, edge: {EdgeName(v % edges)}, network: {Network}, ip: 10.40.{host / 256}.{host % 256} }}");
        }

        var topology = TopologyFile.Parse(yaml.ToString(), $"density-{vms}.yaml");
        return topology with { Controller = new ControllerDefinition(new IPEndPoint(IPAddress.Loopback, 0)) };
    }

    /// <summary>The name of the VM at <paramref name="index"/>, which runs on edge <c>index % edges</c>.</summary>
    public static string VmName(int index) => $"vm{index:D4}";

    private static string EdgeName(int index) => $"e{index + 1:D2}";
}
