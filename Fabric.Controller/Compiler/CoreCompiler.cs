using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Paths;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// One core node's program: a port per link end, and its LFIB, an entry per destination edge it can reach, on the
/// transport label it allocated for it.
/// </summary>
public static class CoreCompiler
{
    public static NodeProgram Compile(CompileContext context, string core)
    {
        var labels = context.Numberings[CompiledFabric.LabelScope(core)];
        var ports = context.Numberings[CompiledFabric.PortScope(core)];
        var linkEnds = context.LinksOf(core).Select(l => PortRealizations.LinkEnd(context, l, core, ports[CompiledFabric.UplinkKey(context.InterfaceOf(l.Name, core))]));
        var entries = context.DestinationsFrom(core).Select(d => Entry(context, core, d, labels[CompiledFabric.LspKey(d)]));
        return new NodeProgram([], linkEnds, [], [], entries);
    }

    /// <summary>
    /// Swap to each ECMP next hop's label; or, when the destination edge is itself a next hop, pop
    /// (penultimate-hop popping) toward it over its direct links only, since an LFIB entry has one operation.
    /// The backup's first hop joins when it needs the same operation; otherwise the entry has no backup.
    /// </summary>
    private static LfibEntry Entry(CompileContext context, string core, string destination, uint inLabel)
    {
        var route = context.Trees[destination].Routes[core];
        var direct = route.NextHops.Where(h => h.To == destination).ToList();
        var pop = direct.Count > 0;
        var entry = new LfibEntry { InLabel = inLabel, Operation = pop ? LabelOperation.Pop : LabelOperation.Swap };
        entry.NextHops.AddRange((pop ? direct : route.NextHops).Select(h => NextHop(context, core, destination, h)));
        if (route.Backup is [var backup, ..] && (backup.To == destination) == pop && entry.NextHops.All(h => h.Interface != context.InterfaceOf(backup.Link, core)))
        {
            entry.Backup = NextHop(context, core, destination, backup);
        }

        return entry;
    }

    private static NextHop NextHop(CompileContext context, string core, string destination, Hop hop) =>
        new() { Interface = context.InterfaceOf(hop.Link, core), OutLabel = context.OutLabel(hop, destination) ?? 0 };
}
