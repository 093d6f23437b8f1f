using Grpc.Core;
using Sdn.Common.Capture;
using Sdn.Common.Capture.Native;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Southbound;

namespace Sdn.Fabric.Controller.Northbound;

/// <summary>
/// The northbound calls that run on the agents for as long as the client keeps them open: Capture, Mirror and
/// Ping, which <see cref="ControllerService"/> hands here. Each request is checked in full here (names, filter, lengths) before any agent is asked, so a bad one
/// starts nothing; what an agent still refuses ends the call with the agent's status.
/// </summary>
public sealed class LiveDebugging
{
    private const uint DefaultSnapLength = CaptureOptions.MaxSnapLength;
    private const uint DefaultPingCount = 4;
    private const uint MaxPingCount = 10_000;
    private const uint DefaultPingIntervalMs = 1000;
    private const uint MinPingIntervalMs = 1;
    private const uint DefaultPingTimeoutMs = 1000;
    private const uint MaxPingTimeoutMs = 60_000;
    private const int MaxInterfaceName = 15;

    private readonly FabricModel _model;
    private readonly AgentHub _agents;

    public LiveDebugging(FabricModel model, AgentHub agents)
    {
        this._model = model;
        this._agents = agents;
    }

    public async Task CaptureAsync(CaptureRequest request, IServerStreamWriter<CapturedPacket> packets, CancellationToken cancellationToken)
    {
        if (request.Ports.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "name at least one port to capture: a port, or node/interface for an uplink or core link"));
        }

        var snapLength = request.SnapLength == 0 ? DefaultSnapLength : request.SnapLength;
        if (snapLength > CaptureOptions.MaxSnapLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"snap_length {request.SnapLength} is out of range: give 1 to {CaptureOptions.MaxSnapLength}, or 0 for the whole frame"));
        }

        if (!Enum.IsDefined(request.Direction))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"direction {(int)request.Direction} is not in, out or both"));
        }

        CheckFilter(request.Filter);
        var targets = await ControllerService.Answer(() => request.Ports.Select(Target).ToList()).ConfigureAwait(false);
        using var capture = _agents.Start([.. targets.Select(t => (t.Node, Start(t.Port)))]);

        var agentDrops = new Dictionary<(string Node, string Port), ulong>();
        var sent = 0u;
        var toldDropped = 0ul;
        await foreach (var (node, message) in capture.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            AgentRequest.ThrowIfFailed(message);
            if (message.CaptureDrops is { } drops)
            {
                agentDrops[(node, drops.Port)] = drops.Dropped;
                var dropped = Dropped();
                if (request.ReportDrops && dropped != toldDropped)
                {
                    // No frame, only the count: the agents report drops as they change, packets or not.
                    toldDropped = dropped;
                    await packets.WriteAsync(new CapturedPacket { Dropped = toldDropped }, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (message.CapturedPacket is { } packet)
            {
                packet.Node = node;
                packet.CaptureId = 0;
                packet.Dropped = toldDropped = Dropped();
                await packets.WriteAsync(packet, cancellationToken).ConfigureAwait(false);
                if (++sent == request.MaxPackets)
                {
                    return;
                }
            }
        }

        ulong Dropped() => agentDrops.Values.Aggregate(0ul, (sum, d) => sum + d) + (ulong)capture.Lost;

        Func<ulong, ControllerMessage> Start(string port) => id => new ControllerMessage
        {
            CaptureStart = new CaptureStart
            {
                CaptureId = id,
                Port = port,
                Direction = request.Direction == Direction.Unspecified ? Direction.Both : request.Direction,
                Filter = request.Filter,
                SnapLength = snapLength,
            },
        };
    }

    public async Task MirrorAsync(MirrorRequest request, IServerStreamWriter<MirrorCounters> counters, CancellationToken cancellationToken)
    {
        CheckInterfaceName(request.TapName);
        var (node, port) = await ControllerService.Answer(() => Target(request.Port)).ConfigureAwait(false);
        if (!_model.List(ResourceKinds.Edges).Any(e => e.Name == node))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"'{request.Port}' is a core link; mirrors run on edge ports and uplinks, so capture it with `sdn capture {request.Port}` instead"));
        }

        using var mirror = _agents.Start(
            [(node, id => new ControllerMessage { MirrorStart = new MirrorStart { MirrorId = id, Port = port, TapName = request.TapName } })]);
        await foreach (var (from, message) in mirror.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            AgentRequest.ThrowIfFailed(message);
            if (message.MirrorCounters is { } reported)
            {
                reported.MirrorId = 0;
                reported.Node = from;
                await counters.WriteAsync(reported, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task PingAsync(PingRequest request, IServerStreamWriter<PingEcho> echoes, CancellationToken cancellationToken)
    {
        var count = request.Count == 0 ? DefaultPingCount : request.Count;
        var interval = request.IntervalMs == 0 ? DefaultPingIntervalMs : request.IntervalMs;
        var timeout = request.TimeoutMs == 0 ? DefaultPingTimeoutMs : request.TimeoutMs;
        if (count > MaxPingCount || interval < MinPingIntervalMs || timeout > MaxPingTimeoutMs)
        {
            throw new RpcException(new Status(
                StatusCode.InvalidArgument,
                $"count must be at most {MaxPingCount}, interval_ms at least {MinPingIntervalMs} and timeout_ms at most {MaxPingTimeoutMs} (got {request.Count}, {request.IntervalMs}, {request.TimeoutMs})"));
        }

        var (source, destination, firstHop) = await ControllerService.Answer(() => PingEnds(request)).ConfigureAwait(false);
        var start = new PingStart
        {
            Port = source.Name,
            SourceMac = source.Mac,
            DestinationMac = firstHop,
            Count = count,
            IntervalMs = interval,
            TimeoutMs = timeout,
        };
        if (request.Ipv6)
        {
            (start.SourceIpv6, start.DestinationIpv6) = (source.Ipv6, destination.Ipv6);
        }
        else
        {
            (start.SourceIpv4, start.DestinationIpv4) = (source.Ipv4, destination.Ipv4);
        }

        using var ping = _agents.Start([(source.Edge, id => new ControllerMessage { PingStart = new PingStart(start) { PingId = id } })]);
        var reported = 0u;
        await foreach (var (_, message) in ping.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            AgentRequest.ThrowIfFailed(message);
            if (message.PingEcho is { } echo)
            {
                echo.PingId = 0;
                echo.DestinationIpv4 = start.DestinationIpv4;
                echo.DestinationIpv6 = start.DestinationIpv6;
                await echoes.WriteAsync(echo, cancellationToken).ConfigureAwait(false);
                if (++reported == count)
                {
                    return;
                }
            }
        }
    }

    /// <summary>A model port (on its edge), or "node/interface" naming one end of a link.</summary>
    private (string Node, string Port) Target(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            var port = _model.Get(ResourceKinds.Ports, name);
            return (port.Edge, port.Name);
        }

        var (node, link) = (name[..slash], name[(slash + 1)..]);
        return _model.List(ResourceKinds.Links).Any(l => (l.A.Node == node && l.A.Interface == link) || (l.B.Node == node && l.B.Interface == link))
            ? (node, link)
            : throw ModelException.NotFound("interface", name);
    }

    /// <summary>The ping's endpoints, and the MAC the source sends to: the destination's, or its router's across networks.</summary>
    private (Port Source, Port Destination, string FirstHop) PingEnds(PingRequest request)
    {
        var source = Endpoint(request.Source, "source");
        var destination = Endpoint(request.Destination, "destination");
        if (request.Ipv6 && new[] { source, destination }.FirstOrDefault(p => p.Ipv6.Length == 0) is { } v4Only)
        {
            throw ModelException.Invalid($"'{v4Only.Name}' has no IPv6 address: network '{v4Only.Network}' has no IPv6 subnet", "ipv6");
        }

        return (source, destination, MacAddress.FirstHop(_model.Get(ResourceKinds.Networks, source.Network), destination));
    }

    /// <summary>A VM's or host's port, by the endpoint's name.</summary>
    private Port Endpoint(string name, string field) =>
        name.Length == 0 ? throw ModelException.Invalid($"{field} must name a VM or host of the topology") : _model.Get(ResourceKinds.Ports, name);

    /// <summary>Compiles the filter as the agents will, for whole Ethernet frames, to refuse it before they are asked.</summary>
    /// <exception cref="RpcException">
    /// INVALID_ARGUMENT with libpcap's message; FAILED_PRECONDITION naming the package to install when libpcap is missing.
    /// </exception>
    private static void CheckFilter(string filter)
    {
        try
        {
            BpfFilter.Compile(filter, LinkType.Ethernet, CaptureOptions.MaxSnapLength).Dispose();
        }
        catch (CaptureFilterException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message, e));
        }
        catch (Exception e) when (NativePackages.Problem(e) is not null)
        {
            throw new RpcException(FailureStatus.Of(e, "the controller cannot check capture filters"));
        }
    }

    private static void CheckInterfaceName(string name)
    {
        if (name.Length is 0 or > MaxInterfaceName || name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || c > '~'))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"tap_name '{name}' is not a Linux interface name: give 1 to {MaxInterfaceName} printable ASCII characters without '/', ':' or spaces"));
        }
    }
}
