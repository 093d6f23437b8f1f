using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Sdn.Vmm.Memory;

namespace Sdn.Vmm.Devices.VirtioMmio;

/// <summary>
/// The device side of one split virtqueue (virtio 1.2, section 2.7): the driver's descriptor table and
/// available ring, our used ring, and event suppression in both directions.
/// </summary>
/// <remarks>
/// Everything the guest wrote is untrusted. Ring addresses are checked once at activation; every descriptor
/// is checked when walked: its buffer must lie in guest RAM, its length must be sane, its index must be in
/// the table, and a chain may not be longer than the queue (which also catches loops). A violation returns
/// <see cref="QueueResult.Malformed"/>; the device then asks for a reset and stops touching the queue.
/// Pointers into guest memory are computed only after such a check, and guest RAM outlives the queue.
/// </remarks>
internal sealed unsafe class SplitQueue(ushort maxSize)
{
    private const ushort DescriptorNext = 1;
    private const ushort DescriptorWrite = 2;
    private const ushort DescriptorIndirect = 4;
    private const ushort AvailNoInterrupt = 1;
    private const ushort UsedNoNotify = 1;
    private const int DescriptorSize = 16;
    private const uint MaxBufferLength = 64 * 1024;
    private const int CacheLineSize = 64;

    private GuestMemory? _memory;
    private byte* _descriptors;
    private byte* _avail;
    private byte* _used;
    private ushort _nextAvail;
    private ushort _availSeen;
    private ushort _nextUsed;
    private bool _eventIdx;

    public ushort MaxSize { get; } = maxSize;

    // Driver-programmed registers (QueueNum, QueueDesc/Driver/Device, QueueReady).
    public ushort Size { get; set; } = maxSize;

    public ulong DescriptorTableAddress { get; set; }

    public ulong AvailRingAddress { get; set; }

    public ulong UsedRingAddress { get; set; }

    public bool Ready { get; set; }

    /// <summary>Forgets the driver's settings and our ring positions (device reset or QueueReset).</summary>
    public void Reset()
    {
        Size = MaxSize;
        DescriptorTableAddress = AvailRingAddress = UsedRingAddress = 0;
        Ready = false;
        _memory = null;
        _descriptors = _avail = _used = null;
        _nextAvail = _availSeen = _nextUsed = 0;
    }

    /// <summary>Checks the driver's ring layout against guest RAM and prepares for use. Returns false when it is invalid.</summary>
    public bool Activate(GuestMemory memory, bool eventIdx)
    {
        if (!Ready || Size == 0 || Size > MaxSize || (Size & (Size - 1)) != 0
            || DescriptorTableAddress % 16 != 0 || AvailRingAddress % 2 != 0 || UsedRingAddress % 4 != 0)
        {
            return false;
        }

        _descriptors = memory.PointerTo(DescriptorTableAddress, (ulong)(DescriptorSize * Size));
        _avail = memory.PointerTo(AvailRingAddress, (ulong)(6 + 2 * Size));
        _used = memory.PointerTo(UsedRingAddress, (ulong)(6 + 8 * Size));
        if (_descriptors == null || _avail == null || _used == null)
        {
            return false;
        }

        _memory = memory;
        _eventIdx = eventIdx;
        _nextAvail = _availSeen = _nextUsed = 0;
        return true;
    }

    // SAFETY (the four ring fields below): Activate checked that the avail ring (6 + 2 * Size bytes) and the used
    // ring (6 + 8 * Size bytes) lie inside guest RAM, and Size only changes while the queue is not active.
    private ref ushort AvailIdx => ref Unsafe.AsRef<ushort>(_avail + 2);

    private ref ushort UsedEvent => ref Unsafe.AsRef<ushort>(_avail + 4 + 2 * Size);

    private ref ushort UsedIdx => ref Unsafe.AsRef<ushort>(_used + 2);

    private ref ushort AvailEvent => ref Unsafe.AsRef<ushort>(_used + 4 + 8 * Size);

    /// <summary>True when the driver has made at least <paramref name="count"/> buffers available that we have not taken.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasAvailable(int count = 1) => _avail != null && (ushort)(Volatile.Read(ref AvailIdx) - _nextAvail) >= count;

    /// <summary>Takes the head of the next available chain.</summary>
    /// <remarks>The driver's avail.idx is read only when the chains seen at the last read are used up, so a busy queue does not bounce its cache line.</remarks>
    public QueueResult TryPop(out ushort head)
    {
        head = 0;
        if (_availSeen == _nextAvail)
        {
            var availIdx = Volatile.Read(ref AvailIdx);
            var pending = (ushort)(availIdx - _nextAvail);
            if (pending == 0)
            {
                return QueueResult.Empty;
            }

            if (pending > Size)
            {
                return QueueResult.Malformed;
            }

            _availSeen = availIdx;
        }

        // SAFETY: the index is masked to the ring, which Activate checked lies inside guest RAM.
        head = Unsafe.Read<ushort>(_avail + 4 + 2 * (_nextAvail & (Size - 1)));
        if (head >= Size)
        {
            return QueueResult.Malformed;
        }

        _nextAvail++;
        return QueueResult.Ok;
    }

