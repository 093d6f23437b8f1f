using System.Diagnostics;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// Applies a <see cref="LinkImpairment"/> to inbound data frames on the receiving thread: loss first, then a
/// delay line, then reordering by holding one frame back until its successor has been delivered.
/// Every buffer is allocated here, once.
/// </summary>
internal sealed class LinkImpairer
{
    private const int DelayLineCapacity = 4096;

    private readonly Random _random;
    private readonly double _lossRate;
    private readonly double _reorderRate;
    private readonly long _delayTicks;
    private readonly FrameRing? _delayLine;
    private readonly byte[] _held = new byte[PacketBurst.MaxFrameLength];
    private int _heldLength = -1;

    public LinkImpairer(LinkImpairment impairment)
    {
        impairment.Validate();
        _random = new Random(impairment.Seed);
        _lossRate = impairment.LossRate;
        _reorderRate = impairment.ReorderRate;
        _delayTicks = (long)(impairment.Delay.TotalSeconds * Stopwatch.Frequency);
        _delayLine = _delayTicks > 0 ? new FrameRing(DelayLineCapacity) : null;
    }

    /// <summary>Draws whether the next inbound frame is lost.</summary>
    public bool Loses() => _lossRate > 0 && _random.NextDouble() < _lossRate;

    /// <summary>
    /// Delivers a frame held back by reordering in an earlier receive, then the delayed frames now due.
    /// Returns the number of frames dropped because the burst had no room.
    /// </summary>
    public int Release(PacketBurst burst, long now)
    {
        var dropped = 0;
        if (_heldLength >= 0 && burst.TryAppend(_held.AsSpan(0, _heldLength)))
        {
            _heldLength = -1;
        }

        while (_delayLine is not null && !burst.IsFull && _delayLine.TryPeek(out var frame, out var due) && due <= now)
        {
            dropped += Reorder(frame, burst);
            _delayLine.Dequeue();
        }

        return dropped;
    }

    /// <summary>Takes an inbound data frame that survived loss. Returns the number of frames dropped for lack of room.</summary>
    public int Admit(ReadOnlySpan<byte> frame, PacketBurst burst, long now)
    {
        if (_delayLine is null)
        {
            return Reorder(frame, burst);
        }

        return _delayLine.TryEnqueue(frame, now + _delayTicks) ? 0 : 1;
    }

    private int Reorder(ReadOnlySpan<byte> frame, PacketBurst burst)
    {
        if (_heldLength < 0 && _reorderRate > 0 && _random.NextDouble() < _reorderRate)
        {
            frame.CopyTo(_held);
            _heldLength = frame.Length;
            return 0;
        }

        if (!burst.TryAppend(frame))
        {
            return 1;
        }

        if (_heldLength >= 0 && burst.TryAppend(_held.AsSpan(0, _heldLength)))
        {
            _heldLength = -1;
        }

        return 0;
    }
}
