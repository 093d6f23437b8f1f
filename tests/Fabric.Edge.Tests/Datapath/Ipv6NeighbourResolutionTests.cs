using Microsoft.Extensions.Time.Testing;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>
/// IPv6 neighbour discovery at an edge port facing the outside, as <see cref="NeighbourResolutionTests"/> does for
/// ARP: valid solicitations and advertisements from beyond port 2 are learned (learn_neighbour), invalid ones are dropped
/// and counted, a packet routed out of port 2 gets its next hop's learned MAC or goes as a neighbour solicitation for
/// it, at most once a second; and the ND responder answers the outside, duplicate address detection included.
/// </summary>
public class Ipv6NeighbourResolutionTests
{
    private const ulong GatewayMac = 0x02_5E_00_00_00_02;
    private const ulong RouterMac = 0x02_AA_00_00_00_01;
    private const ulong ServerMac = 0x02_AA_00_00_00_C8;
    private static readonly UInt128 Inside = Address("fd00:1::64");
    private static readonly UInt128 Server = Address("2001:db8:100::c8");
    private static readonly UInt128 Router = Address("2001:db8:100::1");
    private static readonly UInt128 Gateway = Address("2001:db8:100::2");
    private static readonly UInt128 AllNodes = Address("ff02::1");

    [Fact]
    public void An_unresolved_next_hop_gets_a_solicitation_in_place_of_the_packet_and_the_advertisement_is_used_after()
    {
        var rig = Outside(nextHop: Router);

        rig.Send(1, Frames.Udp6(Inside, Server));
        var solicitation = rig.SingleOut(2);
        rig.Send(2, Advertisement(RouterMac, Router, Gateway, GatewayMac, Router, NeighborMessage.SolicitedFlag | NeighborMessage.RouterFlag));
        rig.Send(1, Frames.Udp6(Inside, Server));

        Assert.Equal(
            Frames.Neighbor(NeighborMessage.Solicitation, GatewayMac, 0x33_33_FF_00_00_01, Gateway, SolicitedNode(Router), Router, linkLayerOption: NeighborMessage.SourceLinkLayerAddressOption, optionMac: GatewayMac),
            solicitation);
        Assert.Equal(WithMacs(Frames.Udp6(Inside, Server), GatewayMac, RouterMac), rig.SingleOut(2));
        Assert.Equal(1, rig.Switch.Datapath.Counters.NeighbourUnresolved);
    }

    [Fact]
    public void A_silent_next_hop_is_asked_for_once_a_second_and_is_forgotten_after_five_minutes()
    {
        var time = new FakeTimeProvider();
        var rig = Outside(nextHop: Router, time);
        for (var i = 0; i < 3; i++)
        {
            rig.Send(1, Frames.Udp6(Inside, Server));
        }

        Assert.Single(rig.Port(2).TakeTransmitted());
        time.Advance(TimeSpan.FromSeconds(1));
        rig.Send(2, Advertisement(RouterMac, Router, Gateway, GatewayMac, Router, NeighborMessage.SolicitedFlag));
        rig.Send(1, Frames.Udp6(Inside, Server));
        Assert.Equal(WithMacs(Frames.Udp6(Inside, Server), GatewayMac, RouterMac), rig.SingleOut(2));
        time.Advance(NeighbourCache.ReachableFor);
        rig.Send(1, Frames.Udp6(Inside, Server));

        Assert.Equal(NeighborMessage.Solicitation, rig.SingleOut(2)[EthernetHeader.Size + Ipv6Header.Size]);
        Assert.Equal(4, rig.Switch.Datapath.Counters.NeighbourUnresolved);
    }

