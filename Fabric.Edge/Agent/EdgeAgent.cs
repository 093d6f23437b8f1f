using Grpc.Core;
using Sdn.Common.Capture;
using Sdn.Common.Interop;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// The controller's agent on an edge: applies the batches the controller sends through an
/// <see cref="EdgeProgrammer"/>, reports uplink liveness as it changes and counters when asked, and runs the
/// controller's traces, captures, mirrors and pings on its ports.
/// </summary>
/// <remarks>
/// The switch is single-threaded, so batches arrive on the agent's thread but are applied under
/// <see cref="SwitchLock"/>; whoever drives the switch calls <see cref="Poll"/> (or holds the lock), so a batch
/// always lands between two bursts.
/// </remarks>
public sealed class EdgeAgent : SouthboundAgent
{
    private readonly EdgeSwitch _switch;

    /// <param name="ports">Realizes the device a port config names under the config's number, and takes it down when the port goes.</param>
    /// <param name="log">Takes a line for each exception the agent survives; standard error by default.</param>
    public EdgeAgent(
        string name, EdgeSwitch edge, IPortBinder<IEdgePort> ports, ControllerAddresses controller, RpcSettings? settings = null, TimeSpan? retryDelay = null, Action<string>? log = null)
        : base(name, NodeRole.Edge, controller, settings, retryDelay, log)
    {
        _switch = edge;
        Programmer = new EdgeProgrammer(edge, ports);
    }

    public Lock SwitchLock { get; } = new();

    public EdgeProgrammer Programmer { get; }

    public override ulong AppliedVersion
    {
        get
        {
            lock (SwitchLock)
            {
                return Programmer.Version;
            }
        }
    }

    /// <summary>Tells the controller what became of a port's VM or host: pending, up, or failed with the reason.</summary>
    public void ReportPort(PortStatus status) => Report(new AgentMessage { PortStatus = status });

    /// <summary>One round of the switch: uplink liveness into the groups (and to the controller), then one burst per port.</summary>
    public int Poll()
    {
        lock (SwitchLock)
        {
            foreach (var change in Programmer.RefreshLiveness())
            {
                Report(new AgentMessage { LinkStatus = change });
            }

            return _switch.Poll();
        }
    }

    /// <summary>Every bound port's counters, the datapath's drops by reason and cache tiers, and each table's entries.</summary>
    public override CounterReport Counters()
    {
        lock (SwitchLock)
        {
            return EdgeCounterReport.Of(_switch, Programmer.Program);
        }
    }

    /// <summary>When the switch next needs a poll although no frame arrived: an uplink's liveness timer.</summary>
    public long NextTimerDue()
    {
        lock (SwitchLock)
        {
            return _switch.Datapath.NextTimerDue();
        }
    }

    protected override void Apply(ProgramBatch batch)
    {
        lock (SwitchLock)
        {
            Programmer.Apply(batch);
        }

        // A parked switch thread learns of new ports and their timers now, even one whose park was timed before them.
        _switch.Datapath.Doorbell.Wake();
    }

    /// <summary>An uplink's captures see the link's own frames; any other port's, the frames the switch exchanges with it.</summary>
    protected override CaptureTap? CaptureTapOf(string port)
    {
        lock (SwitchLock)
        {
            return Programmer.PortNamedByProgram(port) switch
            {
                UplinkPort uplink => uplink.Link.Capture.Tap,
                { } bound => _switch.Datapath.CaptureTap(bound.Number),
                null => null,
            };
        }
    }

