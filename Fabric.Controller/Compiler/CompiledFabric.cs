using System.Globalization;
using Sdn.Contracts.Southbound;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// The compiler's output: one program per edge and per core node, and the numbers it chose, which the next
/// compile keeps so that unchanged entries stay byte-identical and diffs stay small.
/// </summary>
public sealed record CompiledFabric(
    ulong Version,
    IReadOnlyDictionary<string, NodeProgram> Edges,
    IReadOnlyDictionary<string, NodeProgram> Cores,
    IReadOnlyDictionary<string, StableNumbering> Numberings)
{
    public const string TenantScope = "tenants";
    public const string NetworkScope = "networks";

    /// <summary>The external networks' conntrack zones, where a gateway looks up the replies the outside sends to its address.</summary>
    public const string ExternalScope = "externals";

    public static string LabelScope(string node) => "labels/" + node;

    public static string PortScope(string edge) => "ports/" + edge;

    public static string GroupScope(string edge) => "groups/" + edge;

    public static string VnicKey(string port) => "vnic/" + port;

    public static string UplinkKey(string iface) => "uplink/" + iface;

    public static string ExternalKey(string external) => "external/" + external;

    /// <summary>
    /// The label under which a tenant's packet crosses the core to its gateway edge, one per way out and address
    /// family (the gateway edge pops it into that family's translation): as <paramref name="floatingPort"/>'s floating
    /// IP (empty: as the gateway's address), to the outside router (<paramref name="routed"/>) or straight to a
    /// destination on the external subnet.
    /// </summary>
    public static string OutsideKey(string tenant, string floatingPort, bool routed, bool ipv6 = false) =>
        $"out{(ipv6 ? "6" : string.Empty)}/{tenant}/{floatingPort}/{(routed ? "routed" : "direct")}";

    public static string LspKey(string destinationEdge) => "lsp/" + destinationEdge;

    public static string ServiceKey(string port, ushort ethType) => string.Create(CultureInfo.InvariantCulture, $"svc/{port}/{ethType:x4}");

    /// <summary>The node's program; empty for a node the fabric does not (or no longer) hold.</summary>
    public NodeProgram ProgramOf(string node) =>
        Edges.TryGetValue(node, out var edge) ? edge : Cores.TryGetValue(node, out var core) ? core : NodeProgram.Empty;

    public bool HasNode(string node) => Edges.ContainsKey(node) || Cores.ContainsKey(node);

    /// <summary>The port number the edge uses for a model port.</summary>
    public uint VnicNumber(string edge, string port) => Numberings[PortScope(edge)][VnicKey(port)];

    /// <summary>The port number the edge uses for the uplink on its interface <paramref name="iface"/>.</summary>
    public uint UplinkNumber(string edge, string iface) => Numberings[PortScope(edge)][UplinkKey(iface)];

    /// <summary>The label the port's edge allocated for IPv4 (or, with <paramref name="ethType"/>, IPv6) traffic to the port.</summary>
    public uint ServiceLabel(string edge, string port, ushort ethType = ProgramMessages.EthIpv4) => Numberings[LabelScope(edge)][ServiceKey(port, ethType)];

    /// <summary>The transport label <paramref name="core"/> allocated for the LSP to <paramref name="destinationEdge"/>.</summary>
    public uint TransportLabel(string core, string destinationEdge) => Numberings[LabelScope(core)][LspKey(destinationEdge)];
}
