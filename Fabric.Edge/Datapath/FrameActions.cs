using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The frame rewrites behind the compiled actions. Each works in place on one frame of a burst, using the
/// header offsets found when the frame was parsed, keeps those offsets true as headers come and go, and
/// fixes every checksum a change touches incrementally (RFC 1624). None allocates.
/// </summary>
/// <remarks>
/// Headers are pushed and popped at the front of the frame, into the burst slot's headroom, so only the
/// Ethernet header (and any tags) move; the payload never does.
/// </remarks>
public static class FrameActions
{
    /// <summary>The TTL of a pushed MPLS entry when the packet carries neither IP nor MPLS to copy one from.</summary>
    public const byte DefaultMplsTtl = 64;

    private const int MacsSize = 12;
    private const int ShimSize = 4;

    /// <summary>The MAC of ff02::1, the all-nodes multicast address (<see cref="AllNodes"/>).</summary>
    private const ulong AllNodesMac = 0x33_33_00_00_00_01;

    private static readonly UInt128 AllNodes = ((UInt128)0xFF02_0000_0000_0000UL << 64) | 1;

    public static void SetField(Span<byte> frame, in HeaderOffsets offsets, HeaderField field, ulong value)
    {
        switch (field)
        {
            case HeaderField.EthDst:
                EthernetHeader.WriteMac(frame, value);
                break;
            case HeaderField.EthSrc:
                EthernetHeader.WriteMac(frame[6..], value);
                break;
            case HeaderField.VlanVid:
            case HeaderField.VlanPcp:
                SetVlan(frame, offsets, field, (ushort)value);
                break;
            case HeaderField.MplsLabel:
            case HeaderField.MplsTc:
            case HeaderField.MplsTtl:
                SetMpls(frame, offsets, field, (uint)value);
                break;
            case HeaderField.Ipv4Src:
            case HeaderField.Ipv4Dst:
                SetIpv4Address(frame, offsets, field == HeaderField.Ipv4Src ? Ipv4Header.SourceOffset : Ipv4Header.DestinationOffset, (uint)value);
                break;
            case HeaderField.IpDscp:
                SetDscp(frame, offsets, (byte)value);
                break;
            case HeaderField.IpTtl:
                SetIpTtl(frame, offsets, (byte)value);
                break;
            case HeaderField.L4Src:
            case HeaderField.L4Dst:
                SetTransportPort(frame, offsets, field == HeaderField.L4Src ? 0 : 2, (ushort)value);
                break;
            case HeaderField.Ipv6SrcHigh:
            case HeaderField.Ipv6SrcLow:
            case HeaderField.Ipv6DstHigh:
            case HeaderField.Ipv6DstLow:
                SetIpv6AddressHalf(frame, offsets, Ipv6HalfOffset(field), value);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(field), field, "not a rewritable header field");
        }
    }

    /// <summary>Decrements the IP TTL or hop limit; false when it would expire (the frame is left as it was).</summary>
    public static bool TryDecrementIpTtl(Span<byte> frame, in HeaderOffsets offsets)
    {
        var ethType = EtherType(frame, offsets);
        if (offsets.Network == HeaderOffsets.Absent || ethType is not (EtherTypes.Ipv4 or EtherTypes.Ipv6))
        {
            return true;
        }

        var ip = frame[offsets.Network..];
        var ttlOffset = ethType == EtherTypes.Ipv4 ? Ipv4Header.TtlOffset : Ipv6Header.HopLimitOffset;
        if (ip[ttlOffset] <= 1)
        {
            return false;
        }

        if (ethType == EtherTypes.Ipv4)
        {
            Ipv4Header.DecrementTtl(ip);
        }
        else
        {
            ip[ttlOffset]--;
        }

        return true;
    }

    /// <summary>
    /// Writes both Ethernet addresses, given as the frame's first 12 bytes lie in memory (see
    /// <see cref="DatapathAction.EthAddresses"/>): two stores, where each address apart takes a 2- and a 4-byte one.
    /// </summary>
    public static void SetEthAddresses(Span<byte> frame, ulong firstEight, uint nextFour)
    {
        MemoryMarshal.Write(frame, firstEight);
        MemoryMarshal.Write(frame[sizeof(ulong)..], nextFour);
    }

    /// <summary>
    /// A router's hop: both Ethernet addresses (as <see cref="SetEthAddresses"/>) and the IP TTL decrement; false, the
    /// frame left as it was, when the TTL would expire.
    /// </summary>
    public static bool TryRouteHop(Span<byte> frame, in HeaderOffsets offsets, ulong firstEight, uint nextFour)
    {
        if (!TryDecrementIpTtl(frame, offsets))
        {
            return false;
        }

        SetEthAddresses(frame, firstEight, nextFour);
        return true;
    }

    /// <summary>Decrements the top MPLS TTL; false when it would expire.</summary>
    public static bool TryDecrementMplsTtl(Span<byte> frame, in HeaderOffsets offsets)
    {
        if (offsets.Mpls == HeaderOffsets.Absent)
        {
            return true;
        }

        var ttl = frame[offsets.Mpls + 3];
        if (ttl <= 1)
        {
            return false;
        }

        frame[offsets.Mpls + 3] = (byte)(ttl - 1);
        return true;
    }

    /// <summary>
    /// Pushes an MPLS entry with <paramref name="label"/> on top of the stack (or after the tags), its TTL copied
    /// from the entry or IP header below; false when the slot has no headroom left.
    /// </summary>
    public static bool TryPushMpls(PacketBurst burst, int index, ref HeaderOffsets offsets, ushort ethType, uint label = 0)
    {
        var frame = burst.Frame(index);
        var bottomOfStack = offsets.Mpls == HeaderOffsets.Absent;
        var at = bottomOfStack ? offsets.EtherType + 2 : offsets.Mpls;
        var ttl = !bottomOfStack ? frame[offsets.Mpls + 3] : IpTtl(frame, offsets) ?? DefaultMplsTtl;
        if (!TryInsert(burst, index, at, out frame))
        {
            return false;
        }

        new MplsLabelStackEntry(label & MplsLabelStackEntry.MaxLabel, 0, bottomOfStack, ttl).TryWrite(frame[at..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[offsets.EtherType..], ethType);
        offsets.Mpls = at;
        offsets.Network = Shift(offsets.Network, ShimSize);
        offsets.Transport = Shift(offsets.Transport, ShimSize);
        offsets.Payload = Shift(offsets.Payload, ShimSize);
        return true;
    }

    /// <summary>
    /// Pops the top MPLS entry. When it was the bottom of the stack the frame's Ethernet type becomes
    /// <paramref name="ethType"/> and the payload is parsed so later rewrites can find its headers.
    /// </summary>
    public static void PopMpls(PacketBurst burst, int index, ref HeaderOffsets offsets, ushort ethType)
    {
        if (offsets.Mpls == HeaderOffsets.Absent)
        {
            return;
        }

        var frame = burst.Frame(index);
        var at = offsets.Mpls;
        var bottomOfStack = MplsLabelStackEntry.Decode(BinaryPrimitives.ReadUInt32BigEndian(frame[at..])).BottomOfStack;
        frame = Remove(burst, index, at);
        offsets.Payload = Shift(offsets.Payload, -ShimSize);
        if (bottomOfStack)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame[offsets.EtherType..], ethType);
            FlowKeyExtractor.Extract(frame, 0, out _, out offsets);
        }
    }

    /// <summary>Pushes a new outermost 802.1Q tag, a copy of the tag it covers (VID 0 when there was none).</summary>
    public static bool TryPushVlan(PacketBurst burst, int index, ref HeaderOffsets offsets, ushort tpid)
    {
        // A third tag is refused, as the pipeline's translation does.
        if (offsets.OuterVlan != HeaderOffsets.Absent || !TryInsert(burst, index, MacsSize, out var frame))
        {
            return false;
        }

        var tci = offsets.Vlan == HeaderOffsets.Absent ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(frame[(offsets.Vlan + ShimSize)..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[MacsSize..], tpid);
        BinaryPrimitives.WriteUInt16BigEndian(frame[(MacsSize + 2)..], tci);
        if (offsets.Vlan != HeaderOffsets.Absent)
        {
            offsets.OuterVlan = MacsSize + 2;
        }

        offsets.Vlan = offsets.Vlan == HeaderOffsets.Absent ? MacsSize + 2 : offsets.Vlan + ShimSize;
        ShiftPastTags(ref offsets, ShimSize);
        return true;
    }

    /// <summary>Pops the outermost 802.1Q tag, if the frame has one.</summary>
    public static void PopVlan(PacketBurst burst, int index, ref HeaderOffsets offsets)
    {
        if (offsets.Vlan == HeaderOffsets.Absent)
        {
            return;
        }

        Remove(burst, index, MacsSize);
        if (offsets.OuterVlan != HeaderOffsets.Absent)
        {
            offsets.OuterVlan = HeaderOffsets.Absent;
            offsets.Vlan -= ShimSize;
        }
        else
        {
            offsets.Vlan = HeaderOffsets.Absent;
        }

        ShiftPastTags(ref offsets, -ShimSize);
    }

    /// <summary>Turns the ARP request in <paramref name="frame"/> into the reply from <paramref name="mac"/>, addressed to the requester.</summary>
    public static void WriteArpReply(Span<byte> frame, in HeaderOffsets offsets, ulong mac)
    {
        if (offsets.Network == HeaderOffsets.Absent || ArpPacket.Parse(frame[offsets.Network..], out var request) != ParseStatus.Ok)
        {
            return;
        }

        var (requesterMac, requesterIp, targetIp) = (request.SenderHardwareAddress, request.SenderProtocolAddress, request.TargetProtocolAddress);
        ArpPacket.TryWrite(frame[offsets.Network..], ArpPacket.Reply, mac, targetIp, requesterMac, requesterIp);
        AddressReply(frame, requesterMac, mac);
    }

    /// <summary>
    /// Turns the neighbour solicitation of frame <paramref name="index"/> into the advertisement of its target from
    /// <paramref name="mac"/> (RFC 4861 §7.2.4): override, router when <paramref name="router"/>, with a target
    /// link-layer address option; solicited and addressed to the soliciting node, or, for duplicate address detection
    /// (a solicitation from the unspecified address), unsolicited and to all nodes (ff02::1), which defends the
    /// address. The frame becomes exactly that long, which grows it when the solicitation carried no option. False,
    /// leaving the frame alone, for anything but a solicitation §7.1.1 lets a node answer.
    /// </summary>
    public static bool TryWriteNeighborAdvertisement(PacketBurst burst, int index, ref HeaderOffsets offsets, ulong mac, bool router)
    {
        var frame = burst.Frame(index);
        if (!IsIpv6(frame, offsets) || NeighbourFrames.TryRead(frame, offsets, out var solicitation) != NeighbourReadResult.Valid
            || solicitation.Type != NeighborMessage.Solicitation)
        {
            return false;
        }

        var target = solicitation.Target;
        var defending = solicitation.Source == UInt128.Zero;
        var (requester, requesterMac) = defending ? (AllNodes, AllNodesMac) : (solicitation.Source, EthernetHeader.ReadMac(frame[6..]));
        const int AdvertisementLength = Ipv6Header.Size + NeighborMessage.SizeWithLinkLayerOption;

        // Within the slot a frame of this size always fits; the check keeps a broken offset from writing past it.
        if (!burst.TrySetLength(index, offsets.Network + AdvertisementLength))
        {
            return false;
        }

        frame = burst.Frame(index);
        var ip = frame[offsets.Network..];
        var flags = (defending ? 0 : NeighborMessage.SolicitedFlag) | NeighborMessage.OverrideFlag | (router ? NeighborMessage.RouterFlag : 0);
        Ipv6Header.TryWrite(ip, target, requester, IpProtocols.Icmpv6, NeighborMessage.SizeWithLinkLayerOption, NeighborMessage.HopLimit);
        var advertisement = ip[Ipv6Header.Size..];
        NeighborMessage.TryWrite(advertisement, NeighborMessage.Advertisement, flags, target, NeighborMessage.TargetLinkLayerAddressOption, mac);
        InternetChecksum.Store(advertisement, IcmpHeader.ChecksumOffset, PseudoHeaderSum(ip, advertisement.Length));
        AddressReply(frame, requesterMac, mac);
        offsets.Payload = offsets.Transport + IcmpHeader.Size;
        return true;
    }

    /// <summary>
    /// Turns a DHCP DISCOVER into the OFFER of <paramref name="offer"/>, a REQUEST into its ACK (RFC 2131), broadcast
    /// from the server to the requester's MAC with a zero UDP checksum. False, leaving the frame to be dropped, for
    /// anything else: a fragment, a bad IPv4 header, a UDP datagram not from 68 to 67, a message that is not a request.
    /// </summary>
    public static bool TryWriteDhcpReply(PacketBurst burst, int index, ref HeaderOffsets offsets, in DhcpOffer offer)
    {
        var frame = burst.Frame(index);
        if (!IsIpv4(frame, offsets) || offsets.Transport == HeaderOffsets.Absent
            || Ipv4Header.Parse(frame[offsets.Network..], out var ip) != ParseStatus.Ok
            || ip.IsFragment || ip.Protocol != IpProtocols.Udp || !ip.IsChecksumValid
            || UdpHeader.Parse(ip.Payload, out var udp) != ParseStatus.Ok
            || udp.SourcePort != DhcpMessage.ClientPort || udp.DestinationPort != DhcpMessage.ServerPort
            || !DhcpMessage.TryReadRequestType(udp.Payload, out var requestType)
            || requestType is not (DhcpMessage.Discover or DhcpMessage.Request))
        {
            return false;
        }

        Span<byte> request = stackalloc byte[DhcpMessage.HeaderSize];
        udp.Payload[..DhcpMessage.HeaderSize].CopyTo(request);
        var requesterMac = EthernetHeader.ReadMac(frame[6..]);
        const int ReplyLength = Ipv4Header.MinimumSize + UdpHeader.Size + DhcpMessage.ReplySize;
        if (!burst.TrySetLength(index, offsets.Network + ReplyLength))
        {
            return false;
        }

        frame = burst.Frame(index);
        var reply = frame[offsets.Network..];
        Ipv4Header.TryWrite(reply, offer.Server, uint.MaxValue, IpProtocols.Udp, UdpHeader.Size + DhcpMessage.ReplySize);
        UdpHeader.TryWrite(reply[Ipv4Header.MinimumSize..], DhcpMessage.ServerPort, DhcpMessage.ClientPort, DhcpMessage.ReplySize);
        var type = requestType == DhcpMessage.Discover ? DhcpMessage.Offer : DhcpMessage.Ack;
        DhcpMessage.WriteReply(
            reply[(Ipv4Header.MinimumSize + UdpHeader.Size)..], request, type, offer.Client, offer.PrefixLength, offer.Server, offer.Mtu, offer.LeaseSeconds, offer.DnsServer);
        AddressReply(frame, requesterMac, offer.ServerMac);
        offsets.Transport = offsets.Network + Ipv4Header.MinimumSize;
        offsets.Payload = offsets.Transport + UdpHeader.Size;
        return true;
    }

    /// <summary>Addresses a reply built in place of a request to the requester's MAC, from the responder's.</summary>
    private static void AddressReply(Span<byte> frame, ulong requesterMac, ulong responderMac)
    {
        EthernetHeader.WriteMac(frame, requesterMac);
        EthernetHeader.WriteMac(frame[6..], responderMac);
    }

    private static ulong PseudoHeaderSum(ReadOnlySpan<byte> ipv6, int upperLayerLength) => InternetChecksum.PseudoHeaderSum(
        BinaryPrimitives.ReadUInt128BigEndian(ipv6[Ipv6Header.SourceOffset..]),
        BinaryPrimitives.ReadUInt128BigEndian(ipv6[Ipv6Header.DestinationOffset..]),
        IpProtocols.Icmpv6,
        upperLayerLength);

    private static void SetVlan(Span<byte> frame, in HeaderOffsets offsets, HeaderField field, ushort value)
    {
        var at = offsets.OuterVlan != HeaderOffsets.Absent ? offsets.OuterVlan : offsets.Vlan;
        if (at == HeaderOffsets.Absent)
        {
            return;
        }

        var tci = BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);
        tci = field == HeaderField.VlanVid
            ? (ushort)((tci & ~VlanTag.VlanIdMask) | (value & VlanTag.VlanIdMask))
            : (ushort)((tci & 0x1FFF) | ((value & 7) << 13));
        BinaryPrimitives.WriteUInt16BigEndian(frame[at..], tci);
    }

    private static void SetMpls(Span<byte> frame, in HeaderOffsets offsets, HeaderField field, uint value)
    {
        if (offsets.Mpls == HeaderOffsets.Absent)
        {
            return;
        }

        var entry = MplsLabelStackEntry.Decode(BinaryPrimitives.ReadUInt32BigEndian(frame[offsets.Mpls..]));
        entry = field switch
        {
            HeaderField.MplsLabel => entry with { Label = value & MplsLabelStackEntry.MaxLabel },
            HeaderField.MplsTc => entry with { TrafficClass = (byte)(value & 7) },
            _ => entry with { Ttl = (byte)value },
        };
        entry.TryWrite(frame[offsets.Mpls..]);
    }

    private static void SetIpv4Address(Span<byte> frame, in HeaderOffsets offsets, int addressOffset, uint address)
    {
        if (!IsIpv4(frame, offsets))
        {
            return;
        }

        var ip = frame[offsets.Network..];
        var old = BinaryPrimitives.ReadUInt32BigEndian(ip[addressOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(ip[addressOffset..], address);
        UpdateChecksum(ip, Ipv4Header.ChecksumOffset, old, address);

        // The TCP and UDP checksums cover the addresses through the pseudo-header.
        var checksumAt = TransportChecksumOffset(frame, offsets, out var isUdp);
        if (checksumAt != HeaderOffsets.Absent)
        {
            UpdateTransportChecksum(frame, checksumAt, isUdp, old, address);
        }
    }

    private static int Ipv6HalfOffset(HeaderField field) => field switch
    {
        HeaderField.Ipv6SrcHigh => Ipv6Header.SourceOffset,
        HeaderField.Ipv6SrcLow => Ipv6Header.SourceOffset + 8,
        HeaderField.Ipv6DstHigh => Ipv6Header.DestinationOffset,
        _ => Ipv6Header.DestinationOffset + 8,
    };

    private static void SetIpv6AddressHalf(Span<byte> frame, in HeaderOffsets offsets, int halfOffset, ulong half)
    {
        // Behind extension headers the transport checksum is not found here, and it covers the addresses: leave the frame alone.
        if (!IsIpv6(frame, offsets) || (offsets.Transport != HeaderOffsets.Absent && offsets.Transport != offsets.Network + Ipv6Header.Size))
        {
            return;
        }

        var at = offsets.Network + halfOffset;
        var old = BinaryPrimitives.ReadUInt64BigEndian(frame[at..]);
        BinaryPrimitives.WriteUInt64BigEndian(frame[at..], half);
        var checksumAt = TransportChecksumOffset(frame, offsets, out var isUdp, includeIcmpv6: true);
        if (checksumAt != HeaderOffsets.Absent)
        {
            UpdateTransportChecksum(frame, checksumAt, isUdp, old, half);
        }
    }

    private static void SetDscp(Span<byte> frame, in HeaderOffsets offsets, byte dscp)
    {
        if (IsIpv4(frame, offsets))
        {
            var ip = frame[offsets.Network..];
            var old = BinaryPrimitives.ReadUInt16BigEndian(ip);
            ip[1] = (byte)((dscp << 2) | (ip[1] & 0x3));
            UpdateChecksum(ip, Ipv4Header.ChecksumOffset, old, BinaryPrimitives.ReadUInt16BigEndian(ip));
        }
        else if (IsIpv6(frame, offsets))
        {
            // The traffic class straddles the first two bytes: version(4) | class(8) | flow label(20).
            var ip = frame[offsets.Network..];
            var first = BinaryPrimitives.ReadUInt16BigEndian(ip);
            var trafficClass = (first >> 4) & 0xFF;
            trafficClass = (dscp << 2) | (trafficClass & 0x3);
            BinaryPrimitives.WriteUInt16BigEndian(ip, (ushort)((first & 0xF00F) | (trafficClass << 4)));
        }
    }

    private static void SetIpTtl(Span<byte> frame, in HeaderOffsets offsets, byte ttl)
    {
        if (IsIpv4(frame, offsets))
        {
            var ip = frame[offsets.Network..];
            var old = BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv4Header.TtlOffset..]);
            ip[Ipv4Header.TtlOffset] = ttl;
            UpdateChecksum(ip, Ipv4Header.ChecksumOffset, old, BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv4Header.TtlOffset..]));
        }
        else if (IsIpv6(frame, offsets))
        {
            frame[offsets.Network + Ipv6Header.HopLimitOffset] = ttl;
        }
    }

    private static void SetTransportPort(Span<byte> frame, in HeaderOffsets offsets, int portOffset, ushort port)
    {
        var checksumAt = TransportChecksumOffset(frame, offsets, out var isUdp);
        if (checksumAt == HeaderOffsets.Absent)
        {
            return;
        }

        var at = offsets.Transport + portOffset;
        var old = BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[at..], port);
        UpdateTransportChecksum(frame, checksumAt, isUdp, old, port);
    }

    /// <summary>
    /// Where the TCP or UDP checksum of the frame sits (or ICMPv6's, whose pseudo-header holds the addresses),
    /// or <see cref="HeaderOffsets.Absent"/> when it has none (or an IPv6 extension chain this rewrite does not walk).
    /// </summary>
    private static int TransportChecksumOffset(Span<byte> frame, in HeaderOffsets offsets, out bool isUdp, bool includeIcmpv6 = false)
    {
        isUdp = false;
        if (offsets.Transport == HeaderOffsets.Absent)
        {
            return HeaderOffsets.Absent;
        }

        var protocol = IsIpv4(frame, offsets) ? frame[offsets.Network + 9]
            : IsIpv6(frame, offsets) && offsets.Transport == offsets.Network + Ipv6Header.Size ? frame[offsets.Network + Ipv6Header.NextHeaderOffset]
            : (byte)0;
        isUdp = protocol == IpProtocols.Udp;
        return protocol switch
        {
            IpProtocols.Tcp => offsets.Transport + TcpHeader.ChecksumOffset,
            IpProtocols.Udp => offsets.Transport + UdpHeader.ChecksumOffset,
            IpProtocols.Icmpv6 when includeIcmpv6 => offsets.Transport + IcmpHeader.ChecksumOffset,
            _ => HeaderOffsets.Absent,
        };
    }

    private static void UpdateChecksum(Span<byte> header, int checksumOffset, uint oldValue, uint newValue)
    {
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(header[checksumOffset..]);
        BinaryPrimitives.WriteUInt16BigEndian(header[checksumOffset..], InternetChecksum.Update(checksum, oldValue, newValue));
    }

    /// <summary>Updates a TCP or UDP checksum, keeping UDP's "no checksum" zero and never producing it.</summary>
    private static void UpdateTransportChecksum(Span<byte> frame, int checksumAt, bool isUdp, UInt128 oldValue, UInt128 newValue)
    {
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(frame[checksumAt..]);
        if (checksum == 0 && isUdp)
        {
            return;
        }

        var updated = InternetChecksum.Update(checksum, oldValue, newValue);
        BinaryPrimitives.WriteUInt16BigEndian(frame[checksumAt..], updated == 0 && isUdp ? (ushort)0xFFFF : updated);
    }

    private static byte? IpTtl(Span<byte> frame, in HeaderOffsets offsets) =>
        IsIpv4(frame, offsets) ? frame[offsets.Network + Ipv4Header.TtlOffset]
        : IsIpv6(frame, offsets) ? frame[offsets.Network + Ipv6Header.HopLimitOffset]
        : null;

    private static ushort EtherType(Span<byte> frame, in HeaderOffsets offsets) =>
        offsets.EtherType == HeaderOffsets.Absent ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(frame[offsets.EtherType..]);

    private static bool IsIpv4(Span<byte> frame, in HeaderOffsets offsets) =>
        offsets.Network != HeaderOffsets.Absent && offsets.Mpls == HeaderOffsets.Absent && EtherType(frame, offsets) == EtherTypes.Ipv4;

    private static bool IsIpv6(Span<byte> frame, in HeaderOffsets offsets) =>
        offsets.Network != HeaderOffsets.Absent && offsets.Mpls == HeaderOffsets.Absent && EtherType(frame, offsets) == EtherTypes.Ipv6;

    /// <summary>Opens 4 bytes at <paramref name="at"/> by moving the bytes before it into the headroom.</summary>
    private static bool TryInsert(PacketBurst burst, int index, int at, out Span<byte> frame)
    {
        if (!burst.TryPushFront(index, ShimSize, out frame))
        {
            return false;
        }

        MoveHeadersTowardFront(frame, at);
        return true;
    }

    /// <summary>Closes the 4 bytes at <paramref name="at"/> by moving the bytes before it forward.</summary>
    private static Span<byte> Remove(PacketBurst burst, int index, int at)
    {
        MoveHeadersTowardBack(burst.Frame(index), at);
        burst.TryPullFront(index, ShimSize);
        return burst.Frame(index);
    }

    /// <summary>Moves <c>frame[4..4+length]</c> to <c>frame[..length]</c>.</summary>
    private static void MoveHeadersTowardFront(Span<byte> frame, int length) => MoveHeaders(frame.Slice(ShimSize, length), frame);

    /// <summary>Moves <c>frame[..length]</c> to <c>frame[4..4+length]</c>.</summary>
    private static void MoveHeadersTowardBack(Span<byte> frame, int length) => MoveHeaders(frame[..length], frame[ShimSize..]);

    /// <summary>
    /// Moves the few header bytes before a shim, which overlap their destination. Ethernet headers and tags (12 to 22
    /// bytes) are moved as two overlapping loads, a head and a tail, both made before either store, which makes the
    /// overlap safe: Span.CopyTo would leave managed code for the C library's memmove, a call that cost more than
    /// everything else a push does.
    /// </summary>
    private static void MoveHeaders(ReadOnlySpan<byte> from, Span<byte> to)
    {
        var length = from.Length;
        if (length is >= 16 and <= 32)
        {
            var head = Vector128.Create(from);
            var tail = Vector128.Create(from[(length - 16)..]);
            head.CopyTo(to);
            tail.CopyTo(to[(length - 16)..]);
        }
        else if (length is >= sizeof(ulong) and < 16)
        {
            var head = MemoryMarshal.Read<ulong>(from);
            var tail = MemoryMarshal.Read<ulong>(from[(length - sizeof(ulong))..]);
            MemoryMarshal.Write(to, head);
            MemoryMarshal.Write(to[(length - sizeof(ulong))..], tail);
        }
        else
        {
            from.CopyTo(to);
        }
    }

    private static void ShiftPastTags(ref HeaderOffsets offsets, int by)
    {
        offsets.EtherType = Shift(offsets.EtherType, by);
        offsets.Mpls = Shift(offsets.Mpls, by);
        offsets.Network = Shift(offsets.Network, by);
        offsets.Transport = Shift(offsets.Transport, by);
        offsets.Payload = Shift(offsets.Payload, by);
    }

    private static int Shift(int offset, int by) => offset == HeaderOffsets.Absent ? offset : offset + by;

    /// <summary>The sender IPv4 and MAC addresses of the ARP packet at <paramref name="offsets"/>; false for anything else.</summary>
    public static bool TryReadArpSender(ReadOnlySpan<byte> frame, in HeaderOffsets offsets, out uint address, out ulong mac)
    {
        if (offsets.Network == HeaderOffsets.Absent || ArpPacket.Parse(frame[offsets.Network..], out var arp) != ParseStatus.Ok)
        {
            (address, mac) = (0, 0);
            return false;
        }

        (address, mac) = (arp.SenderProtocolAddress, arp.SenderHardwareAddress);
        return true;
    }

    /// <summary>The IPv4 destination of the packet at <paramref name="offsets"/>; false when it is not IPv4.</summary>
    public static bool TryReadIpv4Destination(ReadOnlySpan<byte> frame, in HeaderOffsets offsets, out uint destination)
    {
        destination = 0;
        if (offsets.Network == HeaderOffsets.Absent || offsets.EtherType == HeaderOffsets.Absent || frame.Length < offsets.Network + Ipv4Header.MinimumSize
            || BinaryPrimitives.ReadUInt16BigEndian(frame[offsets.EtherType..]) != EtherTypes.Ipv4)
        {
            return false;
        }

        destination = BinaryPrimitives.ReadUInt32BigEndian(frame[(offsets.Network + Ipv4Header.DestinationOffset)..]);
        return true;
    }

    /// <summary>
    /// Turns frame <paramref name="index"/> into a broadcast ARP request for <paramref name="target"/> from its own source
    /// MAC and <paramref name="sender"/>, untagged and without offload; false, leaving it alone, when its slot is too small.
    /// </summary>
    public static bool TryWriteArpRequest(PacketBurst burst, int index, ref HeaderOffsets offsets, uint sender, uint target)
    {
        var source = EthernetHeader.ReadMac(burst.Frame(index)[6..]);
        if (!burst.TrySetLength(index, EthernetHeader.Size + ArpPacket.Size))
        {
            return false;
        }

        var frame = burst.Frame(index);
        EthernetHeader.TryWrite(frame, EthernetHeader.Broadcast, source, EtherTypes.Arp);
        ArpPacket.TryWrite(frame[EthernetHeader.Size..], ArpPacket.Request, source, sender, 0, target);
        burst.SetOffload(index, FrameOffload.None);
        offsets = HeaderOffsets.None;
        offsets.EtherType = EthernetHeader.EtherTypeOffset;
        offsets.Network = EthernetHeader.Size;
        return true;
    }
}
