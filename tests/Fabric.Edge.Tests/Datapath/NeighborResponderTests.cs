using System.Buffers.Binary;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>The ND responder on real frames: the advertisement it sends, byte by byte, and the solicitations it must not answer.</summary>
public class NeighborResponderTests
{
    private const ulong GatewayMac = 0x02_AA_00_00_00_01;
    private static readonly UInt128 Gateway = new(0xFD00_0000_0000_0001, 1);
    private static readonly UInt128 Host = new(0xFD00_0000_0000_0001, 0x11);

    /// <summary>ff02::1:ff00:1, the solicited-node multicast address of the gateway.</summary>
    private static readonly UInt128 SolicitedNode = new(0xFF02_0000_0000_0000, 0x0000_0001_FF00_0001);

    private readonly SwitchRig _rig = new();

    public NeighborResponderTests() =>
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.EthType(EtherTypes.Ipv6).IpProto(IpProtocols.Icmpv6).IcmpType(NeighborMessage.Solicitation).NdTarget(Gateway),
            PipelineAction.NdResponder(Gateway, GatewayMac, router: true));

    [Fact]
    public void A_solicitation_without_a_source_option_grows_into_the_advertisement_byte_by_byte()
    {
        var solicitation = Solicitation(Host, linkLayerOption: 0);
        Assert.Equal(78, solicitation.Length);

        _rig.Send(3, solicitation);

        var advertisement = _rig.SingleOut(3);
        byte[] expected =
        [
            // Ethernet: to the soliciting host, from the gateway's MAC.
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x02, 0xAA, 0x00, 0x00, 0x00, 0x01, 0x86, 0xDD,

            // IPv6: payload length 32, ICMPv6, hop limit 255, from the target to the host.
            0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3A, 0xFF,
            0xFD, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0xFD, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11,

            // ICMPv6 neighbour advertisement, checksum checked below: R, S and O set, the target, and its link-layer address.
            0x88, 0x00, advertisement[56], advertisement[57], 0xE0, 0x00, 0x00, 0x00,
            0xFD, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x02, 0x01, 0x02, 0xAA, 0x00, 0x00, 0x00, 0x01,
        ];
        Assert.Equal(expected, advertisement);
        Assert.Equal(Icmpv6Checksum(advertisement.AsSpan(14)), BinaryPrimitives.ReadUInt16BigEndian(advertisement.AsSpan(56)));
    }

    [Fact]
    public void A_solicitation_with_a_source_option_is_answered_in_place()
    {
        _rig.Send(2, Solicitation(Host, NeighborMessage.SourceLinkLayerAddressOption));

        var expected = Frames.Neighbor(
            NeighborMessage.Advertisement, GatewayMac, Keys.MacA, Gateway, Host, Gateway,
            NeighborMessage.RouterFlag | NeighborMessage.SolicitedFlag | NeighborMessage.OverrideFlag, NeighborMessage.TargetLinkLayerAddressOption, GatewayMac);
        Assert.Equal(expected, _rig.SingleOut(2));
    }

    [Fact]
    public void A_host_is_answered_without_the_router_flag()
    {
        var rig = new SwitchRig();
        rig.Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.NdResponder(Gateway, GatewayMac));

        rig.Send(1, Solicitation(Host, NeighborMessage.SourceLinkLayerAddressOption));

        Assert.Equal(0x60, rig.SingleOut(1)[14 + 40 + 4]);
    }

    [Fact]
    public void Invalid_solicitations_are_dropped_and_counted_on_every_packet()
    {
        var fromUnspecifiedWithOption = Solicitation(UInt128.Zero, linkLayerOption: NeighborMessage.SourceLinkLayerAddressOption);
        var forwarded = Frames.Neighbor(NeighborMessage.Solicitation, Keys.MacA, 0x33_33_FF_00_00_01, Host, SolicitedNode, Gateway, hopLimit: 254);
        var badChecksum = Solicitation(Host, linkLayerOption: 0);
        badChecksum[14 + 40 + IcmpHeader.ChecksumOffset] ^= 0xFF;

        foreach (var frame in new[] { fromUnspecifiedWithOption, fromUnspecifiedWithOption, forwarded, badChecksum })
        {
            _rig.Send(1, frame);
        }

        Assert.Empty(_rig.Port(1).TakeTransmitted());
        Assert.Equal(4, _rig.Switch.Datapath.Counters.NdUnanswered);
    }

    [Fact]
    public void A_solicitation_for_another_target_is_not_answered_for_the_responders()
    {
        var rig = new SwitchRig();
        rig.Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.NdResponder(Gateway, GatewayMac));

        rig.Send(1, Frames.Neighbor(NeighborMessage.Solicitation, Keys.MacA, 0x33_33_FF_00_00_02, Host, SolicitedNode, Gateway + 1));

        Assert.Empty(rig.Port(1).TakeTransmitted());
        Assert.Equal(0, rig.Switch.Datapath.Counters.NdUnanswered);
        Assert.Equal(1, rig.Switch.Datapath.Counters.NoOutput);
    }

    private static byte[] Solicitation(UInt128 source, byte linkLayerOption) =>
        Frames.Neighbor(NeighborMessage.Solicitation, Keys.MacA, 0x33_33_FF_00_00_01, source, SolicitedNode, Gateway, linkLayerOption: linkLayerOption, optionMac: Keys.MacA);

    /// <summary>The checksum RFC 4443 §2.3 asks for, summed here word by word, independently of the packet library.</summary>
    private static ushort Icmpv6Checksum(ReadOnlySpan<byte> ipv6)
    {
        var message = ipv6[40..];
        var covered = new byte[40 + message.Length];
        ipv6[8..40].CopyTo(covered);
        BinaryPrimitives.WriteUInt32BigEndian(covered.AsSpan(32), (uint)message.Length);
        covered[39] = IpProtocols.Icmpv6;
        message.CopyTo(covered.AsSpan(40));
        covered[40 + 2] = 0;
        covered[40 + 3] = 0;
        uint sum = 0;
        for (var i = 0; i < covered.Length; i += 2)
        {
            sum += (uint)((covered[i] << 8) | covered[i + 1]);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
