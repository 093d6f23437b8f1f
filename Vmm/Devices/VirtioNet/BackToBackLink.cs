using Sdn.Common.Packets;

namespace Sdn.Vmm.Devices.VirtioNet;

/// <summary>
/// A cable between two NICs: what one guest sends arrives in the other's RX ring, with backpressure
/// (a full RX ring holds the sender's frames in its device until the receiver posts buffers). The loopback
/// backend for tests and benchmarks; an edge switch port takes its place in the fabric.
/// </summary>
public sealed class BackToBackLink
{
    public BackToBackLink(NetDevice a, NetDevice b)
    {
        A = a;
        B = b;
        a.Attach(new End(b));
        b.Attach(new End(a));
    }

    public NetDevice A { get; }

    public NetDevice B { get; }

    private sealed class End(NetDevice peer) : INetBackend
    {
        public int Transmit(PacketBurst burst, int first) => peer.DeliverToGuest(burst, first);

        public void ReceiveSpaceAvailable() => peer.Kick();
    }
}
