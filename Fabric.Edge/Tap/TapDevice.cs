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

    private int _fd;

    private TapDevice(int fd, string name, bool hasOffloads)
    {
        _fd = fd;
        Name = name;
        HasOffloads = hasOffloads;
    }

    public string Name { get; }

    /// <summary>For poll(): readable when a frame waits.</summary>
    internal int FileDescriptor => _fd;

    /// <summary>Whether frames carry a virtio-net header, so partial checksums and TCP super-frames cross this device.</summary>
    public bool HasOffloads { get; }

    /// <summary>Frames read with a virtio-net header that asked for work we do not do, or did not fit the frame; dropped.</summary>
    public long MalformedReceived { get; private set; }

    public long FramesReceived { get; private set; }

    public long FramesSent { get; private set; }

    /// <summary>Frames the kernel refused (for example while the device is down).</summary>
    public long SendErrors { get; private set; }

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
    public int ReceiveBurst(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var header = HasOffloads ? VirtioNetHeader.Size : 0;
        var received = 0;
        while (!burst.IsFull)
        {
            var slot = burst.Append(burst.FrameLimit);
            nint length;
            // SAFETY: slot is a span into the burst's pinned array with room for FrameLimit bytes.
            fixed (byte* buffer = slot)
            {
                length = LibC.Read(_fd, buffer, (nuint)slot.Length);
            }

            if (length <= header)
            {
                burst.DropLast();
                break;
            }

            var index = burst.Count - 1;
            burst.TrySetLength(index, (int)length);
            if (header != 0 && !TakeHeader(burst, index))
            {
                MalformedReceived++;
                burst.DropLast();
                continue;
            }

            received++;
        }

        FramesReceived += received;
        return received;
    }

    /// <summary>Writes every frame of <paramref name="burst"/> to the device; returns how many the kernel took.</summary>
    /// <remarks>With offloads each frame's virtio-net header is written into the headroom just before it.</remarks>
    public int SendBurst(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var sent = 0;
        for (var i = 0; i < burst.Count; i++)
        {
            if (HasOffloads && !PutHeader(burst, i))
            {
                SendErrors++;
                continue;
            }

            var frame = burst.Frame(i);
            nint written;
            // SAFETY: frame is a span into the burst's pinned array, valid for the call.
            fixed (byte* buffer = frame)
            {
                written = LibC.Write(_fd, buffer, (nuint)frame.Length);
            }

            if (HasOffloads)
            {
                burst.TryPullFront(i, VirtioNetHeader.Size);
            }

            if (written == frame.Length)
            {
                sent++;
            }
            else
            {
                SendErrors++;
            }
        }

        FramesSent += sent;
        return sent;
    }

    /// <summary>Waits until a frame can be read, or the timeout passes; true when one can.</summary>
    public bool WaitReadable(int timeoutMilliseconds)
    {
        var poll = new PollFd { Fd = _fd, Events = LibC.POLLIN };
        // SAFETY: poll is a local pollfd alive for the call.
        return LibC.Poll(&poll, 1, timeoutMilliseconds) > 0 && (poll.Revents & LibC.POLLIN) != 0;
    }

    /// <summary>Moves the virtio-net header read in front of frame <paramref name="index"/> into its offload; false when it is malformed.</summary>
    private static bool TakeHeader(PacketBurst burst, int index)
    {
        var whole = burst.Frame(index);
        if (!VirtioNetHeader.TryRead(whole, whole[VirtioNetHeader.Size..], out var offload))
        {
            return false;
        }

        burst.TryPullFront(index, VirtioNetHeader.Size);
        burst.SetOffload(index, offload);
        return true;
    }

    /// <summary>Grows frame <paramref name="index"/> at its front by its virtio-net header; false when the headroom is used up.</summary>
    private static bool PutHeader(PacketBurst burst, int index)
    {
        var length = burst.Length(index);
        if (!burst.TryPushFront(index, VirtioNetHeader.Size, out var whole))
        {
            return false;
        }

        VirtioNetHeader.Write(whole, length, burst.Offload(index));
        return true;
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.Close(_fd);
            _fd = -1;
        }
    }

    /// <summary>The kernel's <c>struct ifreq</c> as TUNSETIFF reads it: a name, then the flags, padded to 40 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private struct InterfaceRequest
    {
        public fixed byte Name[InterfaceNameSize];
        public short Flags;
    }
}
