using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// A burst of up to <see cref="Capacity"/> frames: the unit that ports, links and vNIC backends move.
/// </summary>
/// <remarks>
/// All frames live in one pinned array allocated with the burst, one slot each of <see cref="Headroom"/> plus
/// the burst's <see cref="FrameLimit"/>, so moving packets never allocates. Bursts that carry TCP super-frames
/// (see <see cref="FrameOffload"/>) are made with slots of <see cref="MaxSuperFrameLength"/>; each frame keeps its offload
/// beside it. Each frame starts <see cref="Headroom"/> bytes into its slot,
/// so pushing labels or a VLAN tag moves the start back instead of copying the frame.
/// A burst is owned by one thread at a time.
/// </remarks>
public sealed class PacketBurst
{
    public const int Capacity = 64;
    public const int SlotSize = 2048;
    public const int Headroom = 128;
    public const int MaxFrameLength = SlotSize - Headroom;

    /// <summary>The longest frame a super-frame burst holds: a 64 KiB IP packet, its Ethernet header and tags, with room for labels.</summary>
    public const int MaxSuperFrameLength = 65_536 + 256;

    private static readonly byte[] FrameNumbers = [.. Enumerable.Range(0, Capacity).Select(i => (byte)i)];

    private readonly int _slotSize;
    private readonly byte[] _slots;
    private readonly int[] _offsets = new int[Capacity];
    private readonly int[] _lengths = new int[Capacity];
    private readonly FrameOffload[] _offloads = new FrameOffload[Capacity];

    /// <param name="superFrames">Slots hold <see cref="MaxSuperFrameLength"/> bytes instead of <see cref="MaxFrameLength"/>.</param>
    public PacketBurst(bool superFrames = false)
    {
        FrameLimit = superFrames ? MaxSuperFrameLength : MaxFrameLength;
        _slotSize = Headroom + FrameLimit;
        _slots = GC.AllocateArray<byte>(Capacity * _slotSize, pinned: true);
    }

    /// <summary>The longest frame this burst holds.</summary>
    public int FrameLimit { get; }

    /// <summary>The frame numbers from <paramref name="first"/> to the end of the burst, for calls that take a list of frames.</summary>
    public ReadOnlySpan<byte> NumbersFrom(int first) => FrameNumbers.AsSpan(first, Count - first);

    /// <summary>The number of frames in the burst.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>The bytes of frame <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Frame(int index) => _slots.AsSpan(index * _slotSize + _offsets[index], _lengths[index]);

    public int Length(int index) => _lengths[index];

    /// <summary>What is left to do to frame <paramref name="index"/>; <see cref="FrameOffload.None"/> unless set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly FrameOffload Offload(int index) => ref _offloads[index];

    public void SetOffload(int index, in FrameOffload offload) => _offloads[index] = offload;

    /// <summary>
    /// Adds a frame of <paramref name="length"/> bytes and returns its bytes for the caller to fill.
    /// Returns an empty span when the burst is full or the length does not fit a slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Append(int length) => Append(length, Headroom);

    /// <summary>
    /// Adds as a frame the <paramref name="length"/> bytes from <paramref name="start"/> of the next free slot (counted
    /// from the slot's beginning, so <see cref="Headroom"/> is where <see cref="Append(int)"/> puts a frame), which a
    /// producer may have filled already (<see cref="UnclaimedSlot"/>), and returns them. Returns an empty span when the
    /// burst is full or the frame does not fit the slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Append(int length, int start)
    {
        if (Count == Capacity || (uint)length > (uint)FrameLimit || (uint)start > (uint)(_slotSize - length))
        {
            return [];
        }

        var index = Count++;
        _offsets[index] = start;
        _lengths[index] = length;
        _offloads[index] = default;
        return _slots.AsSpan(index * _slotSize + start, length);
    }

    /// <summary>
    /// The whole of free slot <paramref name="index"/>, headroom included, for a producer that lets a frame arrive
    /// there before it adds it (<see cref="Append(int, int)"/>); empty unless the slot is free (from <see cref="Count"/> on).
    /// </summary>
    public Span<byte> UnclaimedSlot(int index) =>
        (uint)(index - Count) < (uint)(Capacity - Count) ? _slots.AsSpan(index * _slotSize, _slotSize) : [];

    /// <summary>Copies <paramref name="frame"/> into the burst. Returns false when it is full or the frame too long.</summary>
    public bool TryAppend(ReadOnlySpan<byte> frame) => TryAppend(frame, FrameOffload.None);

    /// <summary>Copies <paramref name="frame"/> and what is left to do to it into the burst. Returns false when it is full or the frame too long.</summary>
    public bool TryAppend(ReadOnlySpan<byte> frame, in FrameOffload offload)
    {
        var target = Append(frame.Length);
        if (target.Length != frame.Length)
        {
            return false;
        }

        frame.CopyTo(target);
        _offloads[Count - 1] = offload;
        return true;
    }

    /// <summary>
    /// Grows frame <paramref name="index"/> by <paramref name="bytes"/> at its front (for pushing headers)
    /// and returns the whole frame. Returns false when the headroom is used up.
    /// </summary>
    public bool TryPushFront(int index, int bytes, out Span<byte> frame)
    {
        if ((uint)bytes > (uint)_offsets[index])
        {
            frame = [];
            return false;
        }

        _offsets[index] -= bytes;
        _lengths[index] += bytes;
        frame = Frame(index);
        return true;
    }

    /// <summary>Removes <paramref name="bytes"/> from the front of frame <paramref name="index"/> (for popping headers).</summary>
    public bool TryPullFront(int index, int bytes)
    {
        if ((uint)bytes > (uint)_lengths[index])
        {
            return false;
        }

        _offsets[index] += bytes;
        _lengths[index] -= bytes;
        return true;
    }

    /// <summary>Sets the length of frame <paramref name="index"/>, within its slot.</summary>
    public bool TrySetLength(int index, int length)
    {
        if ((uint)length > (uint)(_slotSize - _offsets[index]))
        {
            return false;
        }

        _lengths[index] = length;
        return true;
    }

    /// <summary>Empties the burst so it can be filled again.</summary>
    public void Clear() => Count = 0;

    /// <summary>Removes frame <paramref name="index"/>, moving the later ones down a slot: for the rare frame a port must drop after receiving it.</summary>
    public void RemoveAt(int index)
    {
        for (var next = index + 1; next < Count; next++)
        {
            var target = next - 1;
            _slots.AsSpan(next * _slotSize + _offsets[next], _lengths[next]).CopyTo(_slots.AsSpan(target * _slotSize + _offsets[next]));
            _offsets[target] = _offsets[next];
            _lengths[target] = _lengths[next];
            _offloads[target] = _offloads[next];
        }

        Count--;
    }

    /// <summary>Removes the last frame, for a producer that reserved a slot it could not fill.</summary>
    public void DropLast()
    {
        if (Count > 0)
        {
            Count--;
        }
    }
}
