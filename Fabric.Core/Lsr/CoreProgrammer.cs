using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// Applies the controller's program batches to one <see cref="CoreSwitch"/>. The LFIB is immutable, so a batch
/// builds the whole next table and installs it with one reference swap: all or nothing by construction.
/// Next hops name interfaces, which are the names of the node's links.
/// </summary>
public sealed class CoreProgrammer
{
    private readonly CoreSwitch _node;

    public CoreProgrammer(CoreSwitch node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
    }

    /// <summary>The version of the last batch applied; 0 before any.</summary>
    public ulong Version { get; private set; }

    public NodeProgram Program { get; private set; } = NodeProgram.Empty;

    /// <summary>
    /// Applies <paramref name="batch"/> whole, or throws <see cref="ProgramException"/> having changed nothing. Nothing
    /// changes before the one swap, so whatever else throws changes nothing either.
    /// </summary>
    public void Apply(ProgramBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!batch.FullState && batch.BaseVersion != Version)
        {
            throw new ProgramException(StatusCode.FailedPrecondition, $"the batch applies to version {batch.BaseVersion} but core node {_node.Name} is at {Version}; send full state");
        }

        if (batch.PortMods.Count > 0 || batch.GroupMods.Count > 0 || batch.FlowMods.Count > 0)
        {
            throw new ProgramException($"core node {_node.Name} holds only an LFIB; the batch also carries ports, groups or flows");
        }

        var next = Program.Apply(batch);
        try
        {
            // The node refuses a table that is not newer; a full-state resend may repeat a version it already runs.
            _node.TryInstall(new Lfib(Math.Max(batch.Version, _node.Lfib.Version + 1), next.Lfib.Values.Select(Entry)));
        }
        catch (LsrException e)
        {
            throw new ProgramException(e.Message, e);
        }

        Program = next;
        Version = batch.Version;
    }

    private LabelRoute Entry(LfibEntry entry)
    {
        var operation = entry.Operation switch
        {
            LabelOperation.Swap => LabelAction.Swap,
            LabelOperation.Pop => LabelAction.PenultimateHopPop,
            _ => throw new ProgramException($"in-label {entry.InLabel}: operation {entry.Operation} is not SWAP or POP"),
        };

        return new LabelRoute(entry.InLabel, operation, [.. entry.NextHops.Select(h => Hop(entry, h))], entry.Backup is null ? null : Hop(entry, entry.Backup));
    }

    private LabelNextHop Hop(LfibEntry entry, NextHop hop)
    {
        if (hop.PushLabels.Count > 0)
        {
            throw new ProgramException($"in-label {entry.InLabel}: next hop {hop.Interface} pushes labels, which this node does not do");
        }

        var port = _node.Ports.FirstOrDefault(p => p.Link.Name == hop.Interface)
            ?? throw new ProgramException(StatusCode.NotFound, $"in-label {entry.InLabel}: core node {_node.Name} has no interface '{hop.Interface}'");
        return new LabelNextHop(port.Index, hop.OutLabel);
    }
}
