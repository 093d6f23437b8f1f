using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

public class FlowKeyExtractorTests
{
    private const uint InPort = 7;
    private static readonly UInt128 NdTarget = new(0xFD00_0000_0000_0001, 0xFE);

    public static TheoryData<string> CatalogueNames => [.. TestFrames.Catalogue().Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(CatalogueNames))]
    public void Fills_every_field_the_frame_carries(string name)
    {
        var frame = TestFrames.Catalogue().Single(f => f.Name == name);

        var result = FlowKeyExtractor.Extract(frame.Bytes, InPort, out var key, out var offsets);

        Assert.Equal(ParseStatus.Ok, result.Status);
        Assert.Equal(InPort, key.InPort);
        Assert.Equal(TestFrames.DestinationMac, key.EthDst);
        Assert.Equal(TestFrames.SourceMac, key.EthSrc);
        AssertL2(frame, key, offsets);
        if (frame.Encapsulation == Encapsulation.Mpls)
        {
            AssertMplsOnly(key, offsets, result);
            return;
        }

        AssertNetwork(frame, key);
        AssertTransport(frame, key, offsets, result);
    }

    [Fact]
    public void Arp_fills_the_operation_and_protocol_addresses()
    {
        var result = FlowKeyExtractor.Extract(TestFrames.Arp(Encapsulation.Vlan), InPort, out var key, out var offsets);

        Assert.Equal(new ParseResult(ParseStatus.Ok, PacketLayer.Arp), result);
        Assert.Equal(EtherTypes.Arp, key.EthType);
        Assert.Equal(ArpPacket.Request, key.ArpOp);
        Assert.Equal(TestFrames.SourceIpv4, key.ArpSpa);
        Assert.Equal(TestFrames.DestinationIpv4, key.ArpTpa);
        Assert.Equal(18, offsets.Network);
        Assert.Equal(0, key.IpProto);
    }

    [Theory]
    [InlineData(NeighborMessage.Solicitation)]
    [InlineData(NeighborMessage.Advertisement)]
    public void Neighbor_discovery_fills_the_target_high_half_in_word_8_and_low_half_in_word_15(byte type)
    {
        var frame = Neighbor(type, NeighborMessage.SourceLinkLayerAddressOption);

        var result = FlowKeyExtractor.Extract(frame, InPort, out var key, out var offsets);

        Assert.Equal(new ParseResult(ParseStatus.Ok, PacketLayer.Icmpv6), result);
        Assert.Equal(type, key.IcmpType);
        Assert.Equal(NdTarget, key.NdTarget);
        Assert.Equal(0xFD00_0000_0000_0001ul, key.ReadOnlyWords[8]);
        Assert.Equal(0x0000_0000_0000_00FEul, key.ReadOnlyWords[15]);
        Assert.Equal(TestFrames.SourceIpv6, key.Ipv6Src);
        Assert.Equal(14 + 40, offsets.Transport);
    }

    [Fact]
    public void A_neighbor_solicitation_that_ends_before_its_target_is_truncated()
    {
        var frame = Neighbor(NeighborMessage.Solicitation);
        // Keep 16 of the 24 bytes, and a payload length that agrees.
        var cut = frame[..(14 + 40 + 16)];
        cut[14 + 5] = 16;

        var result = FlowKeyExtractor.Extract(cut, InPort, out var key, out _);

        Assert.Equal(new ParseResult(ParseStatus.Truncated, PacketLayer.Icmpv6), result);
        Assert.Equal(UInt128.Zero, key.NdTarget);
        Assert.Equal(TestFrames.SourceIpv6, key.Ipv6Src);
    }

    [Fact]
    public void Other_icmpv6_messages_leave_the_nd_target_zero()
    {
        var frame = TestFrames.Build(Encapsulation.None, NetworkLayer.Ipv6, Transport.IcmpEcho);

        Assert.True(FlowKeyExtractor.Extract(frame, InPort, out var key, out _).IsOk);
        Assert.Equal(UInt128.Zero, key.NdTarget);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Fragments_are_flagged_and_later_ones_have_no_transport_fields(bool ipv6, bool later)
    {
        var result = FlowKeyExtractor.Extract(TestFrames.Fragment(ipv6, later), InPort, out var key, out var offsets);

        Assert.Equal(ParseStatus.Ok, result.Status);
        Assert.Equal(IpProtocols.Udp, key.IpProto);
        Assert.Equal(later ? IpFragment.IsFragment | IpFragment.LaterFragment : IpFragment.IsFragment, key.IpFrag);
        Assert.Equal(later ? 0 : TestFrames.SourcePort, key.L4Src);
        Assert.Equal(later ? 0 : TestFrames.DestinationPort, key.L4Dst);
        Assert.Equal(later ? HeaderOffsets.Absent : 14 + (ipv6 ? 48 : 20), offsets.Transport);
    }

    [Fact]
    public void An_unknown_ethertype_stops_after_layer_2()
    {
        var frame = TestFrames.Build((ref FrameBuilder b) =>
        {
            b.Ethernet(TestFrames.DestinationMac, TestFrames.SourceMac, 0x88CC);
            b.Payload(TestFrames.Payload);
        });

        Assert.Equal(new ParseResult(ParseStatus.Ok, PacketLayer.Ethernet), FlowKeyExtractor.Extract(frame, InPort, out var key, out var offsets));
        Assert.Equal(0x88CC, key.EthType);
        Assert.Equal(HeaderOffsets.Absent, offsets.Network);
    }

    [Fact]
    public void A_third_vlan_tag_is_left_as_the_ethertype()
    {
        var frame = TestFrames.Build((ref FrameBuilder b) =>
        {
            b.Ethernet(TestFrames.DestinationMac, TestFrames.SourceMac, EtherTypes.ServiceVlan);
            b.Vlan(TestFrames.OuterTci, EtherTypes.Vlan);
            b.Vlan(TestFrames.Tci, EtherTypes.Vlan);
            b.Vlan(3, EtherTypes.Ipv4);
        });

        Assert.Equal(new ParseResult(ParseStatus.Ok, PacketLayer.Vlan), FlowKeyExtractor.Extract(frame, InPort, out var key, out _));
        Assert.Equal(EtherTypes.Vlan, key.EthType);
    }

    [Fact]
    public void A_truncated_transport_header_keeps_the_network_fields()
    {
        var frame = TestFrames.Build(Encapsulation.Vlan, NetworkLayer.Ipv4, Transport.Tcp);
        // Keep 10 bytes of the TCP header, and an IPv4 total length that agrees.
        var cut = frame[..(18 + 20 + 10)];
        cut[18 + 2] = 0;
        cut[18 + 3] = 20 + 10;

        var result = FlowKeyExtractor.Extract(cut, InPort, out var key, out var offsets);

        Assert.Equal(new ParseResult(ParseStatus.Truncated, PacketLayer.Tcp), result);
        Assert.Equal(TestFrames.SourceIpv4, key.Ipv4Src);
        Assert.Equal(18, offsets.Network);
        Assert.Equal(0, key.L4Src);
    }

    [Theory]
    [MemberData(nameof(CatalogueNames))]
    public void Every_cut_of_a_frame_is_reported_and_nothing_throws(string name)
    {
        var frame = TestFrames.Catalogue().Single(f => f.Name == name);
        FlowKeyExtractor.Extract(frame.Bytes, InPort, out _, out var full);
        var mustParseTo = frame.Encapsulation == Encapsulation.Mpls ? full.Payload : frame.Bytes.Length;

        for (var length = 0; length < frame.Bytes.Length; length++)
        {
            var result = FlowKeyExtractor.Extract(frame.Bytes.AsSpan(0, length), InPort, out _, out _);
            var expected = length < mustParseTo ? ParseStatus.Truncated : ParseStatus.Ok;
            Assert.True(expected == result.Status, $"{name} cut to {length}: {result}");
        }
    }

    [Fact]
    public void Extraction_allocates_nothing()
    {
        var frames = TestFrames.Catalogue().Select(f => f.Bytes).Append(TestFrames.Arp()).ToArray();
        FlowKeyExtractor.Extract(frames[0], InPort, out _, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var frame in frames)
        {
            FlowKeyExtractor.Extract(frame, InPort, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(2);
        var frame = new byte[200];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(frame);
            // Steer the EtherType to parsed protocols often, so the deeper layers see garbage too.
            ushort[] types = [EtherTypes.Ipv4, EtherTypes.Ipv6, EtherTypes.Vlan, EtherTypes.MplsUnicast, EtherTypes.Arp];
            frame[12] = (byte)(types[i % types.Length] >> 8);
            frame[13] = (byte)types[i % types.Length];
            FlowKeyExtractor.Extract(frame.AsSpan(0, random.Next(frame.Length)), InPort, out _, out _);
        }
    }

    [Fact]
    public void Mutated_frames_never_throw_and_offsets_stay_inside_the_frame()
    {
        var random = new Random(5);
        foreach (var original in TestFrames.Catalogue().Select(f => f.Bytes).Append(TestFrames.Arp(Encapsulation.QinQ)))
        {
            for (var round = 0; round < 300; round++)
            {
                var frame = (byte[])original.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    frame[random.Next(frame.Length)] = (byte)random.Next(256);
                }

                FlowKeyExtractor.Extract(frame, InPort, out _, out var offsets);
                int[] starts = [offsets.OuterVlan, offsets.Vlan, offsets.EtherType, offsets.Mpls, offsets.Network, offsets.Transport, offsets.Payload];
                Assert.All(starts, start => Assert.InRange(start, HeaderOffsets.Absent, frame.Length));
            }
        }
    }

    private static byte[] Neighbor(byte type, byte linkLayerOption = 0) => TestFrames.Build((ref FrameBuilder b) =>
    {
        b.Ethernet(TestFrames.DestinationMac, TestFrames.SourceMac, EtherTypes.Ipv6);
        b.Ipv6(TestFrames.SourceIpv6, TestFrames.DestinationIpv6, IpProtocols.Icmpv6, NeighborMessage.HopLimit);
        b.Neighbor(type, 0, NdTarget, linkLayerOption, TestFrames.SourceMac);
    });

    private static void AssertL2(TestFrame frame, FlowKey key, HeaderOffsets offsets)
    {
        ushort tagged = FlowKey.VlanTagPresent;
        var (vlan, outer, vlanOffset, outerOffset, etherTypeOffset) = frame.Encapsulation switch
        {
            Encapsulation.Vlan => ((ushort)(TestFrames.Tci | tagged), (ushort)0, 14, HeaderOffsets.Absent, 16),
            Encapsulation.QinQ or Encapsulation.QinQWithTwo8100Tags =>
                ((ushort)(TestFrames.Tci | tagged), (ushort)(TestFrames.OuterTci | tagged), 18, 14, 20),
            _ => ((ushort)0, (ushort)0, HeaderOffsets.Absent, HeaderOffsets.Absent, 12),
        };
        Assert.Equal(vlan, key.VlanTci);
        Assert.Equal(outer, key.OuterVlanTci);
        Assert.Equal(vlanOffset, offsets.Vlan);
        Assert.Equal(outerOffset, offsets.OuterVlan);
        Assert.Equal(etherTypeOffset, offsets.EtherType);
    }

    private static void AssertMplsOnly(FlowKey key, HeaderOffsets offsets, ParseResult result)
    {
        Assert.Equal(PacketLayer.Mpls, result.Layer);
        Assert.Equal(EtherTypes.MplsUnicast, key.EthType);
        Assert.Equal(TestFrames.Labels[0].Encoded, key.MplsTopEntry);
        Assert.Equal(1000u, key.MplsLabel);
        Assert.Equal(3, key.MplsTc);
        Assert.False(key.MplsBos);
        Assert.Equal(3, key.MplsDepth);
        Assert.Equal(14, offsets.Mpls);
        Assert.Equal(26, offsets.Payload);
        Assert.Equal(HeaderOffsets.Absent, offsets.Network);
        Assert.Equal(0u, key.Ipv4Src);
        Assert.Equal(0, key.IpProto);
    }

    private static void AssertNetwork(TestFrame frame, FlowKey key)
    {
        Assert.Equal(frame.IsIpv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4, key.EthType);
        Assert.Equal(TestFrames.Ttl, key.IpTtl);
        Assert.Equal(TestFrames.Dscp, key.IpDscp);
        Assert.Equal(TestFrames.Ecn, key.IpEcn);
        Assert.Equal(IpFragment.None, key.IpFrag);
        if (frame.IsIpv6)
        {
            Assert.Equal(TestFrames.SourceIpv6, key.Ipv6Src);
            Assert.Equal(TestFrames.DestinationIpv6, key.Ipv6Dst);
            Assert.Equal(0u, key.Ipv4Src);
        }
        else
        {
            Assert.Equal(TestFrames.SourceIpv4, key.Ipv4Src);
            Assert.Equal(TestFrames.DestinationIpv4, key.Ipv4Dst);
            Assert.Equal(UInt128.Zero, key.Ipv6Src);
        }
    }

    private static void AssertTransport(TestFrame frame, FlowKey key, HeaderOffsets offsets, ParseResult result)
    {
        var networkStart = frame.Encapsulation switch
        {
            Encapsulation.Vlan => 18,
            Encapsulation.QinQ or Encapsulation.QinQWithTwo8100Tags => 22,
            _ => 14,
        };
        var networkLength = frame.Network switch
        {
            NetworkLayer.Ipv4 => 20,
            NetworkLayer.Ipv4WithOptions => 28,
            NetworkLayer.Ipv6 => 40,
            _ => 56,
        };
        Assert.Equal(networkStart, offsets.Network);
        Assert.Equal(networkStart + networkLength, offsets.Transport);
        Assert.Equal(frame.Bytes.Length - TestFrames.Payload.Length, offsets.Payload);

        var (protocol, layer) = frame.Transport switch
        {
            Transport.Tcp => (IpProtocols.Tcp, PacketLayer.Tcp),
            Transport.Udp => (IpProtocols.Udp, PacketLayer.Udp),
            _ when frame.IsIpv6 => (IpProtocols.Icmpv6, PacketLayer.Icmpv6),
            _ => (IpProtocols.Icmp, PacketLayer.Icmp),
        };
        Assert.Equal(layer, result.Layer);
        Assert.Equal(protocol, key.IpProto);
        var isIcmp = frame.Transport == Transport.IcmpEcho;
        Assert.Equal(isIcmp ? 0 : TestFrames.SourcePort, key.L4Src);
        Assert.Equal(isIcmp ? 0 : TestFrames.DestinationPort, key.L4Dst);
        Assert.Equal(isIcmp ? (frame.IsIpv6 ? IcmpHeader.Icmpv6EchoRequest : IcmpHeader.EchoRequest) : 0, key.IcmpType);
        Assert.Equal(0, key.IcmpCode);
    }
}
