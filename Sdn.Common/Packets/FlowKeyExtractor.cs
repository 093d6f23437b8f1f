using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// Fills a <see cref="FlowKey"/> from a frame in one pass, recording where each header starts.
/// </summary>
/// <remarks>
/// <para>
/// What is parsed: Ethernet II; up to two 802.1Q tags (a QinQ outer tag may be 0x88A8 or 0x8100; a third
/// tag is left as the EtherType 0x8100 and parsing stops); then ARP, IPv4 or IPv6 (skipping hop-by-hop,
/// routing, fragment and destination options headers) and TCP, UDP or ICMP; or an MPLS label stack.
/// An 802.3 length (below 0x600) is kept as the EtherType and not parsed further. A tag's TCI is stored with
/// <see cref="FlowKey.VlanTagPresent"/> in the DEI bit's place, as Open vSwitch does, so DEI is not matchable.
/// </para>
/// <para>
/// An MPLS frame yields its top entry and depth, and the offset of what follows the stack, but its payload
/// is not parsed: the label stack does not say what it carries, and the fabric forwards MPLS on labels alone.
/// The edge that pops the last label knows the payload and extracts again.
/// </para>
/// <para>
/// Fragments set <see cref="FlowKey.IpFrag"/>; a later fragment (nonzero offset) carries no transport
/// header, so its transport fields stay zero. ICMP fills the ICMP type and code, not the ports; an ICMPv6
/// neighbour solicitation or advertisement also fills the ND target, and is truncated when it ends before it.
/// in_port comes from the caller; metadata and registers are pipeline state and stay zero.
/// </para>
/// <para>
/// A truncated or malformed header stops parsing: the result names that layer and the key holds
/// every layer outside it. Nothing here throws or allocates.
/// </para>
/// </remarks>
public static class FlowKeyExtractor
{
    public static ParseResult Extract(ReadOnlySpan<byte> frame, uint inPort, out FlowKey key, out HeaderOffsets offsets)
    {
        key = default;
        offsets = HeaderOffsets.None;
        key.InPort = inPort;
        if (EthernetHeader.Parse(frame, out var ethernet) != ParseStatus.Ok)
        {
            return new ParseResult(ParseStatus.Truncated, PacketLayer.Ethernet);
        }

        key.EthDst = ethernet.Destination;
        key.EthSrc = ethernet.Source;
        var etherType = ethernet.EtherType;
        var position = EthernetHeader.Size;
        offsets.EtherType = EthernetHeader.EtherTypeOffset;
        var layer = PacketLayer.Ethernet;

        if (EtherTypes.IsVlanTag(etherType))
        {
            if (VlanTag.Parse(frame[position..], out var tag) != ParseStatus.Ok)
            {
                return new ParseResult(ParseStatus.Truncated, PacketLayer.Vlan);
            }

            offsets.Vlan = position;
            var tci = tag.Tci;
            etherType = tag.EncapsulatedEtherType;
            position += VlanTag.Size;
            if (EtherTypes.IsVlanTag(etherType))
            {
                if (VlanTag.Parse(frame[position..], out var inner) != ParseStatus.Ok)
                {
                    return new ParseResult(ParseStatus.Truncated, PacketLayer.Vlan);
                }

                key.OuterVlanTci = (ushort)(tci | FlowKey.VlanTagPresent);
                offsets.OuterVlan = offsets.Vlan;
                offsets.Vlan = position;
                tci = inner.Tci;
                etherType = inner.EncapsulatedEtherType;
                position += VlanTag.Size;
            }

            key.VlanTci = (ushort)(tci | FlowKey.VlanTagPresent);
            offsets.EtherType = position - 2;
            layer = PacketLayer.Vlan;
        }

        key.EthType = etherType;
        var network = frame[position..];
        return etherType switch
        {
            EtherTypes.Ipv4 => ExtractIpv4(network, position, ref key, ref offsets),
            EtherTypes.Ipv6 => ExtractIpv6(network, position, ref key, ref offsets),
            EtherTypes.Arp => ExtractArp(network, position, ref key, ref offsets),
            EtherTypes.MplsUnicast or EtherTypes.MplsMulticast => ExtractMpls(network, position, ref key, ref offsets),
            _ => new ParseResult(ParseStatus.Ok, layer),
        };
    }

    private static ParseResult ExtractIpv4(ReadOnlySpan<byte> packet, int position, ref FlowKey key, ref HeaderOffsets offsets)
    {
        var status = Ipv4Header.Parse(packet, out var ip);
        if (status != ParseStatus.Ok)
        {
            return new ParseResult(status, PacketLayer.Ipv4);
        }

        offsets.Network = position;
        key.SetIpv4Addresses(ip.Source, ip.Destination);
        key.SetIpHeader(ip.Protocol, ip.Dscp, ip.Ecn, ip.Ttl);
        if (ip.IsFragment)
        {
            key.IpFrag = FragmentState(ip.FragmentOffset);
            if (ip.FragmentOffset != 0)
            {
                return new ParseResult(ParseStatus.Ok, PacketLayer.Ipv4);
            }
        }

        return ExtractTransport(ip.Payload, position + ip.HeaderLength, ip.Protocol, PacketLayer.Ipv4, ref key, ref offsets);
    }

