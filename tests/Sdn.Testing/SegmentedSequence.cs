using System.Buffers;

namespace Sdn.Testing;

/// <summary>Bytes as a multi-segment sequence, as a pipe may hand them over.</summary>
public static class SegmentedSequence
{
    /// <summary>The bytes as a sequence of segments cut at the given offsets (where they fall inside it).</summary>
    public static ReadOnlySequence<byte> Of(byte[] bytes, params int[] cuts)
    {
        var bounds = cuts.Where(c => c < bytes.Length).Prepend(0).Append(bytes.Length).ToArray();
        var first = new Segment(bytes.AsMemory(bounds[0], bounds[1] - bounds[0]), 0);
        var last = first;
        for (var i = 1; i < bounds.Length - 1; i++)
        {
            last = last.Append(bytes.AsMemory(bounds[i], bounds[i + 1] - bounds[i]));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The bytes cut every <paramref name="size"/> bytes.</summary>
    public static ReadOnlySequence<byte> Every(byte[] bytes, int size) => Of(bytes, [.. Enumerable.Range(1, Math.Max(0, (bytes.Length - 1) / size)).Select(i => i * size)]);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
