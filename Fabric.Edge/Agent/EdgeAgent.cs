using Sdn.Fabric.Core.Protos;
using Sdn.Fabric.Core.Rpc;
using Sdn.Fabric.Core.Southbound;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// The controller's agent on an edge: applies the batches the controller sends through an
/// <see cref="EdgeProgrammer"/>, reports uplink liveness as it changes and counters when asked.
/// </summary>
/// <remarks>
/// The switch is single-threaded, so batches arrive on the agent's thread but are applied under
/// <see cref="SwitchLock"/>; whoever drives the switch calls <see cref="Poll"/> (or holds the lock), so a batch
/// always lands between two bursts.
/// </remarks>
public sealed class EdgeAgent : SouthboundAgent
{
    private readonly EdgeSwitch _switch;

    /// <param name="bindPort">Attaches the device a port config names, under the config's number.</param>
    public EdgeAgent(string name, EdgeSwitch edge, Func<PortConfig, IEdgePort> bindPort, Uri controller, RpcOptions? options = null, TimeSpan? retryDelay = null)
        : base(name, NodeRole.Edge, controller, options, retryDelay)
    {
        _switch = edge;
        Programmer = new EdgeProgrammer(edge, bindPort);
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

    /// <summary>Sends every bound port's counters to the controller.</summary>
    public void ReportCounters()
    {
        var report = new CounterReport();
        lock (SwitchLock)
        {
            foreach (var port in Programmer.Program.Ports.Values)
            {
                if (_switch.Datapath.PortCounters(port.Number) is { } counters)
                {
                    report.Ports.Add(new Core.Protos.PortCounters
                    {
                        Port = port.Name,
                        RxPackets = (ulong)counters.RxPackets,
                        RxBytes = (ulong)counters.RxBytes,
                        TxPackets = (ulong)counters.TxPackets,
                        TxBytes = (ulong)counters.TxBytes,
                        RxDropped = (ulong)counters.RxMalformed,
                        TxDropped = (ulong)counters.TxDropped,
                    });
                }
            }
        }

        Report(new AgentMessage { Counters = report });
    }

    protected override void Apply(ProgramBatch batch)
    {
        lock (SwitchLock)
        {
            Programmer.Apply(batch);
        }
    }

    /// <summary>Answers the controller's diagnostic requests: a trace of a packet arriving on a port, a dump of the flow tables.</summary>
    protected override AgentMessage? Answer(ControllerMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.KindCase switch
        {
            ControllerMessage.KindOneofCase.Trace => new AgentMessage { TraceReply = new TraceReply { RequestId = request.Trace.RequestId, Result = Trace(request.Trace) } },
            ControllerMessage.KindOneofCase.Flows => new AgentMessage { FlowsReply = Flows(request.Flows) },
            _ => null,
        };
    }

    private TraceResult Trace(AgentTraceRequest request)
    {
        lock (SwitchLock)
        {
            var port = Programmer.Program.Ports.Values.FirstOrDefault(p => p.Name == request.Port);
            return port is null
                ? new TraceResult { Verdict = $"port '{request.Port}' is not on edge {NodeName}" }
                : TraceReport.Of(_switch.Trace(port.Number, request.Packet.Span), Programmer.Program);
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
