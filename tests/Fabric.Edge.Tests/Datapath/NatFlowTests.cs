using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;
using static Sdn.Fabric.Edge.Tests.Support.NatAddresses;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>
/// SNAT in the pipeline, run through the cached datapath: port 1 is inside, port 2 outside. Table 0 looks IPv4 up with
/// ct(zone=5, nat), which rewrites a known connection's packets either way, and goes on to table 1, which decides on
/// the ct_state; a new connection from inside is committed with nat(src=198.51.100.2:50000-50001) and leaves
/// translated. The same program for IPv6 translates to 2001:db8::2 (NAT66).
/// </summary>
public class NatFlowTests
{
    private const ushort Zone = 5;

    [Fact]
    public void The_opening_packet_leaves_from_the_gateway_and_the_reply_comes_back_to_the_inside_port()
    {
        var rig = Programmed();

        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        rig.Send(2, Frames.Udp(Server, Gateway, 53, 50000));

        Assert.Equal(Frames.Udp(Gateway, Server, 50000, 53), rig.SingleOut(2));
        Assert.Equal(Frames.Udp(Server, Inside, 53, 40000), rig.SingleOut(1));
    }

    [Fact]
    public void Later_packets_of_the_connection_hit_the_cache_and_are_still_translated_per_packet()
    {
        var rig = Programmed();
        rig.Send(1, Frames.TcpSegment(Inside, Server, 40000, 80, TcpHeader.Syn));
        rig.Send(2, Frames.TcpSegment(Server, Gateway, 80, 50000, TcpHeader.Syn | TcpHeader.Ack));
        rig.Port(1).TakeTransmitted();
        rig.Port(2).TakeTransmitted();
        var hitsBefore = rig.Switch.Datapath.Cache.MegaflowHits + rig.Switch.Datapath.Cache.ExactHits;

        rig.Send(1, Frames.TcpSegment(Inside, Server, 40000, 80, TcpHeader.Ack));
        rig.Send(1, Frames.TcpSegment(Inside, Server, 40000, 80, TcpHeader.Ack));

        Assert.All(rig.Port(2).TakeTransmitted(), frame => Assert.Equal(Frames.TcpSegment(Gateway, Server, 50000, 80, TcpHeader.Ack), frame));
        Assert.True(rig.Switch.Datapath.Cache.MegaflowHits + rig.Switch.Datapath.Cache.ExactHits >= hitsBefore + 2);
    }

    [Fact]
    public void A_connection_with_no_port_left_is_dropped_and_counted_and_the_others_go_on()
    {
        var rig = Programmed();
        rig.Send(1, Frames.Udp(Inside, Server, 1, 53));
        rig.Send(1, Frames.Udp(Inside, Server, 2, 53));

        rig.Send(1, Frames.Udp(Inside, Server, 3, 53));
        rig.Send(1, Frames.Udp(Inside, Server, 1, 53));

        Assert.Equal(3, rig.Port(2).TakeTransmitted().Count);
        Assert.Equal(1, rig.Switch.Datapath.Counters.NatPortsExhausted);
        Assert.Contains(new KeyValuePair<string, long>("nat_ports_exhausted", 1), rig.Switch.Datapath.Counters.ByReason());
    }

    [Fact]
    public void A_packet_nat_cannot_rewrite_is_dropped_and_counted()
    {
        var rig = new SwitchRig();
        rig.Pipeline.Add(0, 100, FlowMatch.Any.CtState(default, CtState.Tracked), PipelineAction.Ct(Zone, table: 0));
        rig.Pipeline.Add(0, 90, FlowMatch.Any.InPort(1).CtState(CtState.Tracked | CtState.New), PipelineAction.Ct(Zone, commit: true, translation: Snat()), PipelineAction.Output(2));

        rig.Send(1, Frames.Udp6(UInt128.One, UInt128.One << 1));

        Assert.Empty(rig.Port(2).TakeTransmitted());
        Assert.Equal(1, rig.Switch.Datapath.Counters.NatUntranslatable);
        Assert.Equal(0, rig.Switch.Datapath.Conntrack.Count);
    }

    [Fact]
    public void Ipv6_leaves_from_the_gateways_ipv6_address_and_its_reply_comes_back_through_the_cache()
    {
        var rig = Programmed(ipv6: true);

        for (var i = 0; i < 3; i++)
        {
            rig.Send(1, Frames.Tcp6Segment(Inside6, Server6, 40000, 443, i == 0 ? TcpHeader.Syn : TcpHeader.Ack));
            Assert.Equal(Frames.Tcp6Segment(Gateway6, Server6, 50000, 443, i == 0 ? TcpHeader.Syn : TcpHeader.Ack), rig.SingleOut(2));
            rig.Send(2, Frames.Tcp6Segment(Server6, Gateway6, 443, 50000, TcpHeader.Syn | TcpHeader.Ack));
            Assert.Equal(Frames.Tcp6Segment(Server6, Inside6, 443, 40000, TcpHeader.Syn | TcpHeader.Ack), rig.SingleOut(1));
        }

        Assert.Equal((1L, 0L), (rig.Switch.Datapath.Conntrack.Translated, rig.Switch.Datapath.Counters.NatUntranslatable));
    }

