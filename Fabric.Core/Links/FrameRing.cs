using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// A bounded, lock-free, single-producer/single-consumer ring of frames, each copied into its own slot.
/// One thread may enqueue while another dequeues; each frame carries a 64-bit tag (a release time for
/// delay lines). Slots live in one pinned array allocated up front, so moving frames never allocates.
/// </summary>
public sealed class FrameRing
{
    private readonly byte[] _slots;
    private readonly int[] _lengths;
    private readonly long[] _tags;
    private readonly int _mask;

    // Producer and consumer positions sit on separate cache lines so the two threads do not false-share.
    private PaddedPosition _tail;
    private PaddedPosition _head;

    public FrameRing(int capacity)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        {
            throw new LinkException($"ring capacity must be a power of two of at least 2; got {capacity}");
        }

        _slots = GC.AllocateArray<byte>(capacity * PacketBurst.MaxFrameLength, pinned: true);
        _lengths = new int[capacity];
        _tags = new long[capacity];
        _mask = capacity - 1;
    }

    public int Capacity => _mask + 1;

    /// <summary>Frames waiting; exact on the consumer thread, a lower bound elsewhere.</summary>
    public int Count => (int)(Volatile.Read(ref _tail.Value) - Volatile.Read(ref _head.Value));

    /// <summary>Producer: copies <paramref name="frame"/> in. False when the ring is full or the frame too long.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> frame, long tag = 0)
    {
        var tail = _tail.Value;
        if (tail - Volatile.Read(ref _head.Value) > _mask || frame.Length > PacketBurst.MaxFrameLength)
        {
            return false;
        }

        Store(tail, frame, tag);
        Volatile.Write(ref _tail.Value, tail + 1);
        return true;
    }

    /// <summary>
    /// Producer: copies the frames of <paramref name="burst"/> numbered in <paramref name="frames"/>, in that
    /// order, until the ring is full, and publishes them at once. Returns how many were taken (a prefix of
    /// <paramref name="frames"/>) and their total bytes.
    /// </summary>
    public int EnqueueBurst(PacketBurst burst, ReadOnlySpan<byte> frames, out long bytes)
    {
        var tail = _tail.Value;
        var room = Capacity - (int)(tail - Volatile.Read(ref _head.Value));
        var count = Math.Min(room, frames.Length);
        bytes = 0;
        for (var i = 0; i < count; i++)
        {
            var frame = burst.Frame(frames[i]);
            Store(tail + i, frame, 0);
            bytes += frame.Length;
        }

        Volatile.Write(ref _tail.Value, tail + count);
        return count;
    }

    /// <summary>Consumer: the oldest frame and its tag, without removing it. False when empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPeek(out ReadOnlySpan<byte> frame, out long tag)
    {
        if (_head.Value == Volatile.Read(ref _tail.Value))
        {
            frame = default;
            tag = 0;
            return false;
        }

        frame = PeekAt(0, out tag);
        return true;
    }

    /// <summary>Consumer: the frame <paramref name="offset"/> places after the oldest; offset must be below <see cref="Count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> PeekAt(int offset, out long tag)
    {
        var slot = (int)(_head.Value + offset) & _mask;
        tag = _tags[slot];
        return _slots.AsSpan(slot * PacketBurst.MaxFrameLength, _lengths[slot]);
    }

    /// <summary>Consumer: frees the slots of the <paramref name="count"/> oldest frames, so the producer may reuse them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dequeue(int count = 1) => Volatile.Write(ref _head.Value, _head.Value + count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(long position, ReadOnlySpan<byte> frame, long tag)
    {
        var slot = (int)position & _mask;
        frame.CopyTo(_slots.AsSpan(slot * PacketBurst.MaxFrameLength, PacketBurst.MaxFrameLength));
        _lengths[slot] = frame.Length;
        _tags[slot] = tag;
    }

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedPosition
    {
        [FieldOffset(64)]
        public long Value;
    }
}
