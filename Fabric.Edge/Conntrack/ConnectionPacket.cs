using System.Buffers.Binary;
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
        tuple = default;
        tcpFlags = 0;
        var network = offsets.Network;
        if (network == HeaderOffsets.Absent || offsets.EtherType == HeaderOffsets.Absent || !Has(frame, offsets.EtherType, 2))
        {
            return ConnectionPacketKind.Invalid;
        }

        var ethType = BinaryPrimitives.ReadUInt16BigEndian(frame[offsets.EtherType..]);
        if (!ReadIp(frame, network, ethType == EtherTypes.Ipv6, ethType == EtherTypes.Ipv4, zone, out tuple, out var laterFragment))
        {
            return ConnectionPacketKind.Invalid;
        }

        var transport = offsets.Transport;
        switch (tuple.Protocol)
        {
            case IpProtocols.Tcp or IpProtocols.Udp:
                if (laterFragment || transport == HeaderOffsets.Absent || !Has(frame, transport, tuple.Protocol == IpProtocols.Tcp ? 14 : 4))
                {
                    return ConnectionPacketKind.Invalid;
                }

                tuple = tuple with { SourcePort = Port(frame, transport), DestinationPort = Port(frame, transport + 2) };
                if (tuple.Protocol == IpProtocols.Udp)
                {
                    return ConnectionPacketKind.Udp;
                }

                tcpFlags = frame[transport + 13];
                return ConnectionPacketKind.Tcp;
            case IpProtocols.Icmp when !tuple.IsIpv6:
            case IpProtocols.Icmpv6 when tuple.IsIpv6:
                if (laterFragment || transport == HeaderOffsets.Absent || !Has(frame, transport, IcmpHeaderSize))
                {
                    return ConnectionPacketKind.Invalid;
                }

                return Icmp(frame, transport, zone, ref tuple);
            default:
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
        if (!ReadIp(frame, quoted, v6, !v6, zone, out var inner, out var laterFragment) || laterFragment)
        {
            return ConnectionPacketKind.Invalid;
        }

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
    private static bool ReadIp(ReadOnlySpan<byte> frame, int at, bool ipv6, bool ipv4, ushort zone, out ConnectionTuple tuple, out bool laterFragment)
    {
        tuple = default;
        laterFragment = false;
        if (ipv4 && Has(frame, at, 20) && frame[at] >> 4 == 4)
        {
            laterFragment = (BinaryPrimitives.ReadUInt16BigEndian(frame[(at + 6)..]) & 0x1FFF) != 0;
            tuple = new ConnectionTuple(
                zone, frame[at + 9], IsIpv6: false, BinaryPrimitives.ReadUInt32BigEndian(frame[(at + 12)..]), BinaryPrimitives.ReadUInt32BigEndian(frame[(at + 16)..]), 0, 0);
            return true;
        }

        if (!ipv6 || !Has(frame, at, Ipv6HeaderSize) || frame[at] >> 4 != 6)
        {
            return false;
        }

        var protocol = frame[at + 6];
        if (Ipv6ExtensionChain.IsExtensionHeader(protocol))
        {
            if (Ipv6ExtensionChain.Parse(protocol, frame[(at + Ipv6HeaderSize)..], out var chain) != ParseStatus.Ok)
            {
                return false;
            }

            protocol = chain.UpperLayerProtocol;
            laterFragment = chain.IsFragment && chain.FragmentOffset != 0;
        }

        tuple = new ConnectionTuple(
            zone, protocol, IsIpv6: true, BinaryPrimitives.ReadUInt128BigEndian(frame[(at + 8)..]), BinaryPrimitives.ReadUInt128BigEndian(frame[(at + 24)..]), 0, 0);
        return true;
    }

    private static ushort Port(ReadOnlySpan<byte> frame, int at) => BinaryPrimitives.ReadUInt16BigEndian(frame[at..]);

    private static bool Has(ReadOnlySpan<byte> frame, int at, int length) => at >= 0 && at + length <= frame.Length;
}
