using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>
/// topologies/stateful.yaml compiled and installed into real edges and a real core node: front may open TCP and UDP
/// 5432 to back, on another edge; the replies and the ICMP errors about front's connections come back, and nothing
/// that opens no connection of front's does.
/// </summary>
public sealed class StatefulAclTests : IDisposable
{
    private const ushort Postgres = 5432;
    private const ushort Ephemeral = 40000;

    private readonly FabricState _state;
    private readonly CompiledFabric _compiled;
    private readonly FabricRig _rig;
    private readonly Port _front;
    private readonly Port _back;

    public StatefulAclTests()
    {
        _state = Topologies.Load("stateful.yaml").Snapshot();
        _compiled = FabricCompiler.Compile(_state);
        _rig = new FabricRig(_state);
        _rig.Install(_compiled);
        (_front, _back) = (_state.Ports.Single(p => p.Name == "a-front"), _state.Ports.Single(p => p.Name == "a-back"));
    }

    [Fact]
    public void Front_opens_a_tcp_connection_and_backs_answers_come_back()
    {
        Assert.Single(Deliver(_front, _back, Tcp(_front, _back, Ephemeral, Postgres, TcpHeader.Syn)));
        Assert.Single(Deliver(_back, _front, Tcp(_back, _front, Postgres, Ephemeral, TcpHeader.Syn | TcpHeader.Ack)));
        Assert.Single(Deliver(_front, _back, Tcp(_front, _back, Ephemeral, Postgres, TcpHeader.Ack)));
        Assert.Single(Deliver(_back, _front, Tcp(_back, _front, Postgres, Ephemeral, TcpHeader.Ack | TcpHeader.Psh)));
    }

    [Fact]
    public void Back_opens_nothing_and_an_answer_to_no_connection_is_dropped()
    {
        Assert.Empty(Deliver(_back, _front, Tcp(_back, _front, Ephemeral, Postgres, TcpHeader.Syn)));
        Assert.Empty(Deliver(_back, _front, Tcp(_back, _front, Postgres, Ephemeral, TcpHeader.Syn | TcpHeader.Ack)));
        Assert.Empty(Deliver(_back, _front, Udp(_back, _front, Postgres, Ephemeral)));
        Assert.Empty(Deliver(_front, _back, Tcp(_front, _back, Ephemeral, 22, TcpHeader.Syn)));
    }

    [Fact]
    public void An_icmp_error_about_fronts_datagram_comes_back_as_related()
    {
        var datagram = Assert.Single(Deliver(_front, _back, Udp(_front, _back, Ephemeral, Postgres)));

        var error = Deliver(_back, _front, PortUnreachable(_back, _front, datagram));
        var unrelated = Deliver(_back, _front, PortUnreachable(_back, _front, Udp(_front, _back, Ephemeral + 1, Postgres)));

        Assert.Single(error);
        Assert.Empty(unrelated);
    }

    [Fact]
    public void A_trace_of_backs_answer_shows_the_state_the_tracker_holds()
    {
        Deliver(_front, _back, Tcp(_front, _back, Ephemeral, Postgres, TcpHeader.Syn));
        var answer = Tcp(_back, _front, Postgres, Ephemeral, TcpHeader.Syn | TcpHeader.Ack);

        var trace = _rig.Edges[_back.Edge].Trace(_compiled.VnicNumber(_back.Edge, _back.Name), answer);

        Assert.Equal(Fabric.Edge.Conntrack.CtState.Tracked | Fabric.Edge.Conntrack.CtState.Established | Fabric.Edge.Conntrack.CtState.Reply, trace.CtState);
        Assert.NotEmpty(trace.Outputs);
    }

    [Fact]
    public void Only_a_stateful_tenants_acl_and_egress_go_through_the_tracker()
    {
        var stateful = _compiled.ProgramOf("e2").Flows.Values;
        var stateless = FabricCompiler.Compile(Topologies.MultiTenant().Snapshot()).ProgramOf("e3").Flows.Values;

        Assert.Contains(stateful, f => f.TableId == EdgeTables.Acl && f.Priority == AclCompiler.TrackingPriority && Actions(f).Any(a => a.Ct is { HasTable: true }));
        Assert.Contains(stateful, f => f.TableId == EdgeTables.Egress && Actions(f).Any(a => a.Ct is { Commit: true }));
        Assert.DoesNotContain(stateless, f => Actions(f).Any(a => a.Ct is not null));
        Assert.DoesNotContain(stateless, f => f.Match.Any(m => m.Field == Field.CtState));
    }

    [Fact]
    public void A_stateful_rules_allow_matches_only_new_connections_and_commits_them()
    {
        var rule = _state.AclRules.First(r => r.Stateful);

        var entry = Assert.Single(AclCompiler.Compile(rule, 3));

        var ctState = Assert.Single(entry.Match, m => m.Field == Field.CtState);
        Assert.Equal((ProgramMessages.CtTracked | ProgramMessages.CtNew, ProgramMessages.CtTracked | ProgramMessages.CtNew), (ctState.Value[0], ctState.Mask[0]));
        Assert.Equal(new CtAction { Zone = 3, Commit = true }, Actions(entry).Single().Ct);
    }

    public void Dispose() => _rig.Dispose();

    private static IEnumerable<FlowAction> Actions(FlowEntry entry) => entry.Instructions.Where(i => i.ApplyActions is not null).SelectMany(i => i.ApplyActions.Actions);

    private IReadOnlyList<byte[]> Deliver(Port from, Port to, byte[] frame) => _rig.Send(from.Name, frame)[to.Name];

    /// <summary>Routed: each side sends to its tenant router's MAC.</summary>
    private static byte[] Tcp(Port from, Port to, ushort sourcePort, ushort destinationPort, byte flags) => Traffic.Build((ref FrameBuilder b) =>
    {
        b.Ethernet(Router, Traffic.Mac(from), EtherTypes.Ipv4);
        b.Ipv4(Traffic.Ip(from.Ipv4), Traffic.Ip(to.Ipv4), IpProtocols.Tcp);
        b.Tcp(sourcePort, destinationPort, 1, 1, flags);
    });

    private static byte[] Udp(Port from, Port to, ushort sourcePort, ushort destinationPort) => Traffic.Build((ref FrameBuilder b) =>
    {
        b.Ethernet(Router, Traffic.Mac(from), EtherTypes.Ipv4);
        b.Ipv4(Traffic.Ip(from.Ipv4), Traffic.Ip(to.Ipv4), IpProtocols.Udp);
        b.Udp(sourcePort, destinationPort);
        b.Payload("query"u8);
    });

    /// <summary>ICMP port unreachable from <paramref name="from"/> quoting the IP header and 8 bytes of <paramref name="quoted"/>.</summary>
    private static byte[] PortUnreachable(Port from, Port to, byte[] quoted) => Traffic.Build((ref FrameBuilder b) =>
    {
        b.Ethernet(Router, Traffic.Mac(from), EtherTypes.Ipv4);
        b.Ipv4(Traffic.Ip(from.Ipv4), Traffic.Ip(to.Ipv4), IpProtocols.Icmp);
        var body = new byte[8 + 28];
        (body[0], body[1]) = (3, 3);
        quoted.AsSpan(EthernetHeader.Size, 28).CopyTo(body.AsSpan(8));
        b.Payload(body);
    });

    private static ulong Router => Traffic.Mac(MacAddress.RouterOf("alpha"));
}