    /// <summary>
    /// Starts loading the first buffers of the next <paramref name="count"/> available chains into the cache, so that a
    /// burst's cache misses (the driver just wrote those descriptors and buffers on another core) overlap instead of
    /// stalling one frame after another. Changes nothing; a chain that breaks the rules is left for <see cref="TryPop"/>
    /// and the walk to report.
    /// </summary>
    public void PrefetchBuffers(int count)
    {
        if (!Sse.IsSupported || _avail == null)
        {
            return;
        }

        var pending = (ushort)(Volatile.Read(ref AvailIdx) - _nextAvail);
        if (pending > Size)
        {
            return;
        }

        var mask = Size - 1;
        for (var i = 0; i < Math.Min(count, pending); i++)
        {
            // SAFETY: the index is masked to the ring, which Activate checked lies inside guest RAM.
            var head = Unsafe.Read<ushort>(_avail + 4 + 2 * ((_nextAvail + i) & mask));
            if (head >= Size)
            {
                return;
            }

            // SAFETY: head < Size, and Activate checked the whole descriptor table lies inside guest RAM.
            var descriptor = _descriptors + DescriptorSize * head;
            var length = Unsafe.Read<uint>(descriptor + 8);
            var buffer = _memory!.PointerTo(Unsafe.Read<ulong>(descriptor), length);
            if (buffer != null && length > 0)
            {
                // SAFETY: PointerTo checked [buffer, buffer + length) lies inside guest RAM; a prefetch never faults anyway.
                Sse.Prefetch0(buffer);
                if (length > CacheLineSize)
                {
                    Sse.Prefetch0(buffer + CacheLineSize);
                }
            }
        }
    }

    /// <summary>
    /// Copies the device-readable bytes of chain <paramref name="head"/>, after skipping the first <paramref name="skip"/>,
    /// into <paramref name="destination"/>. Returns the bytes after the skip (which may exceed the destination, then only
    /// the start is copied), or -1 when the chain is malformed.
    /// </summary>
    /// <remarks>
    /// The common chain is one read-only descriptor holding the net header and the whole frame: it is copied at once,
    /// after the same checks as any descriptor (<see cref="TryDescriptor"/>). Anything else takes the chain walk.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Gather(ushort head, int skip, Span<byte> destination)
    {
        if (TryDescriptor(head, 0, out var buffer, out var length, out var flags, out _)
            && (flags & (DescriptorNext | DescriptorWrite)) == 0 && (uint)skip <= length)
        {
            var take = (int)length - skip;

            // SAFETY: TryDescriptor checked that [buffer, buffer + length) lies inside guest RAM, and 0 <= skip <= length.
            new ReadOnlySpan<byte>(buffer + skip, Math.Min(take, destination.Length)).CopyTo(destination);
            return take;
        }

        return GatherChain(head, skip, destination);
    }

    /// <summary>The chain walk behind <see cref="Gather"/>: several descriptors, or one that breaks a rule.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int GatherChain(ushort head, int skip, Span<byte> destination)
    {
        var total = 0;
        var index = head;
        for (var hops = 0; ; hops++)
        {
            if (!TryDescriptor(index, hops, out var buffer, out var length, out var flags, out var next) || (flags & DescriptorWrite) != 0)
            {
                return -1;
            }

            var take = (int)length;
            if (skip > 0)
            {
                var skipped = Math.Min(skip, take);
                skip -= skipped;
                buffer += skipped;
                take -= skipped;
            }

            if (total < destination.Length && take > 0)
            {
                // SAFETY: TryDescriptor checked that [buffer, buffer + length) lies inside guest RAM.
                new ReadOnlySpan<byte>(buffer, Math.Min(take, destination.Length - total)).CopyTo(destination[total..]);
            }

            total += take;
            if ((flags & DescriptorNext) == 0)
            {
                return skip > 0 ? -1 : total;
            }

            index = next;
        }
    }

    /// <summary>
    /// Writes <paramref name="header"/> then <paramref name="payload"/> into the device-writable buffers of chain <paramref name="head"/>.
    /// Returns the bytes written, -1 when the chain is malformed, or -2 when it is too small.
    /// </summary>
    /// <remarks>
    /// The common chain is one device-writable descriptor large enough for header and frame: both are copied at once,
    /// after the same checks as any descriptor (<see cref="TryDescriptor"/>). Anything else takes the chain walk.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Scatter(ushort head, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var needed = header.Length + payload.Length;
        if (TryDescriptor(head, 0, out var buffer, out var length, out var flags, out _)
            && (flags & (DescriptorNext | DescriptorWrite)) == DescriptorWrite && (uint)needed <= length)
        {
            // SAFETY: TryDescriptor checked that [buffer, buffer + length) lies inside guest RAM, and needed <= length.
            var target = new Span<byte>(buffer, needed);
            header.CopyTo(target);
            payload.CopyTo(target[header.Length..]);
            return needed;
        }

