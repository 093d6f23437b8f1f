using System.Runtime.CompilerServices;
using Sdn.Common.Packets;
using Sdn.Common.Polling;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// A bounded, lock-free, single-producer/single-consumer ring of frames, each copied in.
/// One thread may enqueue while another dequeues; each frame carries a 64-bit tag (a release time for
/// delay lines) and its <see cref="FrameOffload"/>. Frames lie back to back in one pinned byte array
/// allocated up front, so moving frames never allocates, and a 64 KiB super-frame takes the room of
/// 64 KiB rather than a slot of that size for every frame.
/// </summary>
/// <remarks>
/// The bytes in use run from the start of the oldest frame to <c>_writeAt</c>, wrapping once; a frame that
/// does not fit before the end of the array starts again at its front. Only the producer moves <c>_writeAt</c>,
/// and it learns where the used bytes begin from the start of the oldest frame, which it wrote itself.
/// </remarks>
public sealed class FrameRing
{
    private readonly byte[] _bytes;
    private readonly int[] _starts;
    private readonly int[] _lengths;
    private readonly long[] _tags;
    private readonly FrameOffload[] _offloads;
    private readonly int _mask;
    private int _writeAt;
    private Doorbell? _consumer;

    // Producer and consumer positions sit on separate cache lines so the two threads do not false-share.
    private PaddedPosition _tail;
    private PaddedPosition _head;

    /// <param name="capacity">The most frames it holds; a power of two.</param>
    /// <param name="byteCapacity">The most bytes it holds; by default room for every frame at the standard maximum length.</param>
    public FrameRing(int capacity, int byteCapacity = 0)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        {
            throw new LinkException($"ring capacity must be a power of two of at least 2; got {capacity}");
        }

        _bytes = GC.AllocateArray<byte>(byteCapacity > 0 ? byteCapacity : capacity * PacketBurst.MaxFrameLength, pinned: true);
        _starts = new int[capacity];
        _lengths = new int[capacity];
        _tags = new long[capacity];
        _offloads = new FrameOffload[capacity];
        _mask = capacity - 1;
    }

    public int Capacity => _mask + 1;

    /// <summary>Rung by the producer after it publishes frames, so a consumer parked on it wakes; null: nobody parks.</summary>
    public Doorbell? Consumer
    {
        get => Volatile.Read(ref _consumer);
        set => Volatile.Write(ref _consumer, value);
    }

    /// <summary>Frames waiting; exact on the consumer thread, a lower bound elsewhere.</summary>
    public int Count => (int)(Volatile.Read(ref _tail.Value) - Volatile.Read(ref _head.Value));

    /// <summary>Producer: copies <paramref name="frame"/> in. False when the ring is full or the frame too long.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> frame, long tag = 0)
    {
        var tail = _tail.Value;
        if (!TryStore(tail, frame, tag, FrameOffload.None))
        {
            return false;
        }

        Volatile.Write(ref _tail.Value, tail + 1);
        Consumer?.Ring();
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
        var count = 0;
        bytes = 0;
        for (; count < frames.Length; count++)
        {
            var frame = burst.Frame(frames[count]);
            if (!TryStore(tail + count, frame, 0, burst.Offload(frames[count])))
            {
                break;
            }

            bytes += frame.Length;
        }

        Volatile.Write(ref _tail.Value, tail + count);
        if (count > 0)
        {
            Consumer?.Ring();
        }

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
        return _bytes.AsSpan(_starts[slot], _lengths[slot]);
    }

    /// <summary>Consumer: what is left to do to the frame <paramref name="offset"/> places after the oldest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly FrameOffload OffloadAt(int offset) => ref _offloads[(int)(_head.Value + offset) & _mask];

    /// <summary>Consumer: frees the slots of the <paramref name="count"/> oldest frames, so the producer may reuse them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dequeue(int count = 1) => Volatile.Write(ref _head.Value, _head.Value + count);

    /// <summary>Producer: copies the frame into the slot at <paramref name="position"/> if a slot and the bytes are free, without publishing it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryStore(long position, ReadOnlySpan<byte> frame, long tag, in FrameOffload offload)
    {
        var start = FreeStart(position, frame.Length);
        if (start < 0)
        {
            return false;
        }

        var slot = (int)position & _mask;
        frame.CopyTo(_bytes.AsSpan(start));
        _starts[slot] = start;
        _lengths[slot] = frame.Length;
        _tags[slot] = tag;
        _offloads[slot] = offload;
        _writeAt = start + frame.Length;
        return true;
    }

    /// <summary>Where a frame of <paramref name="length"/> bytes can go as the one at <paramref name="position"/>; -1 when no slot or no room is free.</summary>
    private int FreeStart(long position, int length)
    {
        var head = Volatile.Read(ref _head.Value);
        if (position - head > _mask)
        {
            return -1;
        }

        if (position == head)
        {
            return length <= _bytes.Length ? 0 : -1;
        }

        // Comparisons with the oldest frame's start are strict, so _writeAt never catches up with it and a full
        // array is never mistaken for an empty one.
        var oldest = _starts[(int)head & _mask];
        if (_writeAt >= oldest)
        {
            return _writeAt + length <= _bytes.Length ? _writeAt : length < oldest ? 0 : -1;
        }

        return _writeAt + length < oldest ? _writeAt : -1;
    }
}
