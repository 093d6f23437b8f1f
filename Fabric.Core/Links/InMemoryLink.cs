using Sdn.Common.Packets;
using Sdn.Common.Polling;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// A link within one process: two endpoints joined by a lock-free single-producer/single-consumer ring in
/// each direction. Frames are copied into the ring on send and out of it on receive, so the bytes, the
/// counters and the ownership rules are those of an MPLS-in-UDP link.
/// </summary>
public sealed class InMemoryLink : LinkEnd
{
    public const int DefaultRingCapacity = 1024;

    /// <summary>
    /// The bytes each direction can queue: 256 TCP super-frames, so a sender's burst of them is queued rather
    /// than dropped while the other end catches up, as a host's transmit queue would hold it.
    /// </summary>
    public const int RingBytes = 256 * PacketBurst.MaxSuperFrameLength;

    private readonly FrameRing _outbound;
    private readonly FrameRing _inbound;
    private InMemoryLink _peer = null!;

    private InMemoryLink(string name, FrameRing outbound, FrameRing inbound)
        : base(name)
    {
        _outbound = outbound;
        _inbound = inbound;
    }

    /// <summary>Creates the two endpoints of one link.</summary>
    /// <param name="ringCapacity">Frames each direction can queue; a power of two.</param>
    public static (InMemoryLink A, InMemoryLink B) CreatePair(string nameA, string nameB, int ringCapacity = DefaultRingCapacity)
    {
        var aToB = new FrameRing(ringCapacity, RingBytes);
        var bToA = new FrameRing(ringCapacity, RingBytes);
        var a = new InMemoryLink(nameA, aToB, bToA);
        var b = new InMemoryLink(nameB, bToA, aToB);
        a._peer = b;
        b._peer = a;
        return (a, b);
    }

    public override bool CarriesOffloads => true;

    public override void WakeOnArrival(Doorbell? doorbell) => _inbound.Consumer = doorbell;

    /// <summary>An impaired peer holds frames as plain bytes, so they must arrive finished.</summary>
    protected override bool OffloadReachesPeer(ReadOnlySpan<byte> frame, in FrameOffload offload) => !_peer.IsImpaired;

    protected override int Transmit(PacketBurst burst, ReadOnlySpan<byte> frames, out long bytes) =>
        _outbound.EnqueueBurst(burst, frames, out bytes);

    protected override bool TransmitOne(ReadOnlySpan<byte> frame) => _outbound.TryEnqueue(frame);

    protected override void ReceiveFrames(PacketBurst burst, long now)
    {
        // One acquire of the producer's position and one release of ours per burst, not per frame.
        var available = _inbound.Count;
        var taken = 0;
        for (; taken < available && !burst.IsFull; taken++)
        {
            Deliver(_inbound.PeekAt(taken, out _), _inbound.OffloadAt(taken), burst, now);
        }

        _inbound.Dequeue(taken);
    }
}
