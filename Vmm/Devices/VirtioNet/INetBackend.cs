using Sdn.Common.Packets;

namespace Sdn.Vmm.Devices.VirtioNet;

/// <summary>
/// The other end of a virtio-net NIC: an edge switch port, or <see cref="BackToBackLink"/> in tests.
/// </summary>
/// <remarks>
/// Frames move in <see cref="PacketBurst"/>es in both directions. The device's TX worker fills a burst from the
/// TX ring and calls <see cref="Transmit"/>; the backend takes what it can now. Frames it does not take stay with
/// the device, which retries them before reading more from the guest, so a slow receiver slows the sender down
/// instead of losing frames. The backend delivers frames to the guest with <see cref="NetDevice.DeliverToGuest"/>,
/// which likewise returns how many fit in the RX ring, and calls <see cref="ReceiveSpaceAvailable"/> when the guest
/// gives the RX ring more buffers. Calls never allocate; a backend must not keep the burst after returning.
/// </remarks>
public interface INetBackend
{
    /// <summary>Takes frames from <paramref name="first"/> on; returns how many it took (0 when it cannot take any now).</summary>
    int Transmit(PacketBurst burst, int first);

    /// <summary>The guest has given its RX ring buffers after a shortage: frames held back may be retried now.</summary>
    void ReceiveSpaceAvailable();
}