    [Fact]
    public void A_solicitation_from_outside_teaches_its_source_and_without_a_next_hop_each_destination_is_resolved()
    {
        var rig = Outside(nextHop: UInt128.Zero);
        rig.Send(2, Frames.Neighbor(NeighborMessage.Solicitation, ServerMac, 0x33_33_FF_00_00_02, Server, SolicitedNode(Gateway), Gateway, linkLayerOption: NeighborMessage.SourceLinkLayerAddressOption, optionMac: ServerMac));

        rig.Send(1, Frames.Udp6(Inside, Server));
        rig.Send(1, Frames.Udp6(Inside, Router));

        var sent = rig.Port(2).TakeTransmitted();
        Assert.Equal(WithMacs(Frames.Udp6(Inside, Server), GatewayMac, ServerMac), sent[0]);
        Assert.Equal(NeighborMessage.Solicitation, sent[1][EthernetHeader.Size + Ipv6Header.Size]);
    }

    [Fact]
    public void Invalid_neighbour_discovery_from_outside_teaches_nothing_and_is_dropped_and_counted()
    {
        var rig = Outside(nextHop: Router);
        var forwarded = Advertisement(RouterMac, Router, Gateway, GatewayMac, Router, NeighborMessage.SolicitedFlag, hopLimit: 254);
        var badChecksum = Advertisement(RouterMac, Router, Gateway, GatewayMac, Router, NeighborMessage.SolicitedFlag);
        badChecksum[^1] ^= 0x01;
        var solicitedToAllNodes = Advertisement(RouterMac, Router, AllNodes, 0x33_33_00_00_00_01, Router, NeighborMessage.SolicitedFlag);
        var zeroLengthOption = Advertisement(RouterMac, Router, Gateway, GatewayMac, Router, NeighborMessage.SolicitedFlag);
        zeroLengthOption[EthernetHeader.Size + Ipv6Header.Size + NeighborMessage.MinimumSize + 1] = 0;
        FixChecksum(zeroLengthOption);

        foreach (var frame in new[] { forwarded, badChecksum, solicitedToAllNodes, zeroLengthOption })
        {
            rig.Send(2, frame);
        }

        rig.Send(1, Frames.Udp6(Inside, Server));
        Assert.Equal(NeighborMessage.Solicitation, rig.SingleOut(2)[EthernetHeader.Size + Ipv6Header.Size]);
        Assert.Equal(4, rig.Switch.Datapath.Counters.NdInvalid);
        Assert.Contains(new KeyValuePair<string, long>("nd_invalid", 4), rig.Switch.Datapath.Counters.ByReason());
        Assert.Equal(0, rig.Switch.Datapath.Neighbours.Learned);
    }

    [Fact]
    public void The_gateway_answers_the_outsides_solicitation_and_defends_its_address_against_duplicate_address_detection()
    {
        var rig = new SwitchRig();
        rig.Pipeline.Add(0, 20, FlowMatch.Any.InPort(2).EthType(EtherTypes.Ipv6).IpProto(IpProtocols.Icmpv6).IcmpType(NeighborMessage.Solicitation).NdTarget(Gateway), PipelineAction.LearnNeighbour(), PipelineAction.NdResponder(Gateway, GatewayMac));

        rig.Send(2, Frames.Neighbor(NeighborMessage.Solicitation, RouterMac, 0x33_33_FF_00_00_02, Router, SolicitedNode(Gateway), Gateway, linkLayerOption: NeighborMessage.SourceLinkLayerAddressOption, optionMac: RouterMac));
        var answer = rig.SingleOut(2);
        rig.Send(2, Frames.Neighbor(NeighborMessage.Solicitation, RouterMac, 0x33_33_FF_00_00_02, UInt128.Zero, SolicitedNode(Gateway), Gateway));
        var defence = rig.SingleOut(2);
        rig.Send(2, Frames.Neighbor(NeighborMessage.Solicitation, RouterMac, 0x33_33_FF_00_00_02, UInt128.Zero, SolicitedNode(Gateway), Gateway, linkLayerOption: NeighborMessage.SourceLinkLayerAddressOption, optionMac: RouterMac));

        Assert.Equal(Advertisement(GatewayMac, Gateway, Router, RouterMac, Gateway, NeighborMessage.SolicitedFlag | NeighborMessage.OverrideFlag), answer);
        Assert.Equal(Advertisement(GatewayMac, Gateway, AllNodes, 0x33_33_00_00_00_01, Gateway, NeighborMessage.OverrideFlag), defence);
        Assert.Empty(rig.Port(2).TakeTransmitted());
        Assert.Equal(1, rig.Switch.Datapath.Counters.NdInvalid);
        Assert.Equal(1, rig.Switch.Datapath.Neighbours.Learned);
    }

