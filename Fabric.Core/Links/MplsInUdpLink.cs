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
/// A frame too long for one datagram of the path to the peer, a TCP super-frame above all, goes in chunks
/// (<see cref="SuperFrameChunk"/>) of one segmentation offload send rather than as a datagram the underlay's IP
/// would fragment, and arrives whole with its offload (<see cref="MplsInUdpOffload"/>); every other frame with a
/// checksum left to finish is finished on its way out. The receiver asks for UDP_GRO, so datagrams the kernel
/// carried or joined as one arrive in one message, which it cuts apart again.
/// </summary>
public sealed unsafe class MplsInUdpLink : LinkEnd
{
    public const int UdpPort = 6635;
    public const int FirstSourcePort = 49152;
    public const int SourcePortRange = 65536 - FirstSourcePort;

    // The largest UDP payload one offloaded send may carry.
    private const int MaxOffloadBytes = 65_000;

    // The kernel cuts at most this many datagrams from one segmentation offload send.
    private const int MaxSegmentsPerSend = 64;

    // The largest UDP payload of an IPv4 datagram, and the smallest datagram limit a path may impose on chunks.
    private const int MaxDatagramPayload = 65_507;
    private const int MinDatagramLimit = 1_200;
    private const int IpAndUdpHeaders = 28;

    // Every receive slot takes the longest message a UDP_GRO socket is given: a datagram's size is known only once it is read.
    private const int ReceiveSlotSize = 65_536;

    private readonly Socket _receiver;
    private readonly Socket[] _senders;
    private readonly int[] _senderHandles;
    private readonly int _receiverHandle;
    private readonly WatchedDescriptor _arrivals;
    private readonly uint _entropySeed;
    private readonly UdpInterop.SocketAddressInet _peer;

    private readonly int _maxSegmentSize;
    private readonly MessageBatch _transmitBatch;
    private readonly byte[] _senderOfPosition = new byte[PacketBurst.Capacity];
    private readonly byte[] _frameOfVector = new byte[PacketBurst.Capacity];
    private readonly byte[] _framesOfMessage = new byte[MessageBatch.MessageCapacity];
    private readonly int[] _bytesOfMessage = new int[MessageBatch.MessageCapacity];
    private readonly int[] _framesPerSender;
    private readonly ushort[] _stampedFields = new ushort[PacketBurst.Capacity];
    private readonly byte[] _chunkHeaders;

    private readonly MessageBatch _receiveBatch;
    private readonly ChunkLanding _landing;
    private readonly SuperFrameAssembler _assembler = new();
    private byte[]? _receiveSlots;

    // The first _aimed messages of the receive batch land in a burst's slots, from the slot at _aimedFirst on; the
    // others in their receive slots.
    private nint _aimedFirst;
    private int _aimed;

    // The messages of the last receive not yet handed on: the next one, and how far into it (a joined message holds several datagrams).
    private int _receivedMessages;
    private int _nextMessage;
    private int _nextOffset;

    // The first _landed messages of the last receive landed in the burst's free slots from _landingBase on; a bit of
    // _copiedOut is set once that message was copied out to its receive slot.
    private int _landingBase;
    private int _landed;
    private ulong _copiedOut;

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
        DatagramLimit = Math.Clamp(options.DatagramLimit ?? PathDatagramLimit(options), MinDatagramLimit, MaxDatagramPayload);

        _landing = new ChunkLanding(DatagramLimit);
        _receiveBatch = MessageBatch.ForReceiving(_landing.VectorsPerMessage);

        // Room for a burst of the longest frames in chunks: a vector per frame, then a header and a piece per chunk.
        var chunksPerFrame = SuperFrameChunk.Count(PacketBurst.MaxSuperFrameLength, DatagramLimit);
        _transmitBatch = MessageBatch.ForSending(PacketBurst.Capacity * (1 + (2 * chunksPerFrame)));
        _chunkHeaders = GC.AllocateArray<byte>(PacketBurst.Capacity * chunksPerFrame * SuperFrameChunk.HeaderSize, pinned: true);
        _peer = ToSocketAddress(options.Remote);
        _receiver = boundReceiver is not null ? Adopt(name, boundReceiver, options)
            : options.SharesLocalPort ? BindShared(name, options)
            : Bind(name, options.Local, options.SocketBufferBytes);
        _receiverHandle = (int)_receiver.Handle;
        AskForJoinedDatagrams(_receiver);
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

