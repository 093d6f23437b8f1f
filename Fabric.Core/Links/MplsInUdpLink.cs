using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sdn.Common.Packets;
using Sdn.Common.Polling;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// A link endpoint that carries each frame as the payload of one UDP datagram to port 6635 (MPLS-in-UDP,
/// RFC 7510). The source port is chosen per flow from <see cref="MplsFlowEntropy"/> within 49152–65535, so an
/// underlay that hashes UDP ports spreads flows without reordering any. Bursts go out with one sendmmsg per
/// source port and come in with one recvmmsg, so a burst costs a few system calls rather than one per frame;
/// runs of equal-length frames of one source port also share one trip through the kernel's stack (UDP GSO).
/// A TCP super-frame crosses whole, as one datagram that the underlay fragments and reassembles, and arrives
/// with its offload (<see cref="MplsInUdpOffload"/>); every other frame with a checksum left to finish is
/// finished on its way out.
/// </summary>
public sealed unsafe class MplsInUdpLink : LinkEnd
{
    public const int UdpPort = 6635;
    public const int FirstSourcePort = 49152;
    public const int SourcePortRange = 65536 - FirstSourcePort;

    // The largest UDP payload one offloaded send may carry.
    private const int MaxOffloadBytes = 65_000;

    // Every receive slot takes a whole super-frame: a datagram's size is known only once it is read.
    private const int ReceiveSlotSize = PacketBurst.MaxSuperFrameLength;

    private readonly Socket _receiver;
    private readonly Socket[] _senders;
    private readonly int[] _senderHandles;
    private readonly int _receiverHandle;
    private readonly WatchedDescriptor _arrivals;
    private readonly uint _entropySeed;
    private readonly UdpInterop.SocketAddressInet _peer;

    private readonly int _maxSegmentSize;
    private readonly MessageBatch _transmitBatch = new();
    private readonly byte[] _senderOfPosition = new byte[PacketBurst.Capacity];
    private readonly byte[] _frameOfVector = new byte[PacketBurst.Capacity];
    private readonly byte[] _framesOfMessage = new byte[PacketBurst.Capacity];
    private readonly int[] _bytesOfMessage = new int[PacketBurst.Capacity];
    private readonly int[] _framesPerSender;
    private readonly ushort[] _stampedFields = new ushort[PacketBurst.Capacity];

    private readonly MessageBatch _receiveBatch = new();
    // Only for bursts that cannot take a super-frame and for impaired ends; nodes receive straight into their bursts.
    private byte[]? _receiveSlots;

    public MplsInUdpLink(string name, MplsInUdpLinkOptions options)
        : this(name, options, boundReceiver: null)
    {
    }

