using System.Runtime.InteropServices;
using Sdn.Common.Interop;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Tap;

/// <summary>
/// A Linux TAP device: Ethernet frames written here appear on the device, and frames the kernel
/// sends out of it are read here. The file descriptor stays attached when the device is moved into
/// another network namespace, which is how a namespace host joins an edge. The device disappears
/// when this object is disposed.
/// </summary>
/// <remarks>
/// Opened with offloads, each frame comes and goes behind a <see cref="VirtioNetHeader"/>, and the kernel is
/// told (TUNSETOFFLOAD) that we take partial checksums and TCP segmentation: the namespace's TCP then hands us
/// segments of up to 64 KiB, one read each, and takes such super-frames back whole, as virtual switches'
/// TAP ports do. A frame's offload travels beside it (<see cref="FrameOffload"/>).
/// </remarks>
public sealed unsafe class TapDevice : IDisposable
{
    private const string CloneDevice = "/dev/net/tun";
    private const nuint TunSetInterface = 0x400454CA;
    private const nuint TunSetOffload = 0x400454D0;
    private const short IffTap = 0x0002;
    private const short IffNoPacketInformation = 0x1000;
    private const short IffVnetHeader = 0x4000;
    private const nint TunOffloadChecksum = 0x01;
    private const nint TunOffloadTso4 = 0x02;
    private const nint TunOffloadTso6 = 0x04;
    private const int InterfaceNameSize = 16;

    private readonly FrameDescriptor _frames;

    private TapDevice(int fd, string name, bool hasOffloads)
    {
        _frames = new FrameDescriptor(fd, hasOffloads);
        Name = name;
    }

    public string Name { get; }

    /// <summary>For poll(): readable when a frame waits.</summary>
    internal int FileDescriptor => _frames.FileDescriptor;

    /// <summary>Whether frames carry a virtio-net header, so partial checksums and TCP super-frames cross this device.</summary>
    public bool HasOffloads => _frames.HasOffloads;

    /// <summary>Frames read with a virtio-net header that asked for work we do not do, or did not fit the frame; dropped.</summary>
    public long MalformedReceived => _frames.MalformedReceived;

    public long FramesReceived => _frames.FramesReceived;

    public long FramesSent => _frames.FramesSent;

    /// <summary>Frames the kernel refused (for example while the device is down).</summary>
    public long SendErrors => _frames.SendErrors;

    /// <param name="offloads">Take and give partial checksums and TCP super-frames behind a virtio-net header.</param>
    /// <exception cref="TapException">The clone device is missing or not permitted, or the name is taken or too long.</exception>
    public static TapDevice Create(string name, bool offloads = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or >= InterfaceNameSize)
        {
            throw new TapException($"TAP device name '{name}' must have 1 to {InterfaceNameSize - 1} characters");
        }

        var fd = LibC.Open(CloneDevice, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new TapException($"cannot open {CloneDevice}: {LibC.ErrorText(errno)}; TAP ports need the tun module and root (or CAP_NET_ADMIN)");
        }

        var request = new InterfaceRequest { Flags = (short)(IffTap | IffNoPacketInformation | (offloads ? IffVnetHeader : 0)) };
        var nameBytes = new Span<byte>(request.Name, InterfaceNameSize);
        System.Text.Encoding.ASCII.GetBytes(name, nameBytes);
        // SAFETY: request is a local struct laid out as the kernel's 40-byte struct ifreq, alive for the call.
        if (LibC.Ioctl(fd, TunSetInterface, (nint)(&request)) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw new TapException($"cannot create TAP device '{name}': {LibC.ErrorText(errno)}");
        }

        if (offloads && LibC.Ioctl(fd, TunSetOffload, TunOffloadChecksum | TunOffloadTso4 | TunOffloadTso6) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw new TapException($"cannot turn on checksum and TCP segmentation offload on TAP device '{name}': {LibC.ErrorText(errno)}");
        }

        return new TapDevice(fd, name, offloads);
    }

    /// <summary>Reads every frame waiting on the device into <paramref name="burst"/>, until it is full; returns how many.</summary>
    /// <remarks>With offloads the burst must hold super-frames (<see cref="PacketBurst.MaxSuperFrameLength"/>).</remarks>
    public int ReceiveBurst(PacketBurst burst) => _frames.ReceiveBurst(burst);

    /// <summary>Writes every frame of <paramref name="burst"/> to the device; returns how many the kernel took.</summary>
    /// <remarks>With offloads each frame's virtio-net header is written into the headroom just before it.</remarks>
    public int SendBurst(PacketBurst burst) => _frames.SendBurst(burst);

    /// <summary>Writes the frames of <paramref name="burst"/> that <paramref name="frames"/> numbers, in that order; returns how many the kernel took.</summary>
    public int SendBurst(PacketBurst burst, ReadOnlySpan<byte> frames) => _frames.SendBurst(burst, frames);

    /// <summary>Waits until a frame can be read, or the timeout passes; true when one can.</summary>
    public bool WaitReadable(int timeoutMilliseconds) => _frames.WaitReadable(timeoutMilliseconds);

    public void Dispose() => _frames.Dispose();

    /// <summary>The kernel's <c>struct ifreq</c> as TUNSETIFF reads it: a name, then the flags, padded to 40 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private struct InterfaceRequest
    {
        public fixed byte Name[InterfaceNameSize];
        public short Flags;
    }
}
