using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>
/// Reads a packet's connection tuple from its frame, at the offsets its parse found (the frame, not the flow key:
/// after a pop of the last MPLS label only the frame's offsets are current). Bounds are checked before every read;
/// nothing throws or allocates.
/// </summary>
internal static class ConnectionPacket
{
    private const int IcmpHeaderSize = 8;
    private const int Ipv6HeaderSize = 40;

    public static ConnectionPacketKind Read(ushort zone, ReadOnlySpan<byte> frame, in HeaderOffsets offsets, out ConnectionTuple tuple, out byte tcpFlags)
    {
        tcpFlags = 0;
        var network = offsets.Network;
        if (network == HeaderOffsets.Absent || offsets.EtherType == HeaderOffsets.Absent || !Has(frame, offsets.EtherType, 2))
        {
            tuple = default;
            return ConnectionPacketKind.Invalid;
        }

        var ethType = BinaryPrimitives.ReadUInt16BigEndian(frame[offsets.EtherType..]);
        var transport = offsets.Transport;
        if (!ReadIp(frame, network, ethType == EtherTypes.Ipv6, ethType == EtherTypes.Ipv4, out var protocol, out var source, out var destination, out var laterFragment))
        {
            tuple = default;
            return ConnectionPacketKind.Invalid;
        }

        var v6 = ethType == EtherTypes.Ipv6;
        switch (protocol)
        {
            case IpProtocols.Tcp or IpProtocols.Udp:
                if (laterFragment || transport == HeaderOffsets.Absent || !Has(frame, transport, protocol == IpProtocols.Tcp ? 14 : 4))
                {
                    tuple = default;
                    return ConnectionPacketKind.Invalid;
                }

                tuple = new ConnectionTuple(zone, protocol, v6, source, destination, Port(frame, transport), Port(frame, transport + 2));
                if (protocol == IpProtocols.Udp)
                {
                    return ConnectionPacketKind.Udp;
                }

                tcpFlags = frame[transport + 13];
                return ConnectionPacketKind.Tcp;
            case IpProtocols.Icmp when !v6:
            case IpProtocols.Icmpv6 when v6:
                tuple = new ConnectionTuple(zone, protocol, v6, source, destination, 0, 0);
                if (laterFragment || transport == HeaderOffsets.Absent || !Has(frame, transport, IcmpHeaderSize))
                {
                    return ConnectionPacketKind.Invalid;
                }

                return Icmp(frame, transport, zone, ref tuple);
            default:
                tuple = new ConnectionTuple(zone, protocol, v6, source, destination, 0, 0);
                return ConnectionPacketKind.Other;
        }
    }

    private static ConnectionPacketKind Icmp(ReadOnlySpan<byte> frame, int at, ushort zone, ref ConnectionTuple tuple)
    {
        var type = frame[at];
        var v6 = tuple.IsIpv6;
        if (type == (v6 ? 128 : 8) || type == (v6 ? 129 : 0))
        {
            var id = Port(frame, at + 4);
            tuple = tuple with { SourcePort = id, DestinationPort = id };
            return type == (v6 ? 128 : 8) ? ConnectionPacketKind.IcmpEchoRequest : ConnectionPacketKind.IcmpEchoReply;
        }

        var isError = v6 ? type is >= 1 and <= 4 : type is 3 or 4 or 5 or 11 or 12;
        if (!isError)
        {
            // Neighbour discovery, router and multicast listener messages and the like belong to no connection.
            return ConnectionPacketKind.Invalid;
        }

        var quoted = at + IcmpHeaderSize;
        if (!ReadIp(frame, quoted, v6, !v6, out var innerProtocol, out var innerSource, out var innerDestination, out var laterFragment) || laterFragment)
        {
            return ConnectionPacketKind.Invalid;
        }

        var inner = new ConnectionTuple(zone, innerProtocol, v6, innerSource, innerDestination, 0, 0);

        var innerTransport = quoted + (v6 ? Ipv6HeaderSize : (frame[quoted] & 0x0F) * 4);
        if (!Has(frame, innerTransport, 8))
        {
            return ConnectionPacketKind.Invalid;
        }

        switch (inner.Protocol)
        {
            case IpProtocols.Tcp or IpProtocols.Udp:
                inner = inner with { SourcePort = Port(frame, innerTransport), DestinationPort = Port(frame, innerTransport + 2) };
                break;
            case IpProtocols.Icmp or IpProtocols.Icmpv6:
                var id = Port(frame, innerTransport + 4);
                inner = inner with { SourcePort = id, DestinationPort = id };
                break;
            default:
                break;
        }

        tuple = inner;
        return ConnectionPacketKind.IcmpError;
    }

    /// <summary>The addresses and protocol of the IPv4 or IPv6 header at <paramref name="at"/>; false when it is neither, or is cut short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ReadIp(
        ReadOnlySpan<byte> frame, int at, bool ipv6, bool ipv4, out byte protocol, out UInt128 source, out UInt128 destination, out bool laterFragment)
    {
        laterFragment = false;
        if (ipv4 && Has(frame, at, 20) && frame[at] >> 4 == 4)
        {
            laterFragment = (BinaryPrimitives.ReadUInt16BigEndian(frame[(at + 6)..]) & 0x1FFF) != 0;
            protocol = frame[at + 9];
            source = BinaryPrimitives.ReadUInt32BigEndian(frame[(at + 12)..]);
            destination = BinaryPrimitives.ReadUInt32BigEndian(frame[(at + 16)..]);
            return true;
        }

        (protocol, source, destination) = (0, 0, 0);
        return ipv6 && ReadIpv6(frame, at, ref protocol, ref source, ref destination, ref laterFragment);
    }

    private static bool ReadIpv6(ReadOnlySpan<byte> frame, int at, ref byte protocol, ref UInt128 source, ref UInt128 destination, ref bool laterFragment)
    {
        if (!Has(frame, at, Ipv6HeaderSize) || frame[at] >> 4 != 6)
        {
            return false;
        }

        protocol = frame[at + 6];
        if (Ipv6ExtensionChain.IsExtensionHeader(protocol))
        {
            if (Ipv6ExtensionChain.Parse(protocol, frame[(at + Ipv6HeaderSize)..], out var chain) != ParseStatus.Ok)
            {
                return false;
            }

            protocol = chain.UpperLayerProtocol;
            laterFragment = chain.IsFragment && chain.FragmentOffset != 0;
        }

        source = BinaryPrimitives.ReadUInt128BigEndian(frame[(at + 8)..]);
        destination = BinaryPrimitives.ReadUInt128BigEndian(frame[(at + 24)..]);
        return true;
    }

    private static ushort Port(ReadOnlySpan<byte> frame, int at) => BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);

    private static bool Has(ReadOnlySpan<byte> frame, int at, int length) => at >= 0 && at + length <= frame.Length;
}