    [Fact]
    public void An_ipv4_address_and_the_ipv6_address_of_the_same_number_are_neighbours_apart()
    {
        var cache = new NeighbourCache();
        cache.Learn(2, 0xC6_33_64_01u, RouterMac, now: 0);
        cache.Learn(2, (UInt128)0xC6_33_64_01u, ServerMac, now: 0);
        cache.Learn(2, UInt128.Zero, ServerMac, now: 0);

        Assert.True(cache.TryResolve(2, 0xC6_33_64_01u, now: 0, maxAge: 1, out var v4));
        Assert.True(cache.TryResolve(2, (UInt128)0xC6_33_64_01u, now: 0, maxAge: 1, out var v6));
        Assert.Equal((RouterMac, ServerMac), (v4, v6));
        Assert.False(cache.TryResolve(2, UInt128.Zero, now: 0, maxAge: 1, out _));
        Assert.Equal(2, cache.Learned);
    }

    [Fact]
    public void A_resolved_ipv6_packet_allocates_nothing()
    {
        var edge = new EdgeSwitch(1);
        edge.AddPort(new InternalPort(1, "inside"));
        edge.AddPort(new InternalPort(2, "outside"));
        Program(edge.Pipeline, Router);
        var burst = new PacketBurst();
        BurstOfOne.Run(edge, burst, Advertisement(RouterMac, Router, Gateway, GatewayMac, Router, NeighborMessage.SolicitedFlag), 2);
        var packet = Frames.Udp6(Inside, Server);
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

    private static byte[] Advertisement(ulong ethSrc, UInt128 source, UInt128 destination, ulong ethDst, UInt128 target, uint flags, byte hopLimit = NeighborMessage.HopLimit) =>
        Frames.Neighbor(NeighborMessage.Advertisement, ethSrc, ethDst, source, destination, target, flags, NeighborMessage.TargetLinkLayerAddressOption, ethSrc, hopLimit);

    private static void FixChecksum(byte[] frame)
    {
        var ip = frame.AsSpan(EthernetHeader.Size);
        var body = ip[Ipv6Header.Size..];
        InternetChecksum.Store(body, IcmpHeader.ChecksumOffset, InternetChecksum.PseudoHeaderSum(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6Header.SourceOffset..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6Header.DestinationOffset..]),
            IpProtocols.Icmpv6,
            body.Length));
    }

    private static byte[] WithMacs(byte[] frame, ulong source, ulong destination)
    {
        EthernetHeader.WriteMac(frame, destination);
        EthernetHeader.WriteMac(frame.AsSpan(6), source);
        return frame;
    }

    private static UInt128 SolicitedNode(UInt128 address) => Address("ff02::1:ff00:0") | (address & 0xFF_FFFF);

    private static UInt128 Address(string text) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(System.Net.IPAddress.Parse(text).GetAddressBytes());

    private static SwitchRig Outside(UInt128 nextHop, TimeProvider? time = null)
    {
        var rig = new SwitchRig(time);
        Program(rig.Pipeline, nextHop);
        return rig;
    }

    /// <summary>Port 1's IPv6 leaves port 2 from the gateway's MAC, resolved toward <paramref name="nextHop"/>; port 2's ICMPv6 is learned from and dropped.</summary>
    private static void Program(EdgePipeline pipeline, UInt128 nextHop)
    {
        pipeline.Add(0, 10, FlowMatch.Any.InPort(1).EthType(EtherTypes.Ipv6), PipelineAction.SetField(HeaderField.EthSrc, GatewayMac), PipelineAction.ResolveNeighbour(2, nextHop, Gateway), PipelineAction.Output(2));
        pipeline.Add(0, 10, FlowMatch.Any.InPort(2).EthType(EtherTypes.Ipv6).IpProto(IpProtocols.Icmpv6), PipelineAction.LearnNeighbour());
    }
}