        return ScatterChain(head, header, payload);
    }

    /// <summary>The chain walk behind <see cref="Scatter"/>: several descriptors, a buffer too small, or one that breaks a rule.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ScatterChain(ushort head, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var written = 0;
        var needed = header.Length + payload.Length;
        var index = head;
        for (var hops = 0; ; hops++)
        {
            if (!TryDescriptor(index, hops, out var buffer, out var length, out var flags, out var next) || (flags & DescriptorWrite) == 0)
            {
                return -1;
            }

            // SAFETY: TryDescriptor checked that [buffer, buffer + length) lies inside guest RAM.
            var target = new Span<byte>(buffer, (int)Math.Min(length, (uint)(needed - written)));
            while (target.Length > 0)
            {
                var source = written < header.Length ? header[written..] : payload[(written - header.Length)..];
                var chunk = Math.Min(source.Length, target.Length);
                source[..chunk].CopyTo(target);
                target = target[chunk..];
                written += chunk;
            }

            if (written == needed)
            {
                return written;
            }

            if ((flags & DescriptorNext) == 0)
            {
                return -2;
            }

            index = next;
        }
    }

    /// <summary>Returns chain <paramref name="head"/> to the driver with <paramref name="length"/> bytes written; visible after <see cref="PublishUsed"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddUsed(ushort head, uint length)
    {
        // SAFETY: the index is masked to the ring, which Activate checked lies inside guest RAM.
        var element = _used + 4 + 8 * (_nextUsed & (Size - 1));
        Unsafe.Write(element, (uint)head);
        Unsafe.Write(element + 4, length);
        _nextUsed++;
    }

    /// <summary>Makes the used entries added so far visible. Returns true when the driver asked to be interrupted for them.</summary>
    public bool PublishUsed()
    {
        var previous = UsedIdx;
        Volatile.Write(ref UsedIdx, _nextUsed);
        if (!_eventIdx)
        {
            // SAFETY: avail.flags is the first field of the avail ring Activate checked.
            return (Volatile.Read(ref Unsafe.AsRef<ushort>(_avail)) & AvailNoInterrupt) == 0;
        }

        Interlocked.MemoryBarrier();
        return NeedsEvent(Volatile.Read(ref UsedEvent), _nextUsed, previous);
    }

    /// <summary>Asks the driver not to notify us: we are polling.</summary>
    public void SuppressNotifications()
    {
        if (_eventIdx)
        {
            Volatile.Write(ref AvailEvent, (ushort)(_nextAvail + 0x7FFF));
        }
        else
        {
            // SAFETY: used.flags is the first field of the used ring Activate checked.
            Volatile.Write(ref Unsafe.AsRef<ushort>(_used), UsedNoNotify);
        }
    }

    /// <summary>
    /// Asks the driver to notify us once <paramref name="batch"/> more buffers are available (with EVENT_IDX; without it,
    /// at the next one). Returns true when they arrived meanwhile, so the caller must not sleep.
    /// </summary>
    public bool EnableNotifications(int batch = 1)
    {
        if (_eventIdx)
        {
            Volatile.Write(ref AvailEvent, (ushort)(_nextAvail + batch - 1));
        }
        else
        {
            // SAFETY: used.flags is the first field of the used ring Activate checked.
            Volatile.Write(ref Unsafe.AsRef<ushort>(_used), 0);
            batch = 1;
        }

        Interlocked.MemoryBarrier();
        return HasAvailable(batch);
    }

    /// <summary>vring_need_event: whether moving an index from <paramref name="old"/> to <paramref name="current"/> passed <paramref name="eventIndex"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool NeedsEvent(ushort eventIndex, ushort current, ushort old) => (ushort)(current - eventIndex - 1) < (ushort)(current - old);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryDescriptor(ushort index, int hops, out byte* buffer, out uint length, out ushort flags, out ushort next)
    {
        buffer = null;
        length = 0;
        flags = 0;
        next = 0;
        if (index >= Size || hops >= Size)
        {
            return false;
        }

        // SAFETY: index < Size, and Activate checked the whole descriptor table lies inside guest RAM.
        var descriptor = _descriptors + DescriptorSize * index;
        var address = Unsafe.Read<ulong>(descriptor);
        length = Unsafe.Read<uint>(descriptor + 8);
        flags = Unsafe.Read<ushort>(descriptor + 12);
        next = Unsafe.Read<ushort>(descriptor + 14);
        if ((flags & DescriptorIndirect) != 0 || length > MaxBufferLength)
        {
            return false;
        }

        // SAFETY: PointerTo returns null unless the whole buffer lies inside guest RAM; callers stay within length.
        buffer = _memory!.PointerTo(address, length);
        return buffer != null;
    }
}