        _senderHandles = Array.ConvertAll(_senders, s => (int)s.Handle);
        SourcePorts = Array.ConvertAll(_senders, s => ((IPEndPoint)s.LocalEndPoint!).Port);
        _framesPerSender = new int[_senders.Length + 1];
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The longest frame sent as one datagram; a longer one goes in chunks of this size (<see cref="SuperFrameChunk"/>).</summary>
    public int DatagramLimit { get; }

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
        var firstMessage = 0;
        var chunkVector = PacketBurst.Capacity;
        for (var s = 0; s < senders; s++)
        {
            var start = s == 0 ? 0 : counts[s - 1];
            var end = Coalesce(burst, start, counts[s], firstMessage, ref chunkVector);
            var messages = end - firstMessage;
            var from = firstMessage;
            firstMessage = end;
            if (messages == 0)
            {
                continue;
            }

            // SAFETY: the batch's pinned headers from index from on describe that many valid messages.
            var accepted = UdpInterop.SendMultipleMessages(_senderHandles[s], _transmitBatch.Messages + from, (uint)messages, UdpInterop.MsgDontWait);
            for (var m = from; m < from + accepted; m++)
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

    /// <summary>
    /// Hands on the datagrams of the last receive, then of one new receive, until the burst is full: what is left
    /// waits for the next call, so the frames of a joined message are never lost for want of room.
    /// </summary>
    protected override void ReceiveFrames(PacketBurst burst, long now)
    {
        var receivedNow = false;
        while (!burst.IsFull)
        {
            if (_nextMessage == _receivedMessages)
            {
                if (receivedNow || !ReceiveMessages(burst))
                {
                    return;
                }

                receivedNow = true;
            }

            HandOnNextDatagram(burst, now);
        }
    }

    /// <summary>
    /// Receives up to a burst of messages: into <paramref name="burst"/>'s free slots, where the chunks of a frame
    /// join themselves (<see cref="ChunkLanding"/>), as many as it has and may take them; the rest into the receive
    /// slots. False when none was waiting, or its node's survey found none.
    /// </summary>
    /// <remarks>Called once the last receive's messages are all handed on; only the headers it filled need readying again.</remarks>
    private bool ReceiveMessages(PacketBurst burst)
    {
        if (_arrivals.TakeFoundQuiet())
        {
            return false;
        }

        if (_receiveSlots is null)
        {
            _receiveSlots = GC.AllocateArray<byte>(PacketBurst.Capacity * ReceiveSlotSize, pinned: true);
            for (var i = 0; i < PacketBurst.Capacity; i++)
            {
                AimAtReceiveSlot(i);
            }
        }

        var landing = burst.FrameLimit == PacketBurst.MaxSuperFrameLength && !IsImpaired ? PacketBurst.Capacity - burst.Count : 0;
        var firstSlot = landing > 0 ? SlotAddress(burst.UnclaimedSlot(burst.Count)) : 0;
        if (firstSlot == _aimedFirst && landing == _aimed)
        {
            for (var i = 0; i < _receivedMessages; i++)
            {
                _receiveBatch.RearmReceive(i);
            }
        }
        else
        {
            var readied = Math.Max(Math.Max(landing, _aimed), _receivedMessages);
            for (var i = 0; i < readied; i++)
            {
                ReadyReceive(i, i < landing ? burst.UnclaimedSlot(burst.Count + i) : [], filled: i < _receivedMessages);
            }

            _aimedFirst = firstSlot;
            _aimed = landing;
        }

        // SAFETY: every header of the batch points at pinned slots (the receive slots, or the burst's and the landing's
        // aside headers) and a pinned control buffer; the kernel only writes datagrams and results into them.
        _receivedMessages = Math.Max(0, UdpInterop.ReceiveMultipleMessages(_receiverHandle, _receiveBatch.Messages, PacketBurst.Capacity, UdpInterop.MsgDontWait, null));
        _nextMessage = 0;
        _nextOffset = 0;
        _landingBase = burst.Count;
        _landed = Math.Min(_receivedMessages, landing);
        _copiedOut = 0;
        return _receivedMessages > 0;
    }

    /// <summary>
    /// Aims message <paramref name="i"/> at <paramref name="burstSlot"/>, or at its receive slot when empty, unless the
    /// last aims (still in <see cref="_aimedFirst"/> and <see cref="_aimed"/>) have it there already; then rearms it
    /// when it was <paramref name="filled"/>.
    /// </summary>
    private void ReadyReceive(int i, Span<byte> burstSlot, bool filled)
    {
        // Every super-frame burst's slots are equally long, so message i was aimed i slots past the first.
        var aimedAt = i < _aimed ? _aimedFirst + (i * burstSlot.Length) : 0;
        if ((burstSlot.IsEmpty ? 0 : SlotAddress(burstSlot)) == aimedAt)
        {
            if (filled)
            {
                _receiveBatch.RearmReceive(i);
            }
        }
        else if (burstSlot.IsEmpty)
        {
            AimAtReceiveSlot(i);
        }
        else
        {
            _landing.Aim(_receiveBatch, i, burstSlot);
        }
    }

    // SAFETY: the receive slots are pinned; slot i spans ReceiveSlotSize bytes inside the array.
    private void AimAtReceiveSlot(int i) =>
        _receiveBatch.SetReceive(i, (byte*)Unsafe.AsPointer(ref _receiveSlots![i * ReceiveSlotSize]), ReceiveSlotSize);

    // SAFETY: the burst's slots are pinned, so a slot's address identifies it for as long as the burst lives.
    private static nint SlotAddress(Span<byte> slot) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(slot));

