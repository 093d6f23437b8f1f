using System.Runtime.InteropServices;
using Sdn.Fabric.Core.Interop;
using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Edge.Tap;

/// <summary>
/// A Linux TAP device: Ethernet frames written here appear on the device, and frames the kernel
/// sends out of it are read here. The file descriptor stays attached when the device is moved into
/// another network namespace, which is how a namespace host joins an edge. The device disappears
/// when this object is disposed.
/// </summary>
public sealed unsafe class TapDevice : IDisposable
{
    private const string CloneDevice = "/dev/net/tun";
    private const nuint TunSetInterface = 0x400454CA;
    private const short IffTap = 0x0002;
    private const short IffNoPacketInformation = 0x1000;
    private const int InterfaceNameSize = 16;

    private int _fd;

    private TapDevice(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    public string Name { get; }

    public long FramesReceived { get; private set; }

    public long FramesSent { get; private set; }

    /// <summary>Frames the kernel refused (for example while the device is down).</summary>
    public long SendErrors { get; private set; }

    /// <exception cref="TapException">The clone device is missing or not permitted, or the name is taken or too long.</exception>
    public static TapDevice Create(string name)
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

        var request = new InterfaceRequest { Flags = IffTap | IffNoPacketInformation };
        var nameBytes = new Span<byte>(request.Name, InterfaceNameSize);
        System.Text.Encoding.ASCII.GetBytes(name, nameBytes);
        // SAFETY: request is a local struct laid out as the kernel's 40-byte struct ifreq, alive for the call.
        if (LibC.Ioctl(fd, TunSetInterface, (nint)(&request)) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw new TapException($"cannot create TAP device '{name}': {LibC.ErrorText(errno)}");
        }

        return new TapDevice(fd, name);
    }

    /// <summary>Reads every frame waiting on the device into <paramref name="burst"/>, until it is full; returns how many.</summary>
    public int ReceiveBurst(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var received = 0;
        while (!burst.IsFull)
        {
            var slot = burst.Append(PacketBurst.MaxFrameLength);
            nint length;
            // SAFETY: slot is a span into the burst's pinned array with room for MaxFrameLength bytes.
            fixed (byte* buffer = slot)
            {
                length = LibC.Read(_fd, buffer, (nuint)slot.Length);
            }

            if (length <= 0)
            {
                burst.DropLast();
                break;
            }

            burst.TrySetLength(burst.Count - 1, (int)length);
            received++;
        }

        FramesReceived += received;
        return received;
    }

    /// <summary>Writes every frame of <paramref name="burst"/> to the device; returns how many the kernel took.</summary>
    public int SendBurst(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var sent = 0;
        for (var i = 0; i < burst.Count; i++)
        {
            var frame = burst.Frame(i);
            nint written;
            // SAFETY: frame is a span into the burst's pinned array, valid for the call.
            fixed (byte* buffer = frame)
            {
                written = LibC.Write(_fd, buffer, (nuint)frame.Length);
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
