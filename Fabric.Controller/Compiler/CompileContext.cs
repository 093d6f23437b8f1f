using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Paths;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// One compile's view of its inputs: the model indexed for lookups, the LSP trees, and every number the
/// programs use (tenant and network ids, labels, port numbers, group ids), assigned up front so each node's
/// program can be compiled independently.
/// </summary>
public sealed class CompileContext
{
    public CompileContext(FabricState state, IReadOnlyDictionary<string, LspTree> trees, CompiledFabric? previous)
    {
        State = state;
        Trees = trees;
        Networks = state.Networks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Links = state.Links.ToDictionary(l => l.Name, StringComparer.Ordinal);
        PortsByNetwork = state.Ports.GroupBy(p => p.Network, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Port>)g.OrderBy(p => p.Name, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var before = previous?.Numberings ?? new Dictionary<string, StableNumbering>();
        var numberings = new Dictionary<string, StableNumbering>(StringComparer.Ordinal);
        void Assign(string scope, IEnumerable<string> names, uint first, uint last) =>
            numberings[scope] = StableNumbering.Assign(names, before.GetValueOrDefault(scope, StableNumbering.Empty), first, last);

        Assign(CompiledFabric.TenantScope, state.Tenants.Select(t => t.Name), 1, uint.MaxValue);
        Assign(CompiledFabric.NetworkScope, state.Networks.Select(n => n.Name), 1, uint.MaxValue);
        foreach (var edge in state.Edges.Select(e => e.Name))
        {
            var ports = state.Ports.Where(p => p.Edge == edge).ToList();
            Assign(CompiledFabric.LabelScope(edge), ports.SelectMany(p => ServiceFamilies(p).Select(f => CompiledFabric.ServiceKey(p.Name, f))), MplsLabelStackEntry.FirstUnreservedLabel, MplsLabelStackEntry.MaxLabel);
            Assign(
                CompiledFabric.PortScope(edge),
                ports.Select(p => CompiledFabric.VnicKey(p.Name)).Concat(InterfacesOf(edge).Select(CompiledFabric.UplinkKey)),
                1,
                PortNumbers.EdgeLimit - 1);
            Assign(CompiledFabric.GroupScope(edge), DestinationsFrom(edge).Select(CompiledFabric.LspKey), 1, uint.MaxValue);
        }

        foreach (var core in state.CoreNodes.Select(c => c.Name))
        {
            Assign(CompiledFabric.LabelScope(core), DestinationsFrom(core).Select(CompiledFabric.LspKey), MplsLabelStackEntry.FirstUnreservedLabel, MplsLabelStackEntry.MaxLabel);
            Assign(CompiledFabric.PortScope(core), InterfacesOf(core).Select(CompiledFabric.UplinkKey), 1, uint.MaxValue);
        }

        Numberings = numberings;
    }

    public FabricState State { get; }

    public IReadOnlyDictionary<string, LspTree> Trees { get; }

    public IReadOnlyDictionary<string, Network> Networks { get; }

    public IReadOnlyDictionary<string, Link> Links { get; }

    /// <summary>By network name, in port name order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Port>> PortsByNetwork { get; }

    public IReadOnlyDictionary<string, StableNumbering> Numberings { get; }

    public uint Number(string scope, string name) => Numberings[scope][name];

    public ulong MetadataOf(Network network) =>
        EdgeTables.Metadata(Number(CompiledFabric.TenantScope, network.Tenant), Number(CompiledFabric.NetworkScope, network.Name));

    /// <summary>Every destination edge <paramref name="node"/> has a route to, in name order.</summary>
    public IEnumerable<string> DestinationsFrom(string node) =>
        Trees.Where(t => t.Key != node && t.Value.Routes.ContainsKey(node)).Select(t => t.Key).Order(StringComparer.Ordinal);

    /// <summary>The links of <paramref name="node"/>, up or down, in the model's order.</summary>
    public IEnumerable<Link> LinksOf(string node) => State.Links.Where(l => l.A.Node == node || l.B.Node == node);

    /// <summary>The interface names of <paramref name="node"/>'s links, up or down.</summary>
    public IEnumerable<string> InterfacesOf(string node) =>
        State.Links.SelectMany(l => new[] { l.A, l.B }).Where(e => e.Node == node).Select(e => e.Interface);

    /// <summary>The interface of <paramref name="node"/> on link <paramref name="link"/>.</summary>
    public string InterfaceOf(string link, string node)
    {
        var l = Links[link];
        return l.A.Node == node ? l.A.Interface : l.B.Interface;
    }

    /// <summary>
    /// The label a packet carries on <paramref name="hop"/> toward <paramref name="destination"/>: the next node's
    /// transport label, or null when the next node is the destination edge itself (penultimate-hop popping).
    /// </summary>
    public uint? OutLabel(Hop hop, string destination) =>
        hop.To == destination ? null : Number(CompiledFabric.LabelScope(hop.To), CompiledFabric.LspKey(destination));

    /// <summary>
    /// The Ethernet types a port gets a service label for: one label per address family, because what lies
    /// under the label is not in the flow key, so the egress pop must know from the label what it pops to.
    /// </summary>
    public static IEnumerable<ushort> ServiceFamilies(Port port) =>
        string.IsNullOrEmpty(port.Ipv6) ? [ProgramMessages.EthIpv4] : [ProgramMessages.EthIpv4, ProgramMessages.EthIpv6];
}