    /// <summary>Whether received message <paramref name="i"/> lies in the burst where it landed, not yet copied out.</summary>
    private bool LiesLanded(int i) => i < _landed && (_copiedOut & (1UL << i)) == 0;

    /// <summary>
    /// Adds received message <paramref name="i"/>, which landed in the burst, as one frame where it is: every chunk of a
    /// frame, or one datagram that is a whole frame. False, having added nothing, for any other shape, or while the link
    /// is impaired or a frame is half joined.
    /// </summary>
    private bool TryAddLanded(int i, PacketBurst burst, long now)
    {
        if (IsImpaired || _assembler.IsJoining)
        {
            return false;
        }

        var slot = burst.UnclaimedSlot(_landingBase + i);
        if (!_landing.TryFindFrame(slot, i, (int)_receiveBatch.Message(i).Length, _receiveBatch.ReceivedSegmentSize(i), out var start, out var frameLength))
        {
            return false;
        }

        // Where a message before it gave no frame (a hello, say), the frame moves down to the next free slot.
        var movesDown = burst.Count < _landingBase + i;
        var frame = burst.Append(frameLength, start);
        if (movesDown)
        {
            slot.Slice(start, frameLength).CopyTo(frame);
        }

        KeepOrDropAdded(burst, frame, now);
        return true;
    }

    /// <summary>Keeps <paramref name="frame"/>, the burst's last, as data with the offload it carries, or takes it out again: malformed, a hello, or dropped.</summary>
    private void KeepOrDropAdded(PacketBurst burst, Span<byte> frame, long now)
    {
        var added = burst.Count - 1;
        if (TryReadOffload(frame, out var offload) && KeepReceived(burst, added, now))
        {
            burst.SetOffload(added, offload);
        }
        else
        {
            burst.DropLast();
        }
    }

    /// <summary>Copies received message <paramref name="i"/> out of the burst slot it landed in to its receive slot, where it is cut apart as any other.</summary>
    private void CopyOutLanded(int i, PacketBurst burst)
    {
        var length = Math.Min((int)_receiveBatch.Message(i).Length, ReceiveSlotSize);
        _landing.CopyOut(burst.UnclaimedSlot(_landingBase + i), i, length, _receiveSlots.AsSpan(i * ReceiveSlotSize, ReceiveSlotSize));
        _copiedOut |= 1UL << i;
    }

