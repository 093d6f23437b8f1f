using Sdn.Common.Packets;
using Sdn.Common.Polling;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Vmm.Devices.VirtioNet;

namespace Sdn.Cli.Hosting;

/// <summary>
/// An edge port onto a VM's virtio-net NIC. The NIC's TX worker hands the guest's frames over through a
/// lock-free ring that the switch thread drains; the switch delivers frames into the guest's RX ring
/// directly. When the ring is full the NIC keeps its frames and the guest is slowed, not dropped; the
/// port wakes the NIC again once the switch has made room.
/// </summary>
public sealed class VnicPort : IEdgePort, INetBackend
{
    private const int RingCapacity = 1024;

    private readonly FrameRing _fromGuest = new(RingCapacity);
    private readonly NetDevice _nic;
    private volatile bool _nicHeldBack;

    public VnicPort(uint number, string name, NetDevice nic)
    {
        ArgumentNullException.ThrowIfNull(nic);
        Number = number;
        Name = name;
        _nic = nic;
        nic.Attach(this);
    }

    public uint Number { get; }

    public string Name { get; }

    /// <summary>Frames the guest could not take because its RX ring had no buffers; the switch counts them as dropped.</summary>
    public long GuestRxFull { get; private set; }

    public void WakeOnArrival(Doorbell? doorbell) => _fromGuest.Consumer = doorbell;

    /// <summary>Switch thread: takes the guest's frames from the ring.</summary>
    public int Receive(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var added = 0;
        while (!burst.IsFull && _fromGuest.TryPeek(out var frame, out _))
        {
            burst.TryAppend(frame);
            _fromGuest.Dequeue();
            added++;
        }

        if (added > 0 && _nicHeldBack)
        {
            _nicHeldBack = false;
            _nic.Kick();
        }

        return added;
    }

    /// <summary>Switch thread: delivers frames into the guest's RX ring.</summary>
    public int Transmit(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var delivered = _nic.DeliverToGuest(burst, 0);
        GuestRxFull += burst.Count - delivered;
        return delivered;
    }

    /// <summary>NIC TX worker: queues the guest's frames for the switch; returns how many fit.</summary>
    int INetBackend.Transmit(PacketBurst burst, int first)
    {
        var taken = _fromGuest.EnqueueBurst(burst, burst.NumbersFrom(first), out _);

        if (first + taken < burst.Count)
        {
            _nicHeldBack = true;
        }

        return taken;
    }

    /// <summary>The switch does not hold frames for the guest, so new RX buffers need no action.</summary>
    void INetBackend.ReceiveSpaceAvailable()
    {
    }
}
