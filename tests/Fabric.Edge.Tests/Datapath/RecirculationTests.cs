using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;
using static Sdn.Fabric.Edge.Tests.Support.NatAddresses;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>
/// ct(nat,table=N): the packet, as NAT rewrote it, is parsed again and goes on in table N, so forwarding can depend on
/// the translated fields. Here two inside ports (1 and 3) share one outside address through SNAT whose replies are
/// looked up in an outside zone of their own; table 1 sends each reply by its restored destination and by reg0, the
/// zone its connection was committed in.
/// </summary>
public class RecirculationTests
{
    private const ushort InsideZone = 3;
    private const ushort OutsideZone = 9;

    [Fact]
    public void Each_reply_goes_to_the_port_its_rewritten_destination_names()
    {
        var rig = Programmed();
        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        rig.Send(3, Frames.Udp(Inside2, Server, 40000, 53));
        Assert.Equal(2, rig.Port(2).TakeTransmitted().Count);

        rig.Send(2, Frames.Udp(Server, Gateway, 53, 50001));
        rig.Send(2, Frames.Udp(Server, Gateway, 53, 50000));

        Assert.Equal(Frames.Udp(Server, Inside2, 53, 40000), rig.SingleOut(3));
        Assert.Equal(Frames.Udp(Server, Inside, 53, 40000), rig.SingleOut(1));
    }

    [Fact]
    public void Later_replies_hit_the_cache_both_before_and_after_the_recirculation()
    {
        var rig = Programmed();
        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        rig.Send(2, Frames.Udp(Server, Gateway, 53, 50000));
        var cache = rig.Switch.Datapath.Cache;
        var (hits, misses) = (cache.ExactHits + cache.MegaflowHits, cache.Misses);

        rig.Send(2, Frames.Udp(Server, Gateway, 53, 50000));

        Assert.Equal(2, rig.Port(1).TakeTransmitted().Count);
        Assert.Equal((hits + 2, misses), (cache.ExactHits + cache.MegaflowHits, cache.Misses));
    }

    [Fact]
    public void A_reply_with_no_connection_is_dropped_before_any_recirculation()
    {
        var rig = Programmed();

        rig.Send(2, Frames.Udp(Server, Gateway, 53, 50000));

        Assert.Empty(rig.Port(1).TakeTransmitted());
        Assert.Equal(0, rig.Switch.Datapath.Counters.RecirculationLimit);
    }