    /// <summary>Takes the next datagram of the received messages: a frame, or a chunk of one, to hand on.</summary>
    private void HandOnNextDatagram(PacketBurst burst, long now)
    {
        var message = _nextMessage;
        if (_nextOffset == 0 && !IsFromPeer(message))
        {
            _nextMessage++;
            return;
        }

        if (LiesLanded(message))
        {
            if (TryAddLanded(message, burst, now))
            {
                _nextMessage++;
                return;
            }

            CopyOutLanded(message, burst);
        }

        // A frame of this message goes into the burst's next free slot: a later message that landed there moves out first.
        var landedThere = burst.Count - _landingBase;
        if (landedThere > message && LiesLanded(landedThere))
        {
            CopyOutLanded(landedThere, burst);
        }

        var length = (int)_receiveBatch.Message(message).Length;
        var segmentSize = _receiveBatch.ReceivedSegmentSize(message);
        var rest = _receiveSlots.AsSpan((message * ReceiveSlotSize) + _nextOffset, length - _nextOffset);
        if (segmentSize > 0 && !_assembler.IsJoining && TryJoinInBurst(rest, segmentSize, burst, now, out var taken))
        {
            Consume(taken, length);
            return;
        }

        var datagram = segmentSize > 0 ? rest[..Math.Min(segmentSize, rest.Length)] : rest;
        Consume(datagram.Length, length);

        if (SuperFrameChunk.TryRead(datagram, out var index, out var frameLength))
        {
            if (index == 0 && _assembler.IsJoining)
            {
                CountMalformed();
            }

            switch (_assembler.Add(index, frameLength, datagram[SuperFrameChunk.HeaderSize..]))
            {
                case SuperFrameAssembler.Outcome.Incomplete:
                    return;
                case SuperFrameAssembler.Outcome.Malformed:
                    CountMalformed();
                    return;
                default:
                    datagram = _assembler.Frame;
                    break;
            }
        }

        if (TryReadOffload(datagram, out var offload))
        {
            Deliver(datagram, offload, burst, now);
        }
    }

    /// <summary>Moves past <paramref name="bytes"/> of the message being handed on, which holds <paramref name="length"/>.</summary>
    private void Consume(int bytes, int length)
    {
        _nextOffset += bytes;
        if (_nextOffset >= length)
        {
            _nextMessage++;
            _nextOffset = 0;
        }
    }

    /// <summary>
    /// When <paramref name="rest"/>, the rest of a message of datagrams of <paramref name="segmentSize"/> bytes, starts
    /// with every chunk of one frame, joins them straight into a new frame of <paramref name="burst"/>, sparing the
    /// copy through the assembler: the common case, a frame's chunks sent in one segmentation offload send and handed
    /// over whole. False, having taken nothing, otherwise. <paramref name="taken"/> is the bytes of the chunks.
    /// </summary>
    private bool TryJoinInBurst(ReadOnlySpan<byte> rest, int segmentSize, PacketBurst burst, long now, out int taken)
    {
        taken = 0;
        var piece = segmentSize - SuperFrameChunk.HeaderSize;
        if (IsImpaired || piece <= 0 || !SuperFrameChunk.TryRead(rest, out var first, out var frameLength) || first != 0 || frameLength > burst.FrameLimit)
        {
            return false;
        }

        var chunks = SuperFrameChunk.Count(frameLength, segmentSize);
        var wire = frameLength + (chunks * SuperFrameChunk.HeaderSize);
        if (wire > rest.Length)
        {
            return false;
        }

        for (var chunk = 1; chunk < chunks; chunk++)
        {
            if (!SuperFrameChunk.TryRead(rest[(chunk * segmentSize)..], out var index, out var length) || index != chunk || length != frameLength)
            {
                return false;
            }
        }

        var frame = burst.Append(frameLength);
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var offset = chunk * piece;
            rest.Slice((chunk * segmentSize) + SuperFrameChunk.HeaderSize, Math.Min(piece, frameLength - offset)).CopyTo(frame[offset..]);
        }

        KeepOrDropAdded(burst, frame, now);

        taken = wire;
        return true;
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
    /// below the socket is crossed once per run rather than once per frame; a frame longer than
    /// <see cref="DatagramLimit"/> goes in chunks. Returns the index after the last message.
    /// </summary>
    private int Coalesce(PacketBurst burst, int start, int end, int firstMessage, ref int chunkVector)
    {
        var message = firstMessage;
        for (var vector = start; vector < end; vector++)
        {
            var length = burst.Length(_frameOfVector[vector]);
            if (length > DatagramLimit)
            {
                message = Chunk(burst.Frame(_frameOfVector[vector]), message, ref chunkVector);
                continue;
            }

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
            message++;
            vector += run - 1;
        }

        return message;
    }