    /// <param name="boundReceiver">
    /// A UDP socket already bound to the options' local address and port, which the link takes over as its receiver
    /// and disposes, even when it throws: whoever held the port hands it over without a moment in which another
    /// process could bind it. Null to bind a socket of its own.
    /// </param>
    public MplsInUdpLink(string name, MplsInUdpLinkOptions options, Socket? boundReceiver)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            CheckOptions(name, options);
        }
        catch (LinkException)
        {
            boundReceiver?.Dispose();
            throw;
        }

        _entropySeed = options.EntropySeed;
        _maxSegmentSize = options.MaxOffloadSegmentSize;
        _peer = ToSocketAddress(options.Remote);
        _receiver = boundReceiver is not null ? Adopt(name, boundReceiver, options)
            : options.SharesLocalPort ? BindShared(name, options)
            : Bind(name, options.Local, options.SocketBufferBytes);
        _receiverHandle = (int)_receiver.Handle;
        _arrivals = new WatchedDescriptor(_receiverHandle);
        LocalEndPoint = (IPEndPoint)_receiver.LocalEndPoint!;

        try
        {
            _senders = BindSenders(name, options);
        }
        catch (LinkException)
        {
            _receiver.Dispose();
            throw;
        }

        // The kernel only writes results into receive headers (lengths, flags, the source), so they are set once;
        // each receive points the vectors at the slots it fills.
        for (var i = 0; i < PacketBurst.Capacity; i++)
        {
            _receiveBatch.SetMessage(i, i, 1, default);
        }

        _senderHandles = Array.ConvertAll(_senders, s => (int)s.Handle);
        SourcePorts = Array.ConvertAll(_senders, s => ((IPEndPoint)s.LocalEndPoint!).Port);
        _framesPerSender = new int[_senders.Length + 1];
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The UDP source ports flows are spread over, all within 49152–65535.</summary>
    public IReadOnlyList<int> SourcePorts { get; }

    /// <summary>TCP super-frames cross whole; other frames with a checksum left to finish go finished.</summary>
    public override bool CarriesOffloads => true;

    /// <summary>The kernel fills the receiving socket, so the doorbell watches its descriptor.</summary>
    public override void WakeOnArrival(Doorbell? doorbell) => _arrivals.WakeOn(doorbell);

    protected override bool OffloadReachesPeer(ReadOnlySpan<byte> frame, in FrameOffload offload) => MplsInUdpOffload.CanCarry(frame, offload);

    protected override int Transmit(PacketBurst burst, ReadOnlySpan<byte> frames, out long bytes)
    {
        var stamped = StampOffloads(burst, frames);
        var sent = TransmitStamped(burst, frames, out bytes);
        if (stamped)
        {
            RestoreOffloads(burst, frames);
        }

        return sent;
    }

    /// <summary>Readies the frames with an offload for the wire (<see cref="MplsInUdpOffload.Stamp"/>); true when there was any.</summary>
    private bool StampOffloads(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        var any = false;
        for (var i = 0; i < frames.Length; i++)
        {
            ref readonly var offload = ref burst.Offload(frames[i]);
            if (offload.NeedsChecksum)
            {
                _stampedFields[i] = MplsInUdpOffload.Stamp(burst.Frame(frames[i]), offload);
                any = true;
            }
        }

        return any;
    }

    /// <summary>Leaves the burst as the caller gave it, which may send it on elsewhere.</summary>
    private void RestoreOffloads(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        for (var i = 0; i < frames.Length; i++)
        {
            ref readonly var offload = ref burst.Offload(frames[i]);
            if (offload.NeedsChecksum)
            {
                MplsInUdpOffload.Restore(burst.Frame(frames[i]), offload, _stampedFields[i]);
            }
        }
    }

    private int TransmitStamped(PacketBurst burst, ReadOnlySpan<byte> frames, out long bytes)
    {
        // Group the frames by sender socket (a counting sort), keeping each flow's frames in order;
        // vector v then carries frame _frameOfVector[v].
        var senders = _senderHandles.Length;
        var counts = _framesPerSender.AsSpan();
        counts.Clear();
        for (var i = 0; i < frames.Length; i++)
        {
            // A malformed frame hashes to 0: the link still carries it, and the receiver's LSR counts it.
            MplsFlowEntropy.TryHash(burst.Frame(frames[i]), _entropySeed, out var hash);
            var sender = (int)(((ulong)hash * (uint)senders) >> 32);
            _senderOfPosition[i] = (byte)sender;
            counts[sender + 1]++;
        }

        for (var s = 1; s <= senders; s++)
        {
            counts[s] += counts[s - 1];
        }

        for (var i = 0; i < frames.Length; i++)
        {
            var vector = counts[_senderOfPosition[i]]++;
            _frameOfVector[vector] = frames[i];
            var frame = burst.Frame(frames[i]);

            // SAFETY: PacketBurst allocates its slots pinned, so the frame's address stays valid for the
            // sendmmsg calls below, which finish before this method returns and the caller may reuse the burst.
            _transmitBatch.SetVector(vector, (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(frame)), frame.Length);
        }

        // After the scatter, counts[s] is where sender s's vectors end and counts[s - 1] where they start.
        var sent = 0;
        bytes = 0;
        for (var s = 0; s < senders; s++)
        {
            var start = s == 0 ? 0 : counts[s - 1];
            var messages = Coalesce(burst, start, counts[s], start);
            if (messages == 0)
            {
                continue;
            }

            // SAFETY: the batch's pinned headers from index start on describe that many valid messages.
            var accepted = UdpInterop.SendMultipleMessages(_senderHandles[s], _transmitBatch.Messages + start, (uint)messages, UdpInterop.MsgDontWait);
            for (var m = start; m < start + accepted; m++)
            {
                sent += _framesOfMessage[m];
                bytes += _bytesOfMessage[m];
            }
        }

        return sent;
    }

    protected override bool TransmitOne(ReadOnlySpan<byte> frame)
    {
        var peer = _peer;

        // SAFETY: fixed pins the frame for the duration of the call; peer is a local on this stack frame.
        fixed (byte* buffer = frame)
        {
            return UdpInterop.SendTo(
                _senderHandles[0], buffer, (nuint)frame.Length, UdpInterop.MsgDontWait, &peer, (uint)sizeof(UdpInterop.SocketAddressInet)) == frame.Length;
        }
    }

    protected override void ReceiveFrames(PacketBurst burst, long now)
    {
        var room = PacketBurst.Capacity - burst.Count;
        if (room == 0)
        {
            return;
        }

        if (burst.FrameLimit >= ReceiveSlotSize && !IsImpaired)
        {
            ReceiveInPlace(burst, room, now);
            return;
        }

        var slots = _receiveSlots ??= GC.AllocateArray<byte>(PacketBurst.Capacity * ReceiveSlotSize, pinned: true);
        for (var i = 0; i < room; i++)
        {
            // SAFETY: the receive slots are pinned; slot i spans ReceiveSlotSize bytes inside the array.
            _receiveBatch.SetVector(i, (byte*)Unsafe.AsPointer(ref slots[i * ReceiveSlotSize]), ReceiveSlotSize);
        }

        // SAFETY: every header of the batch points at a pinned slot; the kernel only writes results back.
        var received = UdpInterop.ReceiveMultipleMessages(_receiverHandle, _receiveBatch.Messages, (uint)room, UdpInterop.MsgDontWait, null);
        for (var i = 0; i < received; i++)
        {
            if (IsFromPeer(i))
            {
                var datagram = slots.AsSpan(i * ReceiveSlotSize, (int)_receiveBatch.Message(i).Length);
                if (TryReadOffload(datagram, out var offload))
                {
                    Deliver(datagram, offload, burst, now);
                }
            }
        }
    }

    /// <summary>
    /// Receives datagrams straight into new frames of <paramref name="burst"/>, whose slots take a super-frame, so a
    /// 64 KiB datagram is copied once, by the kernel; frames that turn out not to be data are removed again.
    /// </summary>
    private void ReceiveInPlace(PacketBurst burst, int room, long now)
    {
        var first = burst.Count;
        for (var i = 0; i < room; i++)
        {
            var slot = burst.Append(ReceiveSlotSize);

            // SAFETY: PacketBurst allocates its slots pinned, and this slot spans ReceiveSlotSize bytes; the
            // recvmmsg below returns before the burst can be touched by anyone else.
            _receiveBatch.SetVector(i, (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(slot)), slot.Length);
        }

        // SAFETY: as above; the kernel writes datagrams into the burst's slots and results into the batch's headers.
        var received = Math.Max(0, UdpInterop.ReceiveMultipleMessages(_receiverHandle, _receiveBatch.Messages, (uint)room, UdpInterop.MsgDontWait, null));
        for (var unfilled = received; unfilled < room; unfilled++)
        {
            burst.DropLast();
        }

        // Lengths first, so a frame removed below moves only the bytes of the frames after it.
        for (var i = 0; i < received; i++)
        {
            burst.TrySetLength(first + i, IsFromPeer(i) ? (int)_receiveBatch.Message(i).Length : 0);
        }

        var index = first;
        for (var i = 0; i < received; i++)
        {
            if (burst.Length(index) > 0 && IsWhole(burst, index) && KeepReceived(burst, index, now))
            {
                index++;
            }
            else
            {
                burst.RemoveAt(index);
            }
        }
    }

    /// <summary>Whether received message <paramref name="i"/> is a whole datagram from the peer; counts it when not.</summary>
    private bool IsFromPeer(int i)
    {
        ref var message = ref _receiveBatch.Message(i);
        if ((message.Header.Flags & UdpInterop.MsgTruncated) != 0 || message.Length == 0)
        {
            CountMalformed();
            return false;
        }

        if (_receiveBatch.Address(i).AddressNetworkOrder != _peer.AddressNetworkOrder)
        {
            CountForeign();
            return false;
        }

        return true;
    }

    /// <summary>Whether frame <paramref name="index"/> is a plain frame, or a super-frame whose offload is read back into the burst.</summary>
    private bool IsWhole(PacketBurst burst, int index)
    {
        if (!TryReadOffload(burst.Frame(index), out var offload))
        {
            return false;
        }

        burst.SetOffload(index, offload);
        return true;
    }

    /// <summary>
    /// The offload a datagram's frame carries: none for one no longer than a plain frame, else that of the TCP
    /// super-frame it must be. False, and counted as malformed, when it is longer and no super-frame.
    /// </summary>
    private bool TryReadOffload(Span<byte> datagram, out FrameOffload offload)
    {
        offload = FrameOffload.None;
        if (datagram.Length <= PacketBurst.MaxFrameLength || MplsInUdpOffload.TryRead(datagram, out offload))
        {
            return true;
        }

        CountMalformed();
        return false;
    }

    /// <summary>
    /// Builds messages from index <paramref name="firstMessage"/> on for vectors [start, end): runs of
    /// equal-length frames become one message that the kernel cuts into datagrams (UDP GSO), so the stack
    /// below the socket is crossed once per run rather than once per frame. Returns the number of messages.
    /// </summary>
    private int Coalesce(PacketBurst burst, int start, int end, int firstMessage)
    {
        var message = firstMessage;
        for (var vector = start; vector < end; message++)
        {
            var length = burst.Length(_frameOfVector[vector]);
            var run = 1;
            if (length <= _maxSegmentSize)
            {
                while (vector + run < end && burst.Length(_frameOfVector[vector + run]) == length && (run + 1) * length <= MaxOffloadBytes)
                {
                    run++;
                }
            }

            _transmitBatch.SetMessage(message, vector, run, _peer, run > 1 ? (ushort)length : (ushort)0);
            _framesOfMessage[message] = (byte)run;
            _bytesOfMessage[message] = run * length;
            vector += run;
        }

        return message - firstMessage;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A closed descriptor left in the doorbell's poll set would end every park at once.
            WakeOnArrival(null);
            _receiver.Dispose();
            foreach (var sender in _senders)
            {
                sender.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private static UdpInterop.SocketAddressInet ToSocketAddress(IPEndPoint endPoint)
    {
        Span<byte> address = stackalloc byte[4];
        endPoint.Address.TryWriteBytes(address, out _);
        return new UdpInterop.SocketAddressInet
        {
            Family = UdpInterop.AddressFamilyInet,
            PortNetworkOrder = BinaryPrimitives.ReverseEndianness((ushort)endPoint.Port),
            AddressNetworkOrder = MemoryMarshal.Read<uint>(address),
        };
    }

    private static void CheckOptions(string name, MplsInUdpLinkOptions options)
    {
        if (options.Local.AddressFamily != AddressFamily.InterNetwork || options.Remote.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new LinkException($"MPLS-in-UDP link {name}: only IPv4 endpoints are supported; got {options.Local} -> {options.Remote}");
        }

        if (options.SourcePortCount is < 1 or > PacketBurst.Capacity)
        {
            throw new LinkException($"MPLS-in-UDP link {name}: source port count must be 1–{PacketBurst.Capacity}; got {options.SourcePortCount}");
        }
    }

    private static Socket Adopt(string name, Socket bound, MplsInUdpLinkOptions options)
    {
        try
        {
            if (!options.Local.Equals(bound.LocalEndPoint))
            {
                throw new LinkException($"MPLS-in-UDP link {name}: the socket handed over is bound to {bound.LocalEndPoint?.ToString() ?? "nothing"}, not {options.Local}");
            }

            bound.ReceiveBufferSize = options.SocketBufferBytes;
            bound.SendBufferSize = options.SocketBufferBytes;
            return bound;
        }
        catch (Exception e) when (e is LinkException or SocketException)
        {
            bound.Dispose();
            throw e as LinkException ?? new LinkException($"MPLS-in-UDP link {name}: cannot size the socket handed over on {options.Local} ({((SocketException)e).SocketErrorCode})", e);
        }
    }

    private static Socket Bind(string name, IPEndPoint local, int bufferBytes)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = bufferBytes;
            socket.SendBufferSize = bufferBytes;
            socket.Bind(local);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new LinkException(
                $"MPLS-in-UDP link {name}: cannot bind {local} ({e.SocketErrorCode}); give each link endpoint its own local address or port", e);
        }
    }

    /// <summary>A receiver in the SO_REUSEPORT group of the local address and port, connected to the peer's address on any port.</summary>
    private static Socket BindShared(string name, MplsInUdpLinkOptions options)
    {
        const int SocketLevel = 1;
        const int ReusePort = 15;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = options.SocketBufferBytes;
            socket.SetRawSocketOption(SocketLevel, ReusePort, BitConverter.GetBytes(1));
            socket.Bind(options.Local);
            socket.Connect(new IPEndPoint(options.Remote.Address, 0));
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new LinkException($"MPLS-in-UDP link {name}: cannot share {options.Local} with the other ends toward {options.Remote.Address} ({e.SocketErrorCode})", e);
        }
    }

    /// <summary>Binds one socket per source port, spaced evenly over 49152–65535 and skipping ports in use.</summary>
    private static Socket[] BindSenders(string name, MplsInUdpLinkOptions options)
    {
        var senders = new Socket[options.SourcePortCount];
        var spacing = SourcePortRange / senders.Length;
        var start = (int)(options.EntropySeed % SourcePortRange);
        try
        {
            for (var i = 0; i < senders.Length; i++)
            {
                for (var attempt = 0; senders[i] is null; attempt++)
                {
                    var port = FirstSourcePort + ((start + (i * spacing) + attempt) % SourcePortRange);
                    try
                    {
                        senders[i] = Bind(name, new IPEndPoint(options.Local.Address, port), options.SocketBufferBytes);
                    }
                    catch (LinkException) when (attempt < spacing - 1)
                    {
                        // Port taken by someone else: try the next one in this sender's share of the range.
                    }
                }
            }

            return senders;
        }
        catch (LinkException)
        {
            foreach (var sender in senders)
            {
                sender?.Dispose();
            }

            throw;
        }
    }
}
