using Sdn.Common.Interop;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Tap;

/// <summary>
/// A non-blocking file descriptor through which the kernel hands over whole Ethernet frames, one per read and one per
/// write: a TAP device, or a packet socket bound to an interface. With virtio-net headers each frame comes and goes
/// behind a <see cref="VirtioNetHeader"/>, whose offload travels beside it in the burst (<see cref="FrameOffload"/>).
/// Closes the descriptor when disposed.
/// </summary>
public sealed unsafe class FrameDescriptor : IDisposable
{
    private int _fd;

    /// <param name="fd">An open, non-blocking descriptor, which this object now owns.</param>
    /// <param name="virtioNetHeaders">Whether each frame is read and written behind a virtio-net header.</param>
    public FrameDescriptor(int fd, bool virtioNetHeaders)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        _fd = fd;
        HasOffloads = virtioNetHeaders;
    }

    /// <summary>For poll(): readable when a frame waits.</summary>
    public int FileDescriptor => _fd;

    /// <summary>Whether frames carry a virtio-net header, so partial checksums and TCP super-frames cross it.</summary>
    public bool HasOffloads { get; }

    /// <summary>Frames read with a virtio-net header that asked for work we do not do, or did not fit the frame; dropped.</summary>
    public long MalformedReceived { get; private set; }

    public long FramesReceived { get; private set; }

    public long FramesSent { get; private set; }

    /// <summary>Frames the kernel refused (for example while the device is down).</summary>
    public long SendErrors { get; private set; }

    /// <summary>Reads every frame waiting into <paramref name="burst"/>, until it is full; returns how many.</summary>
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

    /// <summary>Writes every frame of <paramref name="burst"/>; returns how many the kernel took.</summary>
    /// <remarks>With offloads each frame's virtio-net header is written into the headroom just before it.</remarks>
    public int SendBurst(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        return SendBurst(burst, burst.NumbersFrom(0));
    }

    /// <summary>Writes the frames of <paramref name="burst"/> that <paramref name="frames"/> numbers, in that order; returns how many the kernel took.</summary>
    public int SendBurst(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var sent = 0;
        foreach (var i in frames)
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

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.Close(_fd);
            _fd = -1;
        }
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
}
