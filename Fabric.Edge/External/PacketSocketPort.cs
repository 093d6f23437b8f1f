using System.Runtime.InteropServices;
using Sdn.Common.Interop;
using Sdn.Common.Packets;
using Sdn.Common.Polling;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Fabric.Edge.External;

/// <summary>
/// An edge port onto an existing Linux interface of the machine, such as the one leading to an external network:
/// a packet socket (packet(7)) bound to it reads every frame the interface receives and sends frames out of it as
/// they are.
/// </summary>
/// <remarks>
/// Frames come and go behind a virtio-net header (PACKET_VNET_HDR), so a frame the local stack sent with its
/// checksum left to the hardware, as veth does, arrives with that work beside it instead of with a wrong checksum,
/// and TCP super-frames cross whole, as through a TAP with offloads. Frames this machine itself sends out of the
/// interface are not read back (PACKET_IGNORE_OUTGOING). The interface stays the machine's: closing the port only
/// closes the socket.
/// </remarks>
public sealed unsafe class PacketSocketPort : IEdgePort, IDisposable
{
    private readonly FrameDescriptor _frames;
    private readonly WatchedDescriptor _arrivals;

    private PacketSocketPort(uint number, string interfaceName, int fd)
    {
        Number = number;
        Name = interfaceName;
        _frames = new FrameDescriptor(fd, virtioNetHeaders: true);
        _arrivals = new WatchedDescriptor(fd);
    }

    public uint Number { get; }

    /// <summary>The interface's name.</summary>
    public string Name { get; }

    public bool TakesOffloads => true;

    public long FramesReceived => _frames.FramesReceived;

    public long FramesSent => _frames.FramesSent;

    /// <summary>Frames the kernel refused (for example while the interface is down).</summary>
    public long SendErrors => _frames.SendErrors;

    /// <summary>Frames read with a virtio-net header asking for work this fabric does not do; dropped.</summary>
    public long MalformedReceived => _frames.MalformedReceived;

    /// <summary>Opens a packet socket on <paramref name="interfaceName"/>, which must exist.</summary>
    /// <exception cref="PacketSocketException">The interface does not exist, or packet sockets are not permitted.</exception>
    public static PacketSocketPort Open(uint number, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        var index = PacketSocketInterop.InterfaceIndex(interfaceName);
        if (index == 0)
        {
            throw new PacketSocketException($"interface '{interfaceName}' does not exist on this machine: create it, or name the one that leads outside");
        }

        var fd = PacketSocketInterop.Socket(
            PacketSocketInterop.AddressFamilyPacket,
            PacketSocketInterop.SocketRaw | PacketSocketInterop.SocketNonBlocking | PacketSocketInterop.SocketCloseOnExec,
            PacketSocketInterop.AllProtocols);
        if (fd < 0)
        {
            throw new PacketSocketException($"cannot open a packet socket for interface '{interfaceName}': {LibC.ErrorText(Marshal.GetLastPInvokeError())}; it needs root (or CAP_NET_RAW)");
        }

        var on = 1;
        var address = new PacketSocketInterop.LinkLayerAddress
        {
            Family = PacketSocketInterop.AddressFamilyPacket,
            Protocol = PacketSocketInterop.AllProtocols,
            InterfaceIndex = (int)index,
        };
        // SAFETY: on and address are locals alive for the calls; address is laid out as the kernel's struct sockaddr_ll.
        if (PacketSocketInterop.SetOption(fd, PacketSocketInterop.SolPacket, PacketSocketInterop.PacketVnetHeader, &on, sizeof(int)) < 0
            || PacketSocketInterop.SetOption(fd, PacketSocketInterop.SolPacket, PacketSocketInterop.PacketIgnoreOutgoing, &on, sizeof(int)) < 0
            || PacketSocketInterop.Bind(fd, &address, (uint)sizeof(PacketSocketInterop.LinkLayerAddress)) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw new PacketSocketException($"cannot bind a packet socket to interface '{interfaceName}': {LibC.ErrorText(errno)}");
        }

        return new PacketSocketPort(number, interfaceName, fd);
    }

    /// <summary>The kernel fills the socket, so the doorbell watches its file descriptor.</summary>
    public void WakeOnArrival(Doorbell? doorbell) => _arrivals.WakeOn(doorbell);

    public int Receive(PacketBurst burst) => _arrivals.TakeFoundQuiet() ? 0 : _frames.ReceiveBurst(burst);

    public int Transmit(PacketBurst burst) => _frames.SendBurst(burst);

    /// <summary>Waits until a frame can be read, or the timeout passes; true when one can.</summary>
    public bool WaitReadable(int timeoutMilliseconds) => _frames.WaitReadable(timeoutMilliseconds);

    public void Dispose() => _frames.Dispose();
}
