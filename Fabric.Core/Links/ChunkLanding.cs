using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// Lays a received message straight into a free slot of a super-frame burst so that the chunks of one frame
/// (<see cref="SuperFrameChunk"/>) of datagrams of the expected size join themselves: the receive writes the first
/// chunk's header into the slot's headroom, each chunk's piece right after the one before, and the other headers
/// aside. The frame then stands whole where the burst keeps it, and the burst claims it without the copy that joining
/// it from a receive buffer costs. A message of any other shape is copied back into one run of bytes
/// (<see cref="CopyOut"/>), as a receive into one buffer would have left it.
/// </summary>
internal sealed unsafe class ChunkLanding
{
    private const int HeaderSize = SuperFrameChunk.HeaderSize;

    // Where a message starts in the slot it lands in: the first chunk's header just before the frame, in the headroom.
    private const int FirstHeaderOffset = PacketBurst.Headroom - HeaderSize;

    private readonly int _datagramSize;
    private readonly int _piece;
    private readonly int _chunks;
    private readonly byte[] _asideHeaders;

    /// <param name="datagramSize">The size of the chunks the peer sends: its datagram limit, and this end's on a symmetric path.</param>
    public ChunkLanding(int datagramSize)
    {
        _datagramSize = datagramSize;
        _piece = datagramSize - HeaderSize;
        _chunks = (PacketBurst.MaxSuperFrameLength + _piece - 1) / _piece;
        _asideHeaders = GC.AllocateArray<byte>(PacketBurst.Capacity * (_chunks - 1) * HeaderSize, pinned: true);
    }

    /// <summary>The I/O vectors a message lands over: a header and a piece per chunk.</summary>
    public int VectorsPerMessage => 2 * _chunks;

    /// <summary>Points received message <paramref name="message"/> of <paramref name="batch"/> at <paramref name="slot"/>, a free slot of a super-frame burst, whole.</summary>
    public void Aim(MessageBatch batch, int message, Span<byte> slot)
    {
        // SAFETY: PacketBurst allocates its slots pinned and the aside headers are pinned, so every vector stays valid
        // for the receives that use it; each piece is cut to end within the slot.
        var start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(slot));
        var vector = batch.FirstVectorOf(message);
        var position = PacketBurst.Headroom;
        for (var chunk = 0; chunk < _chunks; chunk++)
        {
            var header = chunk == 0 ? start + FirstHeaderOffset : (byte*)Unsafe.AsPointer(ref _asideHeaders[AsideOffset(message, chunk)]);
            batch.SetVector(vector++, header, HeaderSize);
            var piece = Math.Min(_piece, slot.Length - position);
            batch.SetVector(vector++, start + position, piece);
            position += piece;
        }

        batch.SetScatteredReceive(message, VectorsPerMessage);
    }

    /// <summary>
    /// Whether message <paramref name="message"/>, <paramref name="length"/> bytes that landed in <paramref name="slot"/>
    /// as datagrams of <paramref name="segmentSize"/> (0 for one), is one frame as it lies: every chunk of one frame and
    /// nothing else, which starts at the slot's headroom, or one datagram that is no chunk, which starts where the
    /// message does. Where the frame starts in the slot, and its length, when so.
    /// </summary>
    public bool TryFindFrame(ReadOnlySpan<byte> slot, int message, int length, int segmentSize, out int start, out int frameLength)
    {
        if (IsChunkedFrame(slot, message, length, segmentSize, out frameLength))
        {
            start = PacketBurst.Headroom;
            return true;
        }

        // The first datagram's bytes lie together: the first header's vector ends where the first piece's begins.
        start = FirstHeaderOffset;
        frameLength = length;
        return (segmentSize == 0 || segmentSize >= length) && length <= _datagramSize
            && !SuperFrameChunk.TryRead(slot.Slice(FirstHeaderOffset, length), out _, out _);
    }

    private bool IsChunkedFrame(ReadOnlySpan<byte> slot, int message, int length, int segmentSize, out int frameLength)
    {
        if (segmentSize != _datagramSize || !SuperFrameChunk.TryRead(slot[FirstHeaderOffset..], out var first, out frameLength) || first != 0)
        {
            frameLength = 0;
            return false;
        }

        var chunks = SuperFrameChunk.Count(frameLength, _datagramSize);
        if (chunks > _chunks || frameLength > PacketBurst.MaxSuperFrameLength || length != frameLength + (chunks * HeaderSize))
        {
            return false;
        }

        for (var chunk = 1; chunk < chunks; chunk++)
        {
            if (!SuperFrameChunk.TryReadHeader(_asideHeaders.AsSpan(AsideOffset(message, chunk), HeaderSize), out var index, out var announced)
                || index != chunk || announced != frameLength)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Copies the <paramref name="length"/> bytes of message <paramref name="message"/> that landed in <paramref name="slot"/> into <paramref name="target"/>, in the order they arrived.</summary>
    public void CopyOut(ReadOnlySpan<byte> slot, int message, int length, Span<byte> target)
    {
        var copied = Math.Min(length, _datagramSize);
        slot.Slice(FirstHeaderOffset, copied).CopyTo(target);
        var position = PacketBurst.Headroom + _piece;
        for (var chunk = 1; copied < length; chunk++)
        {
            var header = Math.Min(HeaderSize, length - copied);
            _asideHeaders.AsSpan(AsideOffset(message, chunk), header).CopyTo(target[copied..]);
            copied += header;
            var piece = Math.Min(Math.Min(_piece, slot.Length - position), length - copied);
            slot.Slice(position, piece).CopyTo(target[copied..]);
            copied += piece;
            position += piece;
        }
    }

    private int AsideOffset(int message, int chunk) => ((message * (_chunks - 1)) + chunk - 1) * HeaderSize;
}
