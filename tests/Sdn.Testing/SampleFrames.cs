using System.Buffers.Binary;

namespace Sdn.Testing;

/// <summary>A varied set of hand-built Ethernet frames for capture tests; checksums are left zero, filters ignore them.</summary>
public static class SampleFrames
{
    public static readonly byte[] MacA = [0x02, 0, 0, 0, 0, 0x0A];
    public static readonly byte[] MacB = [0x02, 0, 0, 0, 0, 0x0B];

    public static IReadOnlyList<byte[]> Mix() =>
    [
        Ipv4(MacA, MacB, [10, 0, 0, 1], [10, 0, 0, 2], protocol: 17, L4(1111, 53, 8)),
        Ipv4(MacB, MacA, [10, 0, 0, 2], [10, 0, 0, 1], protocol: 17, L4(53, 1111, 8)),
        Ipv4(MacA, MacB, [10, 0, 0, 1], [10, 0, 1, 9], protocol: 6, L4(40000, 80, 20)),
        Ipv4(MacA, MacB, [10, 0, 0, 1], [10, 0, 0, 2], protocol: 1, [8, 0, 0, 0, 0, 1, 0, 1]),
        Ipv4(MacA, MacB, [192, 168, 7, 1], [10, 0, 0, 2], protocol: 6, L4(22, 50000, 20)),
        Arp(MacA, [10, 0, 0, 1], [10, 0, 0, 2]),
        Ipv6Udp(MacA, MacB, 5000, 6000),
        Vlan(100, Ipv4(MacA, MacB, [10, 0, 0, 1], [10, 0, 0, 2], protocol: 17, L4(7, 7, 8))),
        Ipv4(MacA, MacB, [10, 0, 0, 3], [10, 0, 0, 4], protocol: 17, L4(49152, 6635, 8)),
    ];

    public static byte[] Ipv4(byte[] src, byte[] dst, byte[] srcIp, byte[] dstIp, byte protocol, byte[] payload)
    {
        var frame = new byte[14 + 20 + payload.Length];
        Ethernet(frame, src, dst, 0x0800);
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + payload.Length));
        ip[8] = 64;
        ip[9] = protocol;
        srcIp.CopyTo(ip[12..]);
        dstIp.CopyTo(ip[16..]);
        payload.CopyTo(ip[20..]);
        return frame;
    }

    private static byte[] L4(ushort sourcePort, ushort destinationPort, int length)
    {
        var header = new byte[length];
        BinaryPrimitives.WriteUInt16BigEndian(header, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), destinationPort);
        if (length == 8)
        {
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 8);
        }
        else
        {
            header[12] = 0x50;
        }

        return header;
    }

    private static byte[] Arp(byte[] sender, byte[] senderIp, byte[] targetIp)
    {
        var frame = new byte[14 + 28];
        Ethernet(frame, sender, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], 0x0806);
        var arp = frame.AsSpan(14);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1);
        sender.CopyTo(arp[8..]);
        senderIp.CopyTo(arp[14..]);
        targetIp.CopyTo(arp[24..]);
        return frame;
    }

    private static byte[] Ipv6Udp(byte[] src, byte[] dst, ushort sourcePort, ushort destinationPort)
    {
        var payload = L4(sourcePort, destinationPort, 8);
        var frame = new byte[14 + 40 + payload.Length];
        Ethernet(frame, src, dst, 0x86DD);
        var ip = frame.AsSpan(14);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)payload.Length);
        ip[6] = 17;
        ip[7] = 64;
        ip[8] = 0xFD;
        ip[23] = 1;
        ip[24] = 0xFD;
        ip[39] = 2;
        payload.CopyTo(ip[40..]);
        return frame;
    }

    private static byte[] Vlan(ushort vlanId, byte[] untagged)
    {
        var frame = new byte[untagged.Length + 4];
        untagged.AsSpan(0, 12).CopyTo(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), vlanId);
        untagged.AsSpan(12).CopyTo(frame.AsSpan(16));
        return frame;
    }

    private static void Ethernet(Span<byte> frame, byte[] src, byte[] dst, ushort etherType)
    {
        dst.CopyTo(frame);
        src.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }
}
