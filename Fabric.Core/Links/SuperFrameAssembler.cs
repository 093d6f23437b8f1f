using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// Joins the chunks of one frame (<see cref="SuperFrameChunk"/>) as they arrive, in order. A chunk out of order, or
/// one that does not fit the frame its first chunk announced, is malformed and ends the frame being joined.
/// </summary>
internal sealed class SuperFrameAssembler
{
    private readonly byte[] _frame = new byte[PacketBurst.MaxSuperFrameLength];
    private int _length;
    private int _filled;
    private int _nextIndex;

    public enum Outcome
    {
        /// <summary>The chunk was taken; the frame needs more.</summary>
        Incomplete,

        /// <summary>The chunk was the frame's last: <see cref="Frame"/> holds it until the next chunk.</summary>
        Complete,

        /// <summary>The chunk, and the frame being joined if any, are dropped: the caller counts it.</summary>
        Malformed,
    }

    /// <summary>The frame the last <see cref="Outcome.Complete"/> finished.</summary>
    public Span<byte> Frame => _frame.AsSpan(0, _length);

    /// <summary>Whether a frame is half joined: a first chunk now would leave it unfinished.</summary>
    public bool IsJoining => _nextIndex > 0;

    public Outcome Add(int index, int frameLength, ReadOnlySpan<byte> data)
    {
        if (index == 0)
        {
            _length = frameLength;
            _filled = 0;
        }
        else if (index != _nextIndex || frameLength != _length)
        {
            _nextIndex = 0;
            return Outcome.Malformed;
        }

        if (frameLength > _frame.Length || data.Length > _length - _filled)
        {
            _nextIndex = 0;
            return Outcome.Malformed;
        }

        data.CopyTo(_frame.AsSpan(_filled));
        _filled += data.Length;
        _nextIndex = index + 1;
        if (_filled < _length)
        {
            return Outcome.Incomplete;
        }

        _nextIndex = 0;
        return Outcome.Complete;
    }
}
