using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;

namespace Sdn.Fabric.Core.Tests.Support;

/// <summary>A link end with a bug: receiving throws, as many times as it is told to; it never carries a frame.</summary>
public sealed class FaultyLink(string name) : LinkEnd(name)
{
    private int _faultsLeft;

    /// <summary>The next <paramref name="count"/> receives throw.</summary>
    public void Fail(int count) => Volatile.Write(ref _faultsLeft, count);

    protected override int Transmit(PacketBurst burst, ReadOnlySpan<byte> frames, out long bytes)
    {
        bytes = 0;
        return frames.Length;
    }

    protected override bool TransmitOne(ReadOnlySpan<byte> frame) => true;

    protected override void ReceiveFrames(PacketBurst burst, long now)
    {
        if (Interlocked.Decrement(ref _faultsLeft) >= 0)
        {
            throw new InvalidOperationException($"{Name} lost its ring");
        }
    }
}
