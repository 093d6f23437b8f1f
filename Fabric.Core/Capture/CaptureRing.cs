using System.Runtime.CompilerServices;

namespace Sdn.Fabric.Core.Capture;

/// <summary>
/// A bounded, lock-free ring of captured frames: many datapath threads offer, one consumer drains.
/// </summary>
/// <remarks>
/// Each slot owns a fixed buffer of the session's snap length, allocated once with the ring,
/// and a sequence number in the manner of Vyukov's bounded queue: a producer claims a slot by
/// advancing the tail with one compare-exchange, fills it, then publishes it by setting the
/// slot's sequence. A full ring refuses the frame at once, so a slow consumer costs the
/// datapath a dropped copy, never a wait.
/// </remarks>
public sealed class CaptureRing
{
    private readonly Slot[] _slots;
    private readonly int _mask;
    private long _head;
    private long _tail;

    public CaptureRing(int capacity, int snapLength)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the capacity must be a power of two, at least 2");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 1);
        _slots = new Slot[capacity];
        _mask = capacity - 1;
        for (var i = 0; i < capacity; i++)
        {
            _slots[i] = new Slot(GC.AllocateUninitializedArray<byte>(snapLength, pinned: true)) { Sequence = i };
        }
    }

    public int Capacity => _slots.Length;

    /// <summary>Copies up to the snap length of <paramref name="frame"/>; false when the ring is full.</summary>
    public bool TryWrite(ReadOnlySpan<byte> frame, long timestampNanoseconds, CaptureDirection direction, int portIndex)
    {
        var position = Volatile.Read(ref _tail);
        while (true)
        {
            var slot = _slots[position & _mask];
            var lag = Volatile.Read(ref slot.Sequence) - position;
            if (lag == 0)
            {
                if (Interlocked.CompareExchange(ref _tail, position + 1, position) == position)
                {
                    var captured = Math.Min(frame.Length, slot.Bytes.Length);
                    frame[..captured].CopyTo(slot.Bytes);
                    slot.CapturedLength = captured;
                    slot.OriginalLength = frame.Length;
                    slot.TimestampNanoseconds = timestampNanoseconds;
                    slot.Direction = direction;
                    slot.PortIndex = portIndex;
                    Volatile.Write(ref slot.Sequence, position + 1);
                    return true;
                }

                position = Volatile.Read(ref _tail);
            }
            else if (lag < 0)
            {
                return false;
            }
            else
            {
                position = Volatile.Read(ref _tail);
            }
        }
    }

    /// <summary>Hands every published frame to <paramref name="reader"/>, in order; returns how many. One consumer only.</summary>
    public int Drain<TReader>(ref TReader reader)
        where TReader : struct, ICapturedFrameReader
    {
        var drained = 0;
        while (true)
        {
            var position = _head;
            var slot = _slots[position & _mask];
            if (Volatile.Read(ref slot.Sequence) != position + 1)
            {
                return drained;
            }

            reader.Read(new CapturedFrame(slot.Bytes.AsSpan(0, slot.CapturedLength), slot.OriginalLength, slot.TimestampNanoseconds, slot.Direction, slot.PortIndex));
            _head = position + 1;
            Volatile.Write(ref slot.Sequence, position + _slots.Length);
            drained++;
        }
    }

    private sealed class Slot(byte[] bytes)
    {
        public readonly byte[] Bytes = bytes;
        public long Sequence;
        public int CapturedLength;
        public int OriginalLength;
        public long TimestampNanoseconds;
        public CaptureDirection Direction;
        public int PortIndex;
    }
}
