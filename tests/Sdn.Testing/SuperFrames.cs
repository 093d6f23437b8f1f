using System.Buffers.Binary;
using Sdn.Common.Packets;

namespace Sdn.Testing;

/// <summary>
/// TCP super-frames as a kernel hands them to a TAP with segmentation offload: one IP packet of up to 64 KiB with
/// the pseudo-header sum in the TCP checksum field, and the <see cref="FrameOffload"/> that says what is left to
/// do; and the checks every segment cut from one must pass.
/// </summary>
public static class SuperFrames
{
    public const int EthernetSize = 14;
    public const int TcpHeaderSize = 32;
    public const uint FirstSequence = 0xFFFF_F000;
    public const byte PshAck = 0x18;
    public const byte FinPshAckCwr = 0x99;

    public static int Headers(bool ipv6) => EthernetSize + (ipv6 ? Ipv6Header.Size : Ipv4Header.MinimumSize) + TcpHeaderSize;

    /// <summary>The payload byte at <paramref name="index"/>: a pattern that shows any byte out of place.</summary>
    public static byte PayloadByte(int index) => (byte)((index * 7) + (index >> 8));

    public static (byte[] Frame, FrameOffload Offload) Tcp(bool ipv6, int payloadLength, ushort segmentSize, byte flags = PshAck)
    {
        var network = ipv6 ? Ipv6Header.Size : Ipv4Header.MinimumSize;
        var frame = new byte[EthernetSize + network + TcpHeaderSize + payloadLength];
        BinaryPrimitives.WriteUInt64BigEndian(frame, 0x0200_0000_0002_0200);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), 0x0000_0001);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), ipv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4);
        var ip = frame.AsSpan(EthernetSize);
        var tcpLength = TcpHeaderSize + payloadLength;
        ulong pseudoHeader;
        if (ipv6)
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)tcpLength);
            ip[6] = IpProtocols.Tcp;
            ip[7] = 64;
            BinaryPrimitives.WriteUInt128BigEndian(ip[8..], new UInt128(0xFD00_0000_0000_0000, 1));
            BinaryPrimitives.WriteUInt128BigEndian(ip[24..], new UInt128(0xFD00_0000_0000_0000, 2));
            pseudoHeader = InternetChecksum.PseudoHeaderSum(new UInt128(0xFD00_0000_0000_0000, 1), new UInt128(0xFD00_0000_0000_0000, 2), IpProtocols.Tcp, tcpLength);
        }
        else
        {
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(network + tcpLength));
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0xFFF0);
            ip[6] = 0x40;
            ip[8] = 64;
            ip[9] = IpProtocols.Tcp;
            BinaryPrimitives.WriteUInt32BigEndian(ip[12..], 0x0A00_0001);
            BinaryPrimitives.WriteUInt32BigEndian(ip[16..], 0x0A00_0002);
            Ipv4Header.WriteChecksum(ip[..network]);
            pseudoHeader = InternetChecksum.PseudoHeaderSum(0x0A00_0001, 0x0A00_0002, IpProtocols.Tcp, tcpLength);
        }

        var tcp = ip[network..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 5201);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], FirstSequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], 1);
        tcp[12] = TcpHeaderSize / 4 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 502);
        tcp[20] = 1;
        tcp[21] = 1;
        tcp[22] = 8;
        tcp[23] = 10;
        for (var i = 0; i < payloadLength; i++)
        {
            tcp[TcpHeaderSize + i] = PayloadByte(i);
        }

        // What the kernel leaves for the device: the folded pseudo-header sum, not yet complemented.
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], InternetChecksum.Fold(pseudoHeader));
        var offload = new FrameOffload(
            ipv6 ? FrameSegmentation.TcpIpv6 : FrameSegmentation.TcpIpv4, segmentSize, frame.Length - EthernetSize, tcp.Length, 16);
        return (frame, offload);
    }

    /// <summary>Asserts that <paramref name="segments"/> are the super-frame's payload in order, each a valid TCP/IP packet of at most one MSS.</summary>
    public static void AssertSegmentsOf(bool ipv6, int payloadLength, ushort segmentSize, byte flags, IReadOnlyList<byte[]> segments, int prefix = 0)
    {
        Assert.Equal((payloadLength + segmentSize - 1) / segmentSize, segments.Count);
        var network = ipv6 ? Ipv6Header.Size : Ipv4Header.MinimumSize;
        var offset = 0;
        for (var k = 0; k < segments.Count; k++)
        {
            var segment = segments[k].AsSpan(prefix);
            var ip = segment[EthernetSize..];
            var tcp = ip[network..];
            var payload = tcp[TcpHeaderSize..];
            Assert.Equal(Math.Min(segmentSize, payloadLength - offset), payload.Length);
            ulong pseudoHeader;
            if (ipv6)
            {
                Assert.Equal(ip.Length - Ipv6Header.Size, BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
                pseudoHeader = InternetChecksum.PseudoHeaderSum(BinaryPrimitives.ReadUInt128BigEndian(ip[8..]), BinaryPrimitives.ReadUInt128BigEndian(ip[24..]), IpProtocols.Tcp, tcp.Length);
            }
            else
            {
                Assert.Equal(ip.Length, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
                Assert.Equal((ushort)(0xFFF0 + k), BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
                Assert.True(InternetChecksum.Verify(ip[..network]), $"segment {k}: IPv4 header checksum");
                pseudoHeader = InternetChecksum.PseudoHeaderSum(BinaryPrimitives.ReadUInt32BigEndian(ip[12..]), BinaryPrimitives.ReadUInt32BigEndian(ip[16..]), IpProtocols.Tcp, tcp.Length);
            }

            Assert.True(InternetChecksum.Verify(tcp, pseudoHeader), $"segment {k}: TCP checksum");
            Assert.Equal(unchecked(FirstSequence + (uint)offset), BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]));
            var last = k == segments.Count - 1;
            var expectedFlags = (byte)(flags & (last ? 0xFF : ~0x09) & (k == 0 ? 0xFF : ~0x80));
            Assert.Equal(expectedFlags, tcp[13]);
            for (var i = 0; i < payload.Length; i++)
            {
                Assert.True(payload[i] == PayloadByte(offset + i), $"segment {k}: payload byte {offset + i}");
            }

            offset += payload.Length;
        }

        Assert.Equal(payloadLength, offset);
    }
}
