using Microsoft.Extensions.Time.Testing;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>
/// Resolving the outside's MACs at an edge port: ARP from beyond port 2 is learned (learn_neighbour), and a packet
/// routed out of port 2 gets its next hop's learned MAC (for five minutes after the last ARP heard from it), or, while
/// none is learned, goes as an ARP request for it, at most once a second per next hop.
/// </summary>
public class NeighbourResolutionTests
{
    private const uint Inside = 0x0A_01_00_64; // 10.1.0.100
    private const uint Server = 0xC6_33_64_C8; // 198.51.100.200
    private const uint Router = 0xC6_33_64_01; // 198.51.100.1
    private const uint Gateway = 0xC6_33_64_02; // 198.51.100.2
    private const ulong GatewayMac = 0x02_5E_00_00_00_02;
    private const ulong RouterMac = 0x02_AA_00_00_00_01;
    private const ulong ServerMac = 0x02_AA_00_00_00_C8;

    [Fact]
    public void An_unresolved_next_hop_gets_an_arp_request_in_place_of_the_packet_and_the_answer_is_used_after()
    {
        var rig = Outside(nextHop: Router);

        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        Assert.Equal(Frames.Arp(ArpOperations.Request, GatewayMac, Gateway, 0, Router, EthernetHeader.Broadcast), rig.SingleOut(2));
        rig.Send(2, Frames.Arp(ArpOperations.Reply, RouterMac, Router, GatewayMac, Gateway, GatewayMac));
        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));

        Assert.Equal(Frames.Udp(Inside, Server, 40000, 53, ethSrc: GatewayMac, ethDst: RouterMac), rig.SingleOut(2));
        Assert.Equal(1, rig.Switch.Datapath.Counters.NeighbourUnresolved);
        Assert.Contains(new KeyValuePair<string, long>("neighbour_unresolved", 1), rig.Switch.Datapath.Counters.ByReason());
    }

    [Fact]
    public void A_silent_next_hop_is_asked_for_once_a_second_and_the_packets_between_are_dropped()
    {
        var time = new FakeTimeProvider();
        var rig = Outside(nextHop: Router, time);
        var request = Frames.Arp(ArpOperations.Request, GatewayMac, Gateway, 0, Router, EthernetHeader.Broadcast);

        for (var i = 0; i < 5; i++)
        {
            rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        }

        var first = rig.Port(2).TakeTransmitted();
        time.Advance(TimeSpan.FromMilliseconds(999));
        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        var early = rig.Port(2).TakeTransmitted();
        time.Advance(TimeSpan.FromMilliseconds(1));
        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));

        Assert.Equal(request, Assert.Single(first));
        Assert.Empty(early);
        Assert.Equal(request, rig.SingleOut(2));
        Assert.Equal(7, rig.Switch.Datapath.Counters.NeighbourUnresolved);
    }

    [Fact]
    public void A_next_hop_silent_for_five_minutes_is_asked_for_again_and_one_that_arps_stays_resolved()
    {
        var time = new FakeTimeProvider();
        var rig = Outside(nextHop: Router, time);
        var routerArp = Frames.Arp(ArpOperations.Reply, RouterMac, Router, GatewayMac, Gateway, GatewayMac);
        rig.Send(2, routerArp);

        time.Advance(NeighbourCache.ReachableFor - TimeSpan.FromSeconds(1));
        rig.Send(2, routerArp);
        time.Advance(NeighbourCache.ReachableFor - TimeSpan.FromSeconds(1));
        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        var refreshed = rig.SingleOut(2);
        time.Advance(TimeSpan.FromSeconds(1));
        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));

        Assert.Equal(Frames.Udp(Inside, Server, 40000, 53, ethSrc: GatewayMac, ethDst: RouterMac), refreshed);
        Assert.Equal(Frames.Arp(ArpOperations.Request, GatewayMac, Gateway, 0, Router, EthernetHeader.Broadcast), rig.SingleOut(2));
    }

    [Fact]
    public void Without_a_next_hop_each_destination_is_resolved_on_its_own_and_an_arp_request_from_outside_teaches_too()
    {
        var rig = Outside(nextHop: 0);
        rig.Send(2, Frames.Arp(ArpOperations.Request, ServerMac, Server, 0, Gateway, EthernetHeader.Broadcast));

        rig.Send(1, Frames.Udp(Inside, Server, 40000, 53));
        rig.Send(1, Frames.Udp(Inside, Router, 40000, 53));

        var sent = rig.Port(2).TakeTransmitted();
        Assert.Equal(Frames.Udp(Inside, Server, 40000, 53, ethSrc: GatewayMac, ethDst: ServerMac), sent[0]);
        Assert.Equal(Frames.Arp(ArpOperations.Request, GatewayMac, Gateway, 0, Router, EthernetHeader.Broadcast), sent[1]);
    }

    [Fact]
    public void Neighbours_are_per_port_and_a_probe_from_nowhere_teaches_nothing()
    {
        var cache = new NeighbourCache(4);
        cache.Learn(2, Router, RouterMac, now: 0);
        cache.Learn(2, 0, ServerMac, now: 0);

        Assert.True(cache.TryResolve(2, Router, now: 0, maxAge: 1, out var mac));
        Assert.Equal(RouterMac, mac);
        Assert.False(cache.TryResolve(3, Router, now: 0, maxAge: 1, out _));
        Assert.False(cache.TryResolve(2, 0, now: 0, maxAge: 1, out _));
        Assert.Equal(1, cache.Learned);
    }

    [Fact]
    public void A_resolved_packet_allocates_nothing()
    {
        var edge = new EdgeSwitch(1);
        edge.AddPort(new InternalPort(1, "inside"));
        edge.AddPort(new InternalPort(2, "outside"));
        Program(edge.Pipeline, Router);
        var burst = new PacketBurst();
        BurstOfOne.Run(edge, burst, Frames.Arp(ArpOperations.Reply, RouterMac, Router, GatewayMac, Gateway, GatewayMac), 2);
        var packet = Frames.Udp(Inside, Server, 40000, 53);
        BurstOfOne.Run(edge, burst, packet, 1);

        Allocations.AssertNone(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                BurstOfOne.Run(edge, burst, packet, 1);
            }
        });
        Assert.Equal(0, edge.Datapath.Counters.NeighbourUnresolved);
    }

    private static SwitchRig Outside(uint nextHop, TimeProvider? time = null)
    {
        var rig = new SwitchRig(time);
        Program(rig.Pipeline, nextHop);
        return rig;
    }

    /// <summary>Port 1's IPv4 leaves port 2 from the gateway's MAC, resolved toward <paramref name="nextHop"/>; port 2's ARP is learned and dropped.</summary>
    private static void Program(EdgePipeline pipeline, uint nextHop)
    {
        pipeline.Add(0, 10, FlowMatch.Any.InPort(1).EthType(EtherTypes.Ipv4), PipelineAction.SetField(HeaderField.EthSrc, GatewayMac), PipelineAction.ResolveNeighbour(2, nextHop, Gateway), PipelineAction.Output(2));
        pipeline.Add(0, 10, FlowMatch.Any.InPort(2).EthType(EtherTypes.Arp), PipelineAction.LearnNeighbour());
    }
}