    /// <summary>Answers the controller's diagnostic requests: a trace, a dump of the flow tables; starts mirrors and pings.</summary>
    protected override AgentMessage? Answer(ControllerMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request.KindCase)
        {
            case ControllerMessage.KindOneofCase.Trace:
                return new AgentMessage { TraceReply = new TraceReply { RequestId = request.Trace.RequestId, Result = Trace(request.Trace) } };
            case ControllerMessage.KindOneofCase.Flows:
                return new AgentMessage { FlowsReply = Flows(request.Flows) };
            case ControllerMessage.KindOneofCase.MirrorStart:
                StartMirror(request.MirrorStart);
                return null;
            case ControllerMessage.KindOneofCase.PingStart:
                StartPing(request.PingStart);
                return null;
            default:
                return null;
        }
    }

    private void StartMirror(MirrorStart start)
    {
        if (CaptureTapOf(start.Port) is not { } tap)
        {
            Fail(start.MirrorId, StatusCode.NotFound, $"port '{start.Port}' is not on edge {NodeName}");
            return;
        }

        if (Directory.Exists(Path.Combine("/sys/class/net", start.TapName)))
        {
            Fail(start.MirrorId, StatusCode.AlreadyExists, $"a network device named '{start.TapName}' exists already on the host of edge {NodeName}; choose another name");
            return;
        }

        try
        {
            Track(start.MirrorId, new AgentMirror(TapMirror.Start(tap, start.Port, start.TapName), start, Report));
        }
        catch (Exception e) when (e is TapException or ExternalCommandException)
        {
            Fail(start.MirrorId, StatusCode.FailedPrecondition, $"edge {NodeName} cannot mirror to TAP device '{start.TapName}': {e.Message}");
        }
    }

    private void StartPing(PingStart start)
    {
        IEdgePort? port;
        lock (SwitchLock)
        {
            port = Programmer.PortNamedByProgram(start.Port);
        }

        if (port is null || _switch.Datapath.CaptureTap(port.Number) is not { } tap)
        {
            Fail(start.PingId, StatusCode.NotFound, $"port '{start.Port}' is not on edge {NodeName}");
            return;
        }

        try
        {
            Track(start.PingId, EdgePing.Start(start, tap, burst => Inject(port.Number, burst), Report, error => Fail(start.PingId, "ping", error)));
        }
        catch (FormatException e)
        {
            Fail(start.PingId, StatusCode.InvalidArgument, $"ping from port '{start.Port}': {e.Message}");
        }
    }

    /// <summary>Runs <paramref name="burst"/> through the switch as if port <paramref name="number"/> had received it.</summary>
    private void Inject(uint number, PacketBurst burst)
    {
        lock (SwitchLock)
        {
            _switch.Datapath.Process(number, burst);
        }
    }

    private TraceResult Trace(AgentTraceRequest request)
    {
        lock (SwitchLock)
        {
            var port = Programmer.PortConfigNamed(request.Port);
            return port is null
                ? new TraceResult { Verdict = $"port '{request.Port}' is not on edge {NodeName}" }
                : TraceReport.Of(_switch.Trace(port.Number, request.Packet.Span, request.CtState == 0 ? null : (Conntrack.CtState)request.CtState), Programmer.Program);
        }
    }

    private AgentFlowsReply Flows(AgentFlowsRequest request)
    {
        lock (SwitchLock)
        {
            var tableCount = _switch.Pipeline.Tables.Count;
            return request.HasTableId && request.TableId >= tableCount
                ? new AgentFlowsReply
                {
                    RequestId = request.RequestId,
                    Status = (int)StatusCode.InvalidArgument,
                    Message = $"table {request.TableId} does not exist; edge {NodeName} has tables 0 to {tableCount - 1}",
                }
                : new AgentFlowsReply
                {
                    RequestId = request.RequestId,
                    Dump = FlowTableDump.Of(NodeName, _switch, Programmer.Program, request.HasTableId ? request.TableId : null),
                };
        }
    }

    protected override void Describe(Hello hello)
    {
        lock (SwitchLock)
        {
            foreach (var port in Programmer.Program.Ports.Values)
            {
                if (Programmer.Port(port.Name) is UplinkPort uplink)
                {
                    hello.Links.Add(new LinkStatus { Interface = uplink.Name, Up = uplink.IsUp });
                }
                else
                {
                    hello.Ports.Add(new PortStatus { Port = port.Name, Up = true });
                }
            }
        }
    }
}
