using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;

namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// The controller's agent on a core node: adds and removes the link ends the controller's programs name, installs
/// the LFIBs it sends (one atomic swap each), and reports its links' liveness as it changes and its counters when
/// asked. Captures attach to its links' taps.
/// </summary>
public sealed class CoreAgent : SouthboundAgent
{
    private readonly CoreSwitch _node;
    private readonly CoreProgrammer _programmer;
    private readonly Lock _applying = new();

    /// <param name="links">Makes the link ends the node's program names, and takes them down again.</param>
    /// <param name="hellos">The liveness of links between two core nodes; null runs no hellos.</param>
    /// <param name="log">Takes a line for each exception the agent survives; standard error by default.</param>
    public CoreAgent(
        CoreSwitch node, IPortBinder<LinkEnd> links, LivenessOptions? hellos, ControllerAddresses controller, RpcSettings? settings = null, TimeSpan? retryDelay = null, Action<string>? log = null)
        : base(node?.Name ?? throw new ArgumentNullException(nameof(node)), NodeRole.Core, controller, settings, retryDelay, log)
    {
        _node = node;
        _programmer = new CoreProgrammer(node, links, hellos);
        node.LinkStateChanged += OnLinkStateChanged;
    }

    public override ulong AppliedVersion => _programmer.Version;

    /// <summary>What the node was last programmed with.</summary>
    public NodeProgram Program => _programmer.Program;

    /// <summary>The node's forwarding counters, its drops by reason, its LFIB's size, and each link end's counters.</summary>
    public override CounterReport Counters()
    {
        var statistics = _node.Statistics;
        var report = new CounterReport { LfibEntries = (ulong)_node.Lfib.Entries.Count };
        report.Datapath["received"] = (ulong)statistics.Received;
        report.Datapath["swapped"] = (ulong)statistics.Swapped;
        report.Datapath["popped"] = (ulong)statistics.PenultimatePopped;
        report.Datapath["forwarded_on_backup"] = (ulong)statistics.ForwardedOnBackup;
        report.Drops["unknown_label"] = (ulong)statistics.DroppedUnknownLabel;
        report.Drops["ttl_expired"] = (ulong)statistics.DroppedTtlExpired;
        report.Drops["malformed"] = (ulong)statistics.DroppedMalformed;
        report.Drops["reserved_label"] = (ulong)statistics.DroppedReservedLabel;
        report.Drops["end_of_stack"] = (ulong)statistics.DroppedEndOfStack;
        report.Drops["no_live_next_hop"] = (ulong)statistics.DroppedNoLiveNextHop;
        foreach (var port in _node.Ports)
        {
            var link = port.Link.Statistics;
            report.Ports.Add(new PortCounters
            {
                Port = port.Link.Name,
                RxPackets = (ulong)link.RxFrames,
                RxBytes = (ulong)link.RxBytes,
                TxPackets = (ulong)link.TxFrames,
                TxBytes = (ulong)link.TxBytes,
                RxDropped = (ulong)link.RxDropped,
                TxDropped = (ulong)link.TxDropped,
            });
        }

        return report;
    }

    protected override void Apply(ProgramBatch batch)
    {
        lock (_applying)
        {
            _programmer.Apply(batch);
        }
    }

    protected override CaptureTap? CaptureTapOf(string port) => _node.Ports.FirstOrDefault(p => p.Link.Name == port)?.Link.Capture.Tap;

    protected override void Describe(Hello hello) =>
        hello.Links.AddRange(_node.Ports.Select(p => new LinkStatus { Interface = p.Link.Name, Up = p.IsUp }));

    private void OnLinkStateChanged(object? sender, LivenessStateChange change) =>
        Report(new AgentMessage { LinkStatus = new LinkStatus { Interface = change.LinkName, Up = change.Current == LivenessState.Up } });
}