    [Fact]
    public void A_commit_action_carries_an_ipv6_translation_whole()
    {
        var translation = new NatTranslation(NatSide.Source, ((UInt128)0x2001_0DB8_0000_0100UL << 64) | 2, 32768, 60999, ReplyZone: 65280, IsIpv6: true);

        var action = DatapathAction.CtCommitIn(Zone, translation);

        Assert.Equal(translation, action.CtTranslation);
        Assert.Equal(translation with { Side = NatSide.Destination, FirstPort = 0, LastPort = 0 }, DatapathAction.CtNatIn(Zone, translation with { Side = NatSide.Destination, FirstPort = 0, LastPort = 0 }).CtTranslation);
        Assert.Equal("ct_commit(zone=5,nat(src=[2001:db8:0:100::2]:32768-60999,reply_zone=65280))", action.ToString());
    }

    [Fact]
    public void A_commit_action_carries_every_part_of_its_translation()
    {
        var translation = new NatTranslation(NatSide.Destination, Inside, ReplyZone: 11);

        var action = DatapathAction.CtCommitIn(Zone, translation);

        Assert.Equal(translation, action.CtTranslation);
        Assert.Equal(Snat(), DatapathAction.CtCommitIn(Zone, Snat()).CtTranslation);
        Assert.Null(DatapathAction.CtCommitIn(Zone, null).CtTranslation);
        Assert.Equal("ct_commit(zone=5,nat(dst=10.1.0.100,reply_zone=11))", action.ToString());
    }

    [Fact]
    public void A_trace_of_a_new_connection_says_what_it_is_translated_to()
    {
        var rig = Programmed();

        var trace = rig.Switch.Trace(1, Frames.Udp(Inside, Server, 40000, 53));

        Assert.Contains(trace.Actions, a => a.ToString() == "ct_commit(zone=5,nat(src=198.51.100.2:50000-50001))");
        Assert.Contains(trace.Notes, n => n.Contains("translated src=198.51.100.2:50000-50001", StringComparison.Ordinal));
    }

    [Fact]
    public void A_trace_of_a_reply_says_what_its_connection_rewrites_it_to()
    {
        var rig = Programmed();
        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));

        var trace = rig.Switch.Trace(2, Frames.Udp(Server, Gateway, 53, 50000));

        Assert.Equal([1u], trace.Outputs);
        Assert.Contains("nat: its connection rewrites it to zone=5 proto=17 198.51.100.200:53 -> 10.1.0.100:40000", trace.Notes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forwarding_a_translated_connection_allocates_nothing(bool ipv6)
    {
        var edge = new EdgeSwitch(2);
        edge.AddPort(new InternalPort(1, "p1"));
        edge.AddPort(new InternalPort(2, "p2"));
        Program(edge.Pipeline, ipv6);
        var burst = new PacketBurst();
        var outbound = ipv6 ? Frames.Udp6(Inside6, Server6, sourcePort: 40000, destinationPort: 53) : Frames.Udp(Inside, Server, 40000, 53);
        var inbound = ipv6 ? Frames.Udp6(Server6, Gateway6, sourcePort: 53, destinationPort: 50000) : Frames.Udp(Server, Gateway, 53, 50000);
        BurstOfOne.Run(edge, burst, outbound, 1);
        BurstOfOne.Run(edge, burst, inbound, 2);

        Allocations.AssertNone(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                BurstOfOne.Run(edge, burst, outbound, 1);
                BurstOfOne.Run(edge, burst, inbound, 2);
            }
        });
        Assert.Equal(0, edge.Datapath.Counters.NoOutput);
    }

    private static NatTranslation Snat() => new(NatSide.Source, Gateway, 50000, 50001);

    private static SwitchRig Programmed(bool ipv6 = false)
    {
        var rig = new SwitchRig();
        Program(rig.Pipeline, ipv6);
        return rig;
    }

    /// <summary>The program of the class's summary; with <paramref name="ipv6"/>, for IPv6, translated to 2001:db8::2:50000-50001.</summary>
    private static void Program(EdgePipeline pipeline, bool ipv6 = false)
    {
        var translation = ipv6 ? new NatTranslation(NatSide.Source, Gateway6, 50000, 50001, IsIpv6: true) : Snat();
        pipeline.Apply(FlowEdit.Add(0, 100, FlowMatch.Any.EthType(ipv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4), FlowInstructions.Goto(1, PipelineAction.Ct(Zone, nat: true))));
        pipeline.Add(1, 90, FlowMatch.Any.InPort(1).CtState(CtState.Tracked | CtState.New), PipelineAction.Ct(Zone, commit: true, translation: translation), PipelineAction.Output(2));
        pipeline.Add(1, 90, FlowMatch.Any.InPort(1).CtState(CtState.Tracked | CtState.Established), PipelineAction.Output(2));
        pipeline.Add(1, 90, FlowMatch.Any.InPort(2).CtState(CtState.Tracked | CtState.Established), PipelineAction.Output(1));
    }
}
