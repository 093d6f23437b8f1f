using System.Runtime.CompilerServices;
using Sdn.Common.Polling;

namespace Sdn.Common.Capture;

/// <summary>
/// A bounded, lock-free ring of captured frames sized in bytes: many datapath threads offer, one consumer drains.
/// A capture holds as many frames as its byte budget fits, so a 64 KiB super-frame takes the room of 64 KiB and a
/// 60-byte frame the room of 60, and no frame is cut to fit a slot.
/// </summary>
/// <remarks>
/// <para>
/// Frames lie back to back in one pinned byte array allocated (zeroed) with the ring, each as a record: a
/// <see cref="HeaderSize"/>-byte header, then the frame's first snap-length bytes, padded to
/// <see cref="Alignment"/>. Positions count bytes from the start and only grow; a position's place in the array is
/// the position modulo its length, a power of two.
/// </para>
/// <para>
/// A producer claims room by advancing the tail with one compare-exchange, having checked that the claim stays
/// within one array's length of the head. A record that would run past the end of the array is preceded by a
/// padding record that fills the rest of it, and starts at the front. The producer fills the record and publishes
/// it last by writing its length, which reads zero until then. So a full ring refuses the frame at once, and a slow
/// consumer costs the datapath a dropped copy, never a wait or an allocation.
/// </para>
/// <para>
/// The consumer reads records from the head in order and stops at the first whose length still reads zero (claimed,
/// not yet published). Having handed a record on, it zeroes its bytes and only then moves the head past it: records
/// start at other offsets on the next lap, so every word a later length may be read from must read zero again, as
/// Agrona's many-to-one ring buffer does.
/// </para>
/// </remarks>
public sealed class CaptureRing
{
    /// <summary>Record header: length (0 until published), captured length (<see cref="Padding"/> for padding), timestamp, original length, port, direction.</summary>
    public const int HeaderSize = 32;

    /// <summary>The smallest ring: room for a few short frames.</summary>
    public const int MinByteCapacity = 256;

    private const int Alignment = 8;
    private const int LengthAt = 0;
    private const int CapturedLengthAt = 4;
    private const int TimestampAt = 8;
    private const int OriginalLengthAt = 16;
    private const int PortIndexAt = 20;
    private const int DirectionAt = 24;
    private const int Padding = -1;

    private readonly byte[] _bytes;
    private readonly int _mask;
    private readonly int _snapLength;

    // Positions in bytes; the producers' and the consumer's sit on separate cache lines. Producers check room against
    // a copy of the head that they refresh only when it shows too little, so the consumer's line, written once a
    // record, is not read for every frame.
    private PaddedPosition _tail;
    private PaddedPosition _head;
    private PaddedPosition _headCache;

    /// <param name="byteCapacity">The bytes it holds, records' headers included; a power of two, at least <see cref="MinByteCapacity"/>.</param>
    /// <param name="snapLength">The most bytes kept of a frame.</param>
    public CaptureRing(int byteCapacity, int snapLength)
    {
        if (byteCapacity < MinByteCapacity || (byteCapacity & (byteCapacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(byteCapacity), byteCapacity, $"the byte capacity must be a power of two, at least {MinByteCapacity}");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 1);
        _bytes = GC.AllocateArray<byte>(byteCapacity, pinned: true);
        _mask = byteCapacity - 1;
        _snapLength = snapLength;
    }

    public int ByteCapacity => _bytes.Length;

    /// <summary>The room a frame of <paramref name="capturedLength"/> kept bytes takes in the ring, its header included.</summary>
    public static int RecordLength(int capturedLength) => (HeaderSize + capturedLength + Alignment - 1) & -Alignment;

    /// <summary>Copies up to the snap length of <paramref name="frame"/>; false when the ring has no room for it.</summary>
    public bool TryWrite(ReadOnlySpan<byte> frame, long timestampNanoseconds, CaptureDirection direction, int portIndex)
    {
        var captured = Math.Min(frame.Length, _snapLength);
        var length = RecordLength(captured);
        if (length > _bytes.Length)
        {
            return false;
        }

        long tail;
        int offset;
        int skipped;
        do
        {
            // The head is read first: it only grows, so a stale one only understates the room.
            var head = Volatile.Read(ref _headCache.Value);
            tail = Volatile.Read(ref _tail.Value);
            offset = (int)tail & _mask;
            skipped = _bytes.Length - offset < length ? _bytes.Length - offset : 0;
            if (tail + skipped + length - head > _bytes.Length)
            {
                head = Volatile.Read(ref _head.Value);
                if (tail + skipped + length - head > _bytes.Length)
                {
                    return false;
                }

                Volatile.Write(ref _headCache.Value, head);
            }
        }
        while (Interlocked.CompareExchange(ref _tail.Value, tail + skipped + length, tail) != tail);

        if (skipped > 0)
        {
            Write(offset + CapturedLengthAt, Padding);
            Publish(offset, skipped);
            offset = 0;
        }

        frame[..captured].CopyTo(_bytes.AsSpan(offset + HeaderSize));
        Write(offset + CapturedLengthAt, captured);
        Write(offset + TimestampAt, timestampNanoseconds);
        Write(offset + OriginalLengthAt, frame.Length);
        Write(offset + PortIndexAt, portIndex);
        _bytes[offset + DirectionAt] = (byte)direction;
        Publish(offset, length);
        return true;
    }

    /// <summary>Hands every published frame to <paramref name="reader"/>, in order; returns how many. One consumer only.</summary>
    public int Drain<TReader>(ref TReader reader)
        where TReader : struct, ICapturedFrameReader
    {
        var drained = 0;
        while (true)
        {
            var head = _head.Value;
            var offset = (int)head & _mask;
            var length = Volatile.Read(ref LengthOf(offset));
            if (length == 0)
            {
                return drained;
            }

            var captured = Read<int>(offset + CapturedLengthAt);
            if (captured != Padding)
            {
                reader.Read(new CapturedFrame(
                    _bytes.AsSpan(offset + HeaderSize, captured),
                    Read<int>(offset + OriginalLengthAt),
                    Read<long>(offset + TimestampAt),
                    (CaptureDirection)_bytes[offset + DirectionAt],
                    Read<int>(offset + PortIndexAt)));
                drained++;
            }

            _bytes.AsSpan(offset, length).Clear();
            Volatile.Write(ref _head.Value, head + length);
        }
    }

    // Records start at multiples of Alignment and the array's data is 8-byte aligned, so each length word is an aligned
    // int that Volatile reads and writes whole; Unsafe.As only retypes an element the indexer bounds-checked.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int LengthOf(int offset) => ref Unsafe.As<byte, int>(ref _bytes[offset + LengthAt]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Publish(int offset, int length) => Volatile.Write(ref LengthOf(offset), length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Write<T>(int offset, T value)
        where T : unmanaged => Unsafe.WriteUnaligned(ref _bytes[offset], value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T Read<T>(int offset)
        where T : unmanaged => Unsafe.ReadUnaligned<T>(ref _bytes[offset]);
}
