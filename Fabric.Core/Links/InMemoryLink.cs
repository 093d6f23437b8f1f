using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// A link within one process: two endpoints joined by a lock-free single-producer/single-consumer ring in
/// each direction. Frames are copied into the ring on send and out of it on receive, so the bytes, the
/// counters and the ownership rules are those of an MPLS-in-UDP link.
/// </summary>
public sealed class InMemoryLink : Link
{
    public const int DefaultRingCapacity = 1024;

    private readonly FrameRing _outbound;
    private readonly FrameRing _inbound;

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
        var aToB = new FrameRing(ringCapacity);
        var bToA = new FrameRing(ringCapacity);
        return (new InMemoryLink(nameA, aToB, bToA), new InMemoryLink(nameB, bToA, aToB));
    }

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
            Deliver(_inbound.PeekAt(taken, out _), burst, now);
        }

        _inbound.Dequeue(taken);
    }
}