    [Fact]
    public void A_packet_that_keeps_recirculating_is_dropped_and_counted()
    {
        var rig = new SwitchRig();
        rig.Pipeline.Add(0, 10, FlowMatch.Any.EthType(EtherTypes.Ipv4), PipelineAction.Ct(InsideZone, table: 0, nat: true));

        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));

        Assert.Equal(1, rig.Switch.Datapath.Counters.RecirculationLimit);
        Assert.Contains(new KeyValuePair<string, long>("recirculation_limit", 1), rig.Switch.Datapath.Counters.ByReason());
    }

    [Fact]
    public void The_recirculated_key_carries_the_table_state_metadata_and_the_connections_zone()
    {
        var rig = Programmed();
        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        FlowKeyExtractor.Extract(Frames.Udp(Server, Gateway, 53, 50000), 2, out var key, out _);

        var flow = rig.Pipeline.Translate(key, out var mask);

        var recirculate = flow.Branches[CtOutcomes.IndexOf(CtState.Tracked | CtState.Established | CtState.Reply)].Actions[^1];
        Assert.Equal(DatapathActionKind.Recirculate, recirculate.Kind);
        Assert.Equal("recirculate(table=2,ct_state=0x2a,metadata=0x77)", recirculate.ToString());
        Assert.NotEqual(0UL, FlowField.Register(EdgeDatapath.RecirculationRegister).Read(mask.ReadOnlyWords));
    }

    [Fact]
    public void A_trace_follows_the_reply_through_its_recirculation_to_the_port()
    {
        var rig = Programmed();
        rig.Send(3, Frames.Udp(Inside2, Server, 40000, 53));

        var trace = rig.Switch.Trace(2, Frames.Udp(Server, Gateway, 53, 50000));

        Assert.Equal([3u], trace.Outputs);
        Assert.Contains("recirculated as 198.51.100.200 -> 10.1.0.101 (reg0=3), from table 2:", trace.Notes);
        Assert.Equal([0, 1, 2], trace.Steps.Select(s => (int)s.TableId));
    }

    [Fact]
    public void A_recirculated_reply_allocates_nothing()
    {
        var edge = new EdgeSwitch(3);
        foreach (var number in new uint[] { 1, 2, 3 })
        {
            edge.AddPort(new InternalPort(number, $"p{number}"));
        }

        Program(edge.Pipeline);
        var burst = new PacketBurst();
        var reply = Frames.Udp(Server, Gateway, 53, 50000);
        BurstOfOne.Run(edge, burst, Frames.Udp(Inside, Server, 40000, 53), 1);
        BurstOfOne.Run(edge, burst, reply, 2);

        Allocations.AssertNone(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                BurstOfOne.Run(edge, burst, reply, 2);
            }
        });
        Assert.Equal(0, edge.Datapath.Counters.NoOutput);
    }

    [Fact]
    public void A_looped_back_packet_arrives_on_the_port_afresh_and_one_that_keeps_looping_is_dropped_and_counted()
    {
        var rig = new SwitchRig();
        rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(1), PipelineAction.Loopback(2));
        rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(2).CtState(default, CtState.Tracked).Register(0, 0), PipelineAction.Output(3));
        rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(4), PipelineAction.Loopback(4));

        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        rig.Send(4, Frames.Udp(Inside, Server, 40000, 53));

        Assert.Equal(Frames.Udp(Inside, Server, 40000, 53), rig.SingleOut(3));
        Assert.Equal(1, rig.Switch.Datapath.Counters.RecirculationLimit);
    }

    private static SwitchRig Programmed()
    {
        var rig = new SwitchRig();
        Program(rig.Pipeline);
        return rig;
    }

    /// <summary>
    /// Table 0: inside ports' untracked IPv4 through ct(zone=3), committed new with SNAT whose reply way is in zone 9,
    /// and out of port 2; the outside's on to table 1 with metadata 0x77, and there through ct(zone=9,nat,table=2).
    /// Table 2: established replies of zone 3 by destination.
    /// </summary>
    private static void Program(EdgePipeline pipeline)
    {
        var snat = new NatTranslation(NatSide.Source, Gateway, 50000, 50009, OutsideZone);
        var untracked = FlowMatch.Any.EthType(EtherTypes.Ipv4).CtState(default, CtState.Tracked);
        foreach (var inside in new uint[] { 1, 3 })
        {
            pipeline.Add(0, 100, untracked.InPort(inside), PipelineAction.Ct(InsideZone, table: 0, nat: true));
            pipeline.Add(0, 90, FlowMatch.Any.InPort(inside).CtState(CtState.Tracked), PipelineAction.Ct(InsideZone, commit: true, translation: snat), PipelineAction.Output(2));
        }

        pipeline.Apply(FlowEdit.Add(0, 100, FlowMatch.Any.InPort(2), FlowInstructions.Goto(1).WithMetadata(0x77)));
        pipeline.Add(1, 10, untracked, PipelineAction.Ct(OutsideZone, table: 2, nat: true));
        var replies = FlowMatch.Any.CtState(CtState.Tracked | CtState.Established).Register(0, InsideZone).Metadata(0x77);
        pipeline.Add(2, 10, replies.Ipv4Dst(Inside), PipelineAction.Output(1));
        pipeline.Add(2, 10, replies.Ipv4Dst(Inside2), PipelineAction.Output(3));
    }
}
