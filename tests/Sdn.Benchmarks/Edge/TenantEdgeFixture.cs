using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Edge;
using Sdn.Fabric.Edge.Agent;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Benchmarks.Edge;

/// <summary>
/// A switch of its own running the ingress edge of a <see cref="TenantFabric"/>, installed through the edge
/// programmer with every port bound as an internal port, and one traffic mix: 64-byte UDP frames from one port of
/// the edge to one port of the other edge, sent to the router when the two are on different networks.
/// </summary>
internal sealed class TenantEdgeFixture
{
    private const ushort FirstSourcePort = 10_000;

    private readonly TenantFabric _fabric;
    private readonly Port _from;
    private readonly Port _to;
    private readonly FrameMix _frames;
    private long _sent;

    /// <param name="time">The switch's clock: its flows' and its connection tracker's.</param>
    public TenantEdgeFixture(TenantFabric fabric, string from, string to, int flows, TimeProvider? time = null, int conntrackCapacity = Fabric.Edge.Conntrack.ConnectionTracker.DefaultCapacity)
    {
        _fabric = fabric;
        (_from, _to) = (fabric.Port(from), fabric.Port(to));
        Switch = new EdgeSwitch(time: time, conntrackCapacity: conntrackCapacity);
        var programmer = new EdgeProgrammer(Switch, new InternalPorts());
        programmer.Apply(fabric.Compiled.ProgramOf(TenantFabric.Ingress).FullState(fabric.Compiled.Version));
        InPort = fabric.Compiled.VnicNumber(TenantFabric.Ingress, from);
        Uplink = (InternalPort)programmer.PortNamedByProgram(TenantFabric.Uplink)!;
        var firstHop = Traffic.Mac(MacAddress.FirstHop(fabric.NetworkOf(_from), _to));
        _frames = new FrameMix(Enumerable.Range(0, flows)
            .Select(i => FrameMix.Udp(firstHop, Traffic.Mac(_from), Traffic.Ip(_from.Ipv4), Traffic.Ip(_to.Ipv4), (ushort)(FirstSourcePort + i)))
            .ToArray());
    }

    public EdgeSwitch Switch { get; }

    public uint InPort { get; }

    public InternalPort Uplink { get; }

    public bool IsRouted => _from.Network != _to.Network;

    public FrameMix Frames => _frames;

    /// <summary>Counts <paramref name="count"/> frames as sent by a caller that filled the burst itself.</summary>
    public void CountSent(int count) => _sent += count;

    /// <summary>Runs the next burst of the mix through the switch; returns where the burst after it starts.</summary>
    public int Send(PacketBurst burst, int next)
    {
        next = _frames.Refill(burst, next);
        Switch.Datapath.Process(InPort, burst);
        _sent += burst.Count;
        return next;
    }

    /// <summary>
    /// Throws unless the mix takes the path it is meant to, so that no figure measures drops: out of the uplink
    /// under the transport and service labels toward its port, through the router (rewritten, one hop fewer) only
    /// when routed, past a port-security check that drops a spoofed source only when the port has one.
    /// </summary>
    public void CheckPath()
    {
        var trace = Switch.Trace(InPort, _frames[0]);
        var labels = new[] { _fabric.Compiled.TransportLabel(TenantFabric.Core, TenantFabric.Egress), _fabric.Compiled.ServiceLabel(TenantFabric.Egress, _to.Name) };
        Require(trace.TracedOutputs is [var output] && output.Port == Uplink.Number && output.PushedLabels.SequenceEqual(labels), trace, $"one copy out of uplink {Uplink.Number} under labels {string.Join('/', labels)}");

        var routed = trace.Steps.Any(s => s.TableId == EdgeTables.Route && s.Entry is { IsTableMiss: false });
        Require(routed == IsRouted, trace, IsRouted ? "a route entry" : "no route entry");
        if (IsRouted)
        {
            var router = Traffic.Mac(MacAddress.RouterOf(_fabric.NetworkOf(_from).Tenant));
            Require(
                trace.Actions.Contains(DatapathAction.EthAddresses(DatapathActionKind.RouteHop, router, Traffic.Mac(_to))),
                trace,
                "the router's rewrite, compiled into one action: its MAC as source, the port's as destination, TTL minus one");
        }

        var spoofed = FrameMix.Udp(Traffic.Mac(_to), Traffic.Mac(_from), Traffic.Ip("192.0.2.7"), Traffic.Ip(_to.Ipv4), FirstSourcePort);
        var spoofTrace = Switch.Trace(InPort, spoofed);
        var stopped = spoofTrace.Dropped && spoofTrace.Steps[^1].TableId == EdgeTables.PortSecurity;
        Require(stopped == _from.PortSecurity, spoofTrace, _from.PortSecurity ? "port security to drop a spoofed source" : "no port security");

        Send(new PacketBurst(), 0);
        CheckAllLeftByUplink();
    }

    /// <summary>Throws unless every frame sent so far left through the uplink.</summary>
    public void CheckAllLeftByUplink()
    {
        if (Uplink.TransmittedCount != _sent)
        {
            var counters = Switch.Datapath.Counters;
            throw new InvalidOperationException(
                $"{_from.Name} -> {_to.Name}: {_sent} frames sent, {Uplink.TransmittedCount} out of the uplink (no output {counters.NoOutput}, TTL expired {counters.TtlExpired}, push failed {counters.PushFailed}); the figures would measure drops");
        }
    }

    private void Require(bool condition, PipelineTrace trace, string expected)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{_from.Name} -> {_to.Name}: expected {expected}, but the trace reads:{Environment.NewLine}{trace}");
        }
    }
}