    private static ParseResult ExtractIpv6(ReadOnlySpan<byte> packet, int position, ref FlowKey key, ref HeaderOffsets offsets)
    {
        var status = Ipv6Header.Parse(packet, out var ip);
        if (status != ParseStatus.Ok)
        {
            return new ParseResult(status, PacketLayer.Ipv6);
        }

        offsets.Network = position;
        key.Ipv6Src = ip.Source;
        key.Ipv6Dst = ip.Destination;
        key.IpDscp = ip.Dscp;
        key.IpEcn = ip.Ecn;
        key.IpTtl = ip.HopLimit;
        var layer = PacketLayer.Ipv6;
        var upperLayer = ip.Payload;
        var protocol = ip.NextHeader;
        var transportPosition = position + Ipv6Header.Size;
        if (Ipv6ExtensionChain.IsExtensionHeader(protocol))
        {
            status = Ipv6ExtensionChain.Parse(protocol, upperLayer, out var chain);
            if (status != ParseStatus.Ok)
            {
                return new ParseResult(status, PacketLayer.Ipv6Extension);
            }

            layer = PacketLayer.Ipv6Extension;
            protocol = chain.UpperLayerProtocol;
            upperLayer = chain.UpperLayer;
            transportPosition += chain.Length;
            if (chain.IsFragment)
            {
                key.IpFrag = FragmentState(chain.FragmentOffset);
                if (chain.FragmentOffset != 0)
                {
                    key.IpProto = protocol;
                    return new ParseResult(ParseStatus.Ok, layer);
                }
            }
        }

        key.IpProto = protocol;
        return ExtractTransport(upperLayer, transportPosition, protocol, layer, ref key, ref offsets);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ParseResult ExtractTransport(
        ReadOnlySpan<byte> segment, int position, byte protocol, PacketLayer networkLayer, ref FlowKey key, ref HeaderOffsets offsets)
    {
        ParseStatus status;
        switch (protocol)
        {
            case IpProtocols.Tcp:
                status = TcpHeader.Parse(segment, out var tcp);
                if (status != ParseStatus.Ok)
                {
                    return new ParseResult(status, PacketLayer.Tcp);
                }

                key.SetL4Ports(tcp.SourcePort, tcp.DestinationPort);
                offsets.Transport = position;
                offsets.Payload = position + tcp.HeaderLength;
                return new ParseResult(ParseStatus.Ok, PacketLayer.Tcp);

            case IpProtocols.Udp:
                status = UdpHeader.Parse(segment, out var udp);
                if (status != ParseStatus.Ok)
                {
                    return new ParseResult(status, PacketLayer.Udp);
                }

                key.SetL4Ports(udp.SourcePort, udp.DestinationPort);
                offsets.Transport = position;
                offsets.Payload = position + UdpHeader.Size;
                return new ParseResult(ParseStatus.Ok, PacketLayer.Udp);

            case IpProtocols.Icmp when networkLayer == PacketLayer.Ipv4:
            case IpProtocols.Icmpv6 when networkLayer != PacketLayer.Ipv4:
                var icmpLayer = protocol == IpProtocols.Icmp ? PacketLayer.Icmp : PacketLayer.Icmpv6;
                status = IcmpHeader.Parse(segment, out var icmp);
                if (status != ParseStatus.Ok)
                {
                    return new ParseResult(status, icmpLayer);
                }

                key.IcmpType = icmp.Type;
                key.IcmpCode = icmp.Code;
                if (protocol == IpProtocols.Icmpv6 && NeighborMessage.HasTarget(icmp.Type))
                {
                    if (NeighborMessage.Parse(segment, out var neighbor) != ParseStatus.Ok)
                    {
                        return new ParseResult(ParseStatus.Truncated, PacketLayer.Icmpv6);
                    }

                    key.NdTarget = neighbor.Target;
                }

                offsets.Transport = position;
                offsets.Payload = position + IcmpHeader.Size;
                return new ParseResult(ParseStatus.Ok, icmpLayer);

            default:
                return new ParseResult(ParseStatus.Ok, networkLayer);
        }
    }

    private static ParseResult ExtractArp(ReadOnlySpan<byte> packet, int position, ref FlowKey key, ref HeaderOffsets offsets)
    {
        var status = ArpPacket.Parse(packet, out var arp);
        if (status != ParseStatus.Ok)
        {
            return new ParseResult(status, PacketLayer.Arp);
        }

        offsets.Network = position;
        key.ArpOp = arp.Operation;
        key.SetIpv4Addresses(arp.SenderProtocolAddress, arp.TargetProtocolAddress);
        return new ParseResult(ParseStatus.Ok, PacketLayer.Arp);
    }

    private static ParseResult ExtractMpls(ReadOnlySpan<byte> bytes, int position, ref FlowKey key, ref HeaderOffsets offsets)
    {
        var status = MplsHeader.Parse(bytes, out var stack);
        if (status != ParseStatus.Ok)
        {
            return new ParseResult(status, PacketLayer.Mpls);
        }

        offsets.Mpls = position;
        offsets.Payload = position + stack.Length;
        key.MplsTopEntry = stack.TopEncoded;
        key.MplsDepth = (byte)stack.Depth;
        return new ParseResult(ParseStatus.Ok, PacketLayer.Mpls);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static IpFragment FragmentState(ushort fragmentOffset) =>
        fragmentOffset == 0 ? IpFragment.IsFragment : IpFragment.IsFragment | IpFragment.LaterFragment;
}
