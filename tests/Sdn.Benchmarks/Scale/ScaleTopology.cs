using System.Globalization;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Benchmarks.Scale;

/// <summary>
/// A generated fabric of a given number of edges (a multiple of five), each dual-homed to core nodes c0 and c1, with
/// 100 ports on every edge. Edges come in blocks of five; each block hosts five tenants, and each tenant has two
/// networks and 20 ports on every edge of its block, 100 in all. So a tenant spans five edges however large the fabric
/// grows, as tenants of a cloud do, and 1,000 edges hold 100,000 ports of 1,000 tenants.
/// </summary>
internal static class ScaleTopology
{
    public const int PortsPerEdge = 100;
    private const int EdgesPerBlock = 5;
    private const int PortsPerTenantAndEdge = PortsPerEdge / EdgesPerBlock;

    public static string EdgeName(int edge) => "e" + edge.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Core nodes, edges, then the links of each edge to both core nodes.</summary>
    public static IEnumerable<ModelObject> Topology(int edges)
    {
        var cores = new[] { "c0", "c1" };
        return cores.Select(c => ModelObject.Of(ResourceKinds.CoreNodes, new CoreNode { Name = c }))
            .Concat(Enumerable.Range(0, edges).Select(e => ModelObject.Of(ResourceKinds.Edges, new EdgeNode { Name = EdgeName(e) })))
            .Concat(Enumerable.Range(0, edges).SelectMany(e => cores.Select(c => ModelObject.Of(
                ResourceKinds.Links,
                new Link { Name = $"{EdgeName(e)}-{c}", A = new LinkEndpoint { Node = EdgeName(e) }, B = new LinkEndpoint { Node = c } }))));
    }

    /// <summary>One tenant per edge, each with networks a and b.</summary>
    public static IEnumerable<ModelObject> Tenancy(int edges) =>
        Enumerable.Range(0, edges).Select(t => ModelObject.Of(ResourceKinds.Tenants, new Tenant { Name = TenantName(t) }))
            .Concat(Enumerable.Range(0, edges).SelectMany(t => new[] { 0, 1 }.Select(n => ModelObject.Of(
                ResourceKinds.Networks,
                new Network { Name = NetworkName(t, n), Tenant = TenantName(t), Ipv4Subnet = FormattableString.Invariant($"10.{t / 100}.{(t % 100 * 2) + n}.0/24") }))));

    /// <summary>Every edge's 100 ports, edge by edge.</summary>
    public static IEnumerable<ModelObject> Ports(int edges) =>
        Enumerable.Range(0, edges).SelectMany(e => Enumerable.Range(0, PortsPerEdge).Select(i => ModelObject.Of(ResourceKinds.Ports, PortOn(e, i, $"p{e}-{i}"))));

    /// <summary>One more port, the <paramref name="n"/>th, on an edge and a tenant spread over the fabric.</summary>
    public static Port ExtraPort(int edges, int n) => PortOn(n * 37 % edges, n % PortsPerEdge, $"x{n}");

    private static Port PortOn(int edge, int index, string name)
    {
        var tenant = (edge / EdgesPerBlock * EdgesPerBlock) + (index / PortsPerTenantAndEdge);
        return new Port { Name = name, Network = NetworkName(tenant, index % 2), Edge = EdgeName(edge) };
    }

    private static string TenantName(int tenant) => "t" + tenant.ToString("D4", CultureInfo.InvariantCulture);

    private static string NetworkName(int tenant, int network) => TenantName(tenant) + (network == 0 ? "-a" : "-b");
}