    /// <summary>
    /// Builds the messages that carry <paramref name="frame"/> in chunks of <see cref="DatagramLimit"/> bytes, each a
    /// header and a piece of the frame, in as few segmentation offload sends as the kernel takes (one for any frame of
    /// up to about 65,000 bytes, two for the longest); the frame counts as sent with its last message. Returns the
    /// index after the last message.
    /// </summary>
    private int Chunk(ReadOnlySpan<byte> frame, int message, ref int chunkVector)
    {
        const int MaxMessagesPerFrame = 2;
        if (message + MaxMessagesPerFrame > MessageBatch.MessageCapacity)
        {
            return message;
        }

        var piece = DatagramLimit - SuperFrameChunk.HeaderSize;
        var chunks = SuperFrameChunk.Count(frame.Length, DatagramLimit);

        // SAFETY: PacketBurst allocates its slots pinned and the chunk headers are pinned, so both stay put for the
        // sendmmsg calls that use these vectors, which finish before Transmit returns.
        var frameStart = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(frame));
        for (var first = 0; first < chunks;)
        {
            var count = ChunksInOneSend(frame.Length, piece, first, chunks);
            var firstVector = chunkVector;
            for (var chunk = first; chunk < first + count; chunk++)
            {
                var headerOffset = (chunkVector - PacketBurst.Capacity) / 2 * SuperFrameChunk.HeaderSize;
                SuperFrameChunk.Write(_chunkHeaders.AsSpan(headerOffset, SuperFrameChunk.HeaderSize), chunk, frame.Length);
                _transmitBatch.SetVector(chunkVector++, (byte*)Unsafe.AsPointer(ref _chunkHeaders[headerOffset]), SuperFrameChunk.HeaderSize);
                var offset = chunk * piece;
                _transmitBatch.SetVector(chunkVector++, frameStart + offset, Math.Min(piece, frame.Length - offset));
            }

            var last = first + count == chunks;
            _transmitBatch.SetMessage(message, firstVector, 2 * count, _peer, count > 1 ? (ushort)DatagramLimit : (ushort)0);
            _framesOfMessage[message] = last ? (byte)1 : (byte)0;
            _bytesOfMessage[message] = last ? frame.Length : 0;
            message++;
            first += count;
        }

        return message;
    }

    /// <summary>How many chunks from <paramref name="first"/> on one send carries: as many as fit a UDP payload and the kernel's segment count.</summary>
    private static int ChunksInOneSend(int frameLength, int piece, int first, int chunks)
    {
        var count = 0;
        var bytes = 0;
        while (first + count < chunks && count < MaxSegmentsPerSend)
        {
            var size = SuperFrameChunk.HeaderSize + Math.Min(piece, frameLength - ((first + count) * piece));
            if (bytes + size > MaxDatagramPayload)
            {
                break;
            }

            bytes += size;
            count++;
        }

        return count;
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

    /// <summary>
    /// The largest UDP payload that crosses the path to the peer unfragmented, from the MTU of the route the kernel
    /// would take now (IP_MTU of a socket connected to the peer); a path the kernel cannot route yet is taken for
    /// Ethernet's 1500 bytes.
    /// </summary>
    private static int PathDatagramLimit(MplsInUdpLinkOptions options)
    {
        const int EthernetMtu = 1500;
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            probe.Bind(new IPEndPoint(options.Local.Address, 0));
            probe.Connect(options.Remote);
            Span<byte> mtu = stackalloc byte[sizeof(int)];
            probe.GetRawSocketOption(UdpInterop.SolIp, UdpInterop.IpMtu, mtu);
            return BinaryPrimitives.ReadInt32LittleEndian(mtu) - IpAndUdpHeaders;
        }
        catch (SocketException)
        {
            return EthernetMtu - IpAndUdpHeaders;
        }
    }

    /// <summary>
    /// Asks the kernel to hand over datagrams it carried or joined as one (UDP_GRO, Linux 5.0 on) as one message with
    /// their size; a kernel without it hands them over one by one, which the receive path takes as well.
    /// </summary>
    private static void AskForJoinedDatagrams(Socket receiver)
    {
        try
        {
            receiver.SetRawSocketOption(UdpInterop.SolUdp, UdpInterop.UdpGro, BitConverter.GetBytes(1));
        }
        catch (SocketException)
        {
            // An older kernel: every datagram comes as a message of its own.
        }
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
