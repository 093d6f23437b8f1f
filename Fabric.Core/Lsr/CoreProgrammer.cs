using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;

namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// Applies the controller's program batches to one <see cref="CoreSwitch"/>: its ports (one per link end, made by the
/// node's host) and its LFIB. The LFIB is immutable, so a batch builds the whole next table and installs it with
/// one reference swap; new ports come in before it, ports that go leave after it, so no table ever names a port the
/// node lacks. Next hops name interfaces, which are the names of the node's link ends.
/// </summary>
public sealed class CoreProgrammer
{
    private readonly CoreSwitch _node;
    private readonly IPortBinder<LinkEnd> _links;
    private readonly LivenessOptions? _hellos;

    /// <param name="links">Makes the link end a port config names, and takes it down again.</param>
    /// <param name="hellos">
    /// The liveness of link ends whose other end is a core node of this process; null runs no hellos on them. A link
    /// to a node of another process (it has an underlay address) always exchanges hellos, at
    /// <see cref="LivenessOptions.BetweenProcesses"/> as its other end does, since the peer's multiplier sets how
    /// soon that end sees a cut.
    /// </param>
    public CoreProgrammer(CoreSwitch node, IPortBinder<LinkEnd> links, LivenessOptions? hellos)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(links);
        _node = node;
        _links = links;
        _hellos = hellos;
    }

    private LivenessOptions? HellosOf(LinkEndConfig? link) => link switch
    {
        { Hellos: true, LocalUnderlay.Length: > 0 } => LivenessOptions.BetweenProcesses,
        { Hellos: true } => _hellos,
        _ => null,
    };

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

        if (batch.GroupMods.Count > 0 || batch.FlowMods.Count > 0)
        {
            throw new ProgramException($"core node {_node.Name} holds only link ends and an LFIB; the batch also carries groups or flows");
        }

        var next = Program.Apply(batch);
        var plan = batch.FullState ? NodeProgram.Diff(Program, next, Version, batch.Version) : batch;
        var leaving = plan.PortMods.Where(m => m.Op != ModOp.Add).Select(m => PortNamed(m.Port.Name)).OfType<CorePort>().ToList();
        var added = AddPorts(plan.PortMods.Where(m => m.Op != ModOp.Delete).Select(m => m.Port));
        try
        {
            var ports = _node.Ports.Except(leaving).ToList();
            // The node refuses a table that is not newer; a full-state resend may repeat a version it already runs.
            var lfib = new Lfib(Math.Max(batch.Version, _node.Lfib.Version + 1), next.Lfib.Values.Select(e => Entry(e, ports)));
            _node.TryInstall(lfib);
        }
        catch (Exception e) when (e is LsrException or ProgramException)
        {
            RemovePorts(added);
            throw e as ProgramException ?? new ProgramException(e.Message, e);
        }

        RemovePorts(leaving);
        Program = next;
        Version = batch.Version;
    }

    private CorePort? PortNamed(string name) => _node.Ports.FirstOrDefault(p => p.Link.Name == name);

    /// <summary>Binds and adds a port per config; on a failure, takes out again what it added, and refuses.</summary>
    private List<CorePort> AddPorts(IEnumerable<PortConfig> configs)
    {
        var added = new List<CorePort>();
        try
        {
            foreach (var config in configs)
            {
                var link = _links.Bind(config);
                added.Add(_node.AddPort(link, HellosOf(config.Link)));
            }
        }
        catch (ProgramException)
        {
            RemovePorts(added);
            throw;
        }

        return added;
    }

    private void RemovePorts(IEnumerable<CorePort> ports)
    {
        foreach (var port in ports)
        {
            _node.RemovePort(port);
            _links.Release(port.Link);
        }
    }

    private static LabelRoute Entry(LfibEntry entry, List<CorePort> ports)
    {
        var operation = entry.Operation switch
        {
            LabelOperation.Swap => LabelAction.Swap,
            LabelOperation.Pop => LabelAction.PenultimateHopPop,
            _ => throw new ProgramException($"in-label {entry.InLabel}: operation {entry.Operation} is not SWAP or POP"),
        };

        return new LabelRoute(entry.InLabel, operation, [.. entry.NextHops.Select(h => Hop(entry, h, ports))], entry.Backup is null ? null : Hop(entry, entry.Backup, ports));
    }

    private static LabelNextHop Hop(LfibEntry entry, NextHop hop, List<CorePort> ports)
    {
        if (hop.PushLabels.Count > 0)
        {
            throw new ProgramException($"in-label {entry.InLabel}: next hop {hop.Interface} pushes labels, which this node does not do");
        }

        var port = ports.FirstOrDefault(p => p.Link.Name == hop.Interface)
            ?? throw new ProgramException(StatusCode.NotFound, $"in-label {entry.InLabel}: the node has no interface '{hop.Interface}'");
        return new LabelNextHop(port.Index, hop.OutLabel);
    }
}
