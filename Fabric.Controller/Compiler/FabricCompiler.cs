// The compiler: design
// ====================
//
// What
//   A pure function from the controller's desired state (the model, with link liveness folded into the
//   path graph) and the LSP trees computed over it, to one NodeProgram per node: ports, groups and flow
//   entries for each edge, LFIB entries for each core node. Nothing else is read, so compiling the same
//   inputs twice gives byte-identical programs; with the previous CompiledFabric as an input, every number
//   (label, port, group, tenant and network id) that still names the same thing is kept, so an unchanged
//   entry compiles to the same bytes and the per-node diff (NodeProgram.Diff) holds only real changes.
//
// Labels
//   Transport: each core node allocates one label per destination edge it can reach (the FEC is the egress
//   edge), from 16 up. Ingress edges push the first core hop's label; every core swaps it to its next hop's
//   label. The core next to the egress edge pops it (penultimate-hop popping), because the edge pipeline
//   cannot match a label that sits under one it just popped: the egress edge must find the service label on
//   top. A direct edge-to-edge link is the same case at the ingress edge: its bucket pops the label it pushed.
//   Service: each edge allocates one label per local port and address family; it is pushed under the
//   transport label, never looked at in the core, and on egress it names the vNIC and what to pop to.
//
// Edge tables (EdgeTables)
//   0 classify:      in_port of a vNIC -> metadata (tenant id << 32 | network id), on to port security; an uplink
//                    -> egress; anything else is dropped.
//   1 port-security: a port's own MAC with its own addresses goes on (with DHCP discovery, ARP probes and
//                    ICMPv6 from link-local or unspecified sources); the rest is dropped as spoofed, counted.
//   2 neighbours:    ARP requests and IPv6 neighbour solicitations for an address the controller knows (a port's
//                    or a gateway's, within the same network) are answered by a responder action; other ARP and
//                    duplicate address detection are dropped, so no broadcast ever needs flooding.
//   3 acl:           the tenant's rules, matched on the tenant half of the metadata and the 5-tuple; allow goes
//                    on, deny drops, no rule goes on (a tenant's ports may talk by default).
//   4 route:         the tenant's distributed router: a packet to the router's MAC for one of the tenant's ports
//                    is rewritten for it (router MAC as source, its MAC as destination, TTL minus one) and moved
//                    onto its network; everything else goes on unrouted.
//   5 forward:       network half of the metadata + destination MAC. Local: output to the vNIC. Remote: push the
//                    service label, push a transport label, and hand over to the destination edge's uplink group.
//                    No entry matches a port of another tenant, so tenants are unreachable: denied by default.
//   6 egress:        an MPLS frame whose bottom label is one of this edge's service labels: pop, output to the vNIC.
//
// Uplink groups and fast reroute
//   One fast-failover group per destination edge: a bucket per primary ECMP next hop, then the backup path's
//   first hop; each bucket watches its uplink and sets the label its next hop expects. When an uplink dies the
//   edge moves to the next live bucket at once; the controller recompiles when the link state reaches it.
//   A core entry carries the backup as its fast-reroute next hop when it needs the same operation as the
//   primaries (an LFIB entry has one operation): a last hop that pops has no swapping backup.

using Sdn.Contracts;
using Sdn.Fabric.Controller.Paths;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>Compiles the desired state into per-node programs (see the design notes at the top of this file).</summary>
public static class FabricCompiler
{
    /// <summary>
    /// Compiles <paramref name="state"/> over the LSP trees <paramref name="trees"/> (by destination edge), keeping the numbers
    /// <paramref name="previous"/> chose. The result's version is one more than the previous one's.
    /// </summary>
    public static CompiledFabric Compile(FabricState state, IReadOnlyDictionary<string, LspTree> trees, CompiledFabric? previous = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(trees);
        var context = new CompileContext(state, trees, previous);
        var edges = context.EdgeNames.ToDictionary(e => e, e => EdgeCompiler.Compile(context, e), StringComparer.Ordinal);
        var cores = context.CoreNames.ToDictionary(c => c, c => CoreCompiler.Compile(context, c), StringComparer.Ordinal);
        return new CompiledFabric((previous?.Version ?? 0) + 1, edges, cores, context.Numberings);
    }

    /// <summary>Computes paths over <paramref name="state"/> as it stands (administratively down links carry none) and compiles.</summary>
    public static CompiledFabric Compile(FabricState state, CompiledFabric? previous = null) =>
        Compile(state, new PathComputer(PathGraph.FromState(state)).Trees, previous);
}
