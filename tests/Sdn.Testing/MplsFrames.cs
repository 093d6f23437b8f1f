using System.Buffers.Binary;
using Sdn.Common.Packets;

namespace Sdn.Testing;

/// <summary>Builds and reads the MPLS frames tests send: a label stack over a small Ethernet-like payload.</summary>
public static class MplsFrames
{
    public const int PayloadLength = 64;

    /// <summary>A payload whose first 12 bytes (the inner MACs) are derived from <paramref name="flow"/>, carrying <paramref name="sequence"/>.</summary>
    public static byte[] Payload(int flow, long sequence)
    {
        var payload = new byte[PayloadLength];
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(2), flow);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(8), flow * 7919);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(12), 0x0800);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(16), sequence);
        return payload;
    }

    public static int FlowOf(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadInt32BigEndian(payload[2..]);

    public static long SequenceOf(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadInt64BigEndian(payload[16..]);

    /// <summary>Writes <paramref name="labels"/> (top first, the last one bottom of stack) and the payload.</summary>
    public static void Write(Span<byte> frame, ReadOnlySpan<uint> labels, ReadOnlySpan<byte> payload, byte ttl = 64, byte trafficClass = 0)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            new MplsLabelStackEntry(labels[i], trafficClass, i == labels.Length - 1, ttl).TryWrite(frame[(i * 4)..]);
        }

        payload.CopyTo(frame[(labels.Length * 4)..]);
    }

    public static byte[] Build(ReadOnlySpan<uint> labels, ReadOnlySpan<byte> payload, byte ttl = 64, byte trafficClass = 0)
    {
        var frame = new byte[(labels.Length * 4) + payload.Length];
        Write(frame, labels, payload, ttl, trafficClass);
        return frame;
    }

    /// <summary>The stack of <paramref name="frame"/>, top first, up to and including the bottom of stack.</summary>
    public static List<MplsLabelStackEntry> Stack(ReadOnlySpan<byte> frame)
    {
        var stack = new List<MplsLabelStackEntry>();
        while (MplsLabelStackEntry.TryRead(frame[(stack.Count * 4)..], out var entry))
        {
            stack.Add(entry);
            if (entry.BottomOfStack)
            {
                break;
            }
        }

        return stack;
    }

    public static PacketBurst Burst(params byte[][] frames)
    {
        var burst = new PacketBurst();
        foreach (var frame in frames)
        {
            Assert.True(burst.TryAppend(frame));
        }

        return burst;
    }
}
