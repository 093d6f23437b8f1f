using System.Buffers.Binary;

namespace Sdn.Common.Packets;

/// <summary>
/// Composes a frame header by header into a buffer, then fills in what depends on what follows: IPv4 total
/// length and header checksum, IPv6 payload length, UDP length, and the TCP, UDP and ICMP checksums.
/// </summary>
/// <remarks>
/// Each call appends one header with the next-protocol value the caller gives, so any sequence can be built,
/// the odd and the broken included (tests rely on this). A call that does not fit marks the builder failed,
/// and <see cref="TryFinish"/> reports it. Nothing allocates.
/// </remarks>
public ref struct FrameBuilder
{
    private const int Unset = -1;

    private readonly Span<byte> _buffer;
    private int _length;
    private bool _failed;
    private int _ipv4 = Unset;
    private int _ipv6 = Unset;
    private int _transport = Unset;
    private byte _transportProtocol;

    public FrameBuilder(Span<byte> buffer) => _buffer = buffer;

    /// <summary>The bytes written so far.</summary>
    public readonly int Length => _length;

    public void Ethernet(ulong destination, ulong source, ushort etherType) =>
        Append(EthernetHeader.Size, EthernetHeader.TryWrite(Free, destination, source, etherType));

    /// <summary>Appends the TCI and encapsulated EtherType of a tag; the tag protocol identifier is the EtherType before it.</summary>
    public void Vlan(ushort tci, ushort encapsulatedEtherType) =>
        Append(VlanTag.Size, VlanTag.TryWrite(Free, tci, encapsulatedEtherType));

    public void Mpls(scoped ReadOnlySpan<MplsLabelStackEntry> entries) =>
        Append(entries.Length * MplsLabelStackEntry.Size, MplsHeader.TryWrite(Free, entries));

    public void Arp(ushort operation, ulong senderMac, uint senderIp, ulong targetMac, uint targetIp) =>
        Append(ArpPacket.Size, ArpPacket.TryWrite(Free, operation, senderMac, senderIp, targetMac, targetIp));

    /// <param name="fragmentOffset">In 8-byte units.</param>
    public void Ipv4(
        uint source,
        uint destination,
        byte protocol,
        byte ttl = 64,
        ushort identification = 0,
        byte dscp = 0,
        byte ecn = 0,
        bool dontFragment = false,
        bool moreFragments = false,
        ushort fragmentOffset = 0,
        scoped ReadOnlySpan<byte> options = default)
    {
        _ipv4 = _length;
        _transportProtocol = protocol;
        var written = Ipv4Header.TryWrite(
            Free, source, destination, protocol, 0, ttl, identification, dscp, ecn, dontFragment, moreFragments, fragmentOffset, options);
        Append(Ipv4Header.MinimumSize + options.Length, written);
    }

    public void Ipv6(UInt128 source, UInt128 destination, byte nextHeader, byte hopLimit = 64, byte trafficClass = 0, uint flowLabel = 0)
    {
        _ipv6 = _length;
        _transportProtocol = nextHeader;
        Append(Ipv6Header.Size, Ipv6Header.TryWrite(Free, source, destination, nextHeader, 0, hopLimit, trafficClass, flowLabel));
    }

    /// <summary>Appends a hop-by-hop or destination options header holding only padding.</summary>
    public void Ipv6PaddingOptions(byte nextHeader)
    {
        _transportProtocol = nextHeader;
        Append(Ipv6ExtensionChain.PaddingOptionsHeaderSize, Ipv6ExtensionChain.TryWritePaddingOptions(Free, nextHeader));
    }

    /// <param name="fragmentOffset">In 8-byte units.</param>
    public void Ipv6Fragment(byte nextHeader, ushort fragmentOffset, bool moreFragments, uint identification)
    {
        _transportProtocol = nextHeader;
        Append(
            Ipv6ExtensionChain.FragmentHeaderSize,
            Ipv6ExtensionChain.TryWriteFragment(Free, nextHeader, fragmentOffset, moreFragments, identification));
    }

    public void Udp(ushort sourcePort, ushort destinationPort)
    {
        _transport = _length;
        Append(UdpHeader.Size, UdpHeader.TryWrite(Free, sourcePort, destinationPort, 0));
    }

    public void Tcp(
        ushort sourcePort,
        ushort destinationPort,
        uint sequenceNumber,
        uint acknowledgmentNumber,
        byte flags,
        ushort window = 65535,
        scoped ReadOnlySpan<byte> options = default)
    {
        _transport = _length;
        var written = TcpHeader.TryWrite(Free, sourcePort, destinationPort, sequenceNumber, acknowledgmentNumber, flags, window, options);
        Append(TcpHeader.MinimumSize + options.Length, written);
    }

    /// <summary>An ICMPv4 or ICMPv6 echo header, whichever the IP header before it names.</summary>
    public void IcmpEcho(byte type, ushort identifier, ushort sequenceNumber)
    {
        _transport = _length;
        Append(IcmpHeader.Size, IcmpHeader.TryWriteEcho(Free, type, identifier, sequenceNumber));
    }

    /// <summary>An ICMPv6 neighbour solicitation or advertisement, with a link-layer address option unless <paramref name="linkLayerOption"/> is 0.</summary>
    public void Neighbor(byte type, uint flags, UInt128 target, byte linkLayerOption = 0, ulong mac = 0)
    {
        _transport = _length;
        Append(
            linkLayerOption == 0 ? NeighborMessage.MinimumSize : NeighborMessage.SizeWithLinkLayerOption,
            NeighborMessage.TryWrite(Free, type, flags, target, linkLayerOption, mac));
    }

    public void Payload(scoped ReadOnlySpan<byte> bytes) => Append(bytes.Length, bytes.TryCopyTo(Free));

    /// <summary>Fills in lengths and checksums. False when anything did not fit.</summary>
    public readonly bool TryFinish(out int length)
    {
        length = _length;
        if (_failed)
        {
            return false;
        }

        var frame = _buffer[.._length];
        ulong pseudoHeaderSum = 0;
        var transportLength = _length - _transport;
        if (_ipv4 != Unset)
        {
            var packet = frame[_ipv4..];
            BinaryPrimitives.WriteUInt16BigEndian(packet[Ipv4Header.TotalLengthOffset..], (ushort)packet.Length);
            Ipv4Header.WriteChecksum(packet[..((packet[0] & 0xF) * 4)]);
            pseudoHeaderSum = InternetChecksum.PseudoHeaderSum(
                BinaryPrimitives.ReadUInt32BigEndian(packet[Ipv4Header.SourceOffset..]),
                BinaryPrimitives.ReadUInt32BigEndian(packet[Ipv4Header.DestinationOffset..]),
                _transportProtocol,
                transportLength);
        }

        if (_ipv6 != Unset)
        {
            var packet = frame[_ipv6..];
            BinaryPrimitives.WriteUInt16BigEndian(packet[Ipv6Header.PayloadLengthOffset..], (ushort)(packet.Length - Ipv6Header.Size));
            pseudoHeaderSum = InternetChecksum.PseudoHeaderSum(
                BinaryPrimitives.ReadUInt128BigEndian(packet[Ipv6Header.SourceOffset..]),
                BinaryPrimitives.ReadUInt128BigEndian(packet[Ipv6Header.DestinationOffset..]),
                _transportProtocol,
                transportLength);
        }

        if (_transport != Unset)
        {
            FinishTransport(frame[_transport..], pseudoHeaderSum);
        }

        return true;
    }

    private readonly void FinishTransport(Span<byte> segment, ulong pseudoHeaderSum)
    {
        switch (_transportProtocol)
        {
            case IpProtocols.Udp:
                BinaryPrimitives.WriteUInt16BigEndian(segment[UdpHeader.LengthOffset..], (ushort)segment.Length);
                UdpHeader.WriteChecksum(segment, pseudoHeaderSum);
                break;
            case IpProtocols.Tcp:
                TcpHeader.WriteChecksum(segment, pseudoHeaderSum);
                break;
            case IpProtocols.Icmp:
                InternetChecksum.Store(segment, IcmpHeader.ChecksumOffset);
                break;
            case IpProtocols.Icmpv6:
                InternetChecksum.Store(segment, IcmpHeader.ChecksumOffset, pseudoHeaderSum);
                break;
        }
    }

    private readonly Span<byte> Free => _buffer[_length..];

    private void Append(int size, bool written)
    {
        if (written)
        {
            _length += size;
        }
        else
        {
            _failed = true;
        }
    }
}
