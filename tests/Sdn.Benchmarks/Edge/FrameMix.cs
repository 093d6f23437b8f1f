using Sdn.Common.Packets;

namespace Sdn.Benchmarks.Edge;

/// <summary>The frames of a traffic mix, handed out in turn a burst at a time.</summary>
internal sealed class FrameMix(IReadOnlyList<byte[]> frames)
{
    public const int FrameLength = 64;

    public int Count => frames.Count;

    public byte[] this[int index] => frames[index];

    /// <summary>A 64-byte UDP frame; the source port is what tells the flows of a mix apart (the destination port, for answers).</summary>
    public static byte[] Udp(ulong destinationMac, ulong sourceMac, uint source, uint destination, ushort sourcePort, ushort destinationPort = 4789)
    {
        var buffer = new byte[FrameLength];
        var builder = new FrameBuilder(buffer);
        builder.Ethernet(destinationMac, sourceMac, EtherTypes.Ipv4);
        builder.Ipv4(source, destination, IpProtocols.Udp);
        builder.Udp(sourcePort, destinationPort);
        builder.Payload(new byte[FrameLength - 42]);
        if (!builder.TryFinish(out var length) || length != FrameLength)
        {
            throw new InvalidOperationException("the benchmark frame does not come out at 64 bytes");
        }

        return buffer;
    }

    /// <summary>As <see cref="Udp"/> over IPv6: 62 bytes of headers and 16 of payload, the smallest IPv6 UDP frame of a round size.</summary>
    public static byte[] Udp6(ulong destinationMac, ulong sourceMac, UInt128 source, UInt128 destination, ushort sourcePort, ushort destinationPort = 4789)
    {
        const int Length = 78;
        var buffer = new byte[Length];
        var builder = new FrameBuilder(buffer);
        builder.Ethernet(destinationMac, sourceMac, EtherTypes.Ipv6);
        builder.Ipv6(source, destination, IpProtocols.Udp);
        builder.Udp(sourcePort, destinationPort);
        builder.Payload(new byte[Length - 62]);
        if (!builder.TryFinish(out var length) || length != Length)
        {
            throw new InvalidOperationException("the benchmark frame does not come out at 78 bytes");
        }

        return buffer;
    }

    /// <summary>Fills <paramref name="burst"/> with the frames from <paramref name="next"/> on; returns where the next burst starts.</summary>
    public int Refill(PacketBurst burst, int next)
    {
        burst.Clear();
        while (!burst.IsFull)
        {
            burst.TryAppend(frames[next]);
            next = next + 1 == frames.Count ? 0 : next + 1;
        }

        return next;
    }
}
