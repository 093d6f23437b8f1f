using System.Diagnostics;
using System.Runtime.CompilerServices;
using Sdn.Common.Packets;
using Sdn.Common.Polling;
using Sdn.Fabric.Core.Links.Liveness;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// One endpoint of a point-to-point link. Every frame on a link is an MPLS packet: a label stack, then the
/// payload (the tenant's Ethernet frame after the bottom-of-stack service label), exactly the UDP payload of
/// RFC 7510. Liveness hellos share the link as G-ACh packets under the GAL (label 13, RFC 5586) and are
/// diverted to the attached <see cref="LivenessSession"/> instead of being delivered as data.
/// </summary>
/// <remarks>
/// This base class owns what every kind shares, so kinds cannot drift apart: counters, the forced-down switch,
/// impairment, and the hello diversion. A kind only moves bytes. One thread sends (data and hellos) and one
/// thread receives; they may be the same.
/// </remarks>
public abstract class LinkEnd : IDisposable
{
    private readonly LinkCounters _counters = new();
    private volatile bool _forcedDown;
    private LinkImpairer? _impairer;
    private LivenessSession? _liveness;
    private PacketBurst? _finished;
    private readonly byte[] _finishedFrom = new byte[PacketBurst.Capacity];

    protected LinkEnd(string name)
    {
        Name = name;
        Capture = new LinkCapture(name);
    }

    public string Name { get; }

    /// <summary>Where captures of this endpoint attach; it sees data frames both ways, not hellos.</summary>
    public LinkCapture Capture { get; }

    public LinkStatistics Statistics => _counters.Snapshot();

    /// <summary>
    /// A link forced down drops everything it would send or receive, hellos included, like a cut cable:
    /// the peer's liveness session notices within its detection time.
    /// </summary>
    public bool IsForcedDown
    {
        get => _forcedDown;
        set => _forcedDown = value;
    }

    /// <summary>
    /// Whether this kind of link can carry TCP super-frames and other frames with their <see cref="FrameOffload"/>
    /// still to do, so that senders may hand it such frames; a frame whose offload cannot reach the peer as it is
    /// (<see cref="OffloadReachesPeer"/>) is finished in software here.
    /// </summary>
    public virtual bool CarriesOffloads => false;

    /// <summary>Whether inbound frames are impaired, which holds them as plain bytes.</summary>
    internal bool IsImpaired => Volatile.Read(ref _impairer) is not null;

    /// <summary>Whether <paramref name="frame"/>'s offload, a checksum left to finish at least, reaches the peer as it is sent now.</summary>
    protected virtual bool OffloadReachesPeer(ReadOnlySpan<byte> frame, in FrameOffload offload) => CarriesOffloads;

    /// <summary>
    /// Wakes <paramref name="doorbell"/>'s owner whenever frames arrive here, so the receiving thread may park on it;
    /// null stops it. A kind that does neither leaves the receiver to its park timeout.
    /// </summary>
    public virtual void WakeOnArrival(Doorbell? doorbell)
    {
    }

    /// <summary>Applies seeded impairment to inbound frames from now on; null removes it.</summary>
    public void Impair(LinkImpairment? impairment) =>
        Volatile.Write(ref _impairer, impairment is null ? null : new LinkImpairer(impairment));

    /// <summary>
    /// Sends the frames of <paramref name="burst"/>, which stays the caller's. Returns how many were sent;
    /// the rest are counted as dropped.
    /// </summary>
    public int Send(PacketBurst burst) => Send(burst, burst.NumbersFrom(0));

    /// <summary>
    /// Sends the frames of <paramref name="burst"/> numbered in <paramref name="frames"/>, in that order, so a
    /// switch can send a burst it rewrote in place to several links without copying it apart first. Frames with
    /// an offload the peer cannot take are finished here first (checksummed, or cut into segments); such a frame
    /// counts as sent when all of its segments were.
    /// </summary>
    public int Send(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        if (frames.IsEmpty)
        {
            return 0;
        }

        if (_forcedDown)
        {
            _counters.TxDropped += frames.Length;
            return 0;
        }

        Capture.OfferOutbound(burst, frames);
        if (AnyOffloadStranded(burst, frames))
        {
            return SendFinished(burst, frames);
        }

        var sent = Transmit(burst, frames, out var bytes);
        _counters.TxFrames += sent;
        _counters.TxBytes += bytes;
        _counters.TxDropped += frames.Length - sent;
        return sent;
    }

    /// <summary>Sends one liveness hello. False when the link is forced down or cannot take it now.</summary>
    public bool SendHello(ReadOnlySpan<byte> hello)
    {
        if (_forcedDown || !TransmitOne(hello))
        {
            return false;
        }

        _counters.HellosSent++;
        return true;
    }

    /// <summary>
    /// Appends the data frames that arrived to <paramref name="burst"/>, while it has room, and returns
    /// how many were appended. Hellos that arrived meanwhile go to the liveness session.
    /// </summary>
    public int Receive(PacketBurst burst) => Receive(burst, Stopwatch.GetTimestamp());

    /// <summary>
    /// <see cref="Receive(PacketBurst)"/> at time <paramref name="now"/> (Stopwatch ticks), the clock the
    /// liveness session and the delay line see: a node passes the time it already read for its round.
    /// </summary>
    public int Receive(PacketBurst burst, long now)
    {
        var before = burst.Count;
        var impairer = Volatile.Read(ref _impairer);
        if (impairer is not null)
        {
            _counters.RxDropped += impairer.Release(burst, now);
        }

        ReceiveFrames(burst, now);

        var bytes = 0L;
        for (var i = before; i < burst.Count; i++)
        {
            bytes += burst.Length(i);
        }

        var received = burst.Count - before;
        _counters.RxFrames += received;
        _counters.RxBytes += bytes;
        return received;
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    internal void Attach(LivenessSession session)
    {
        if (Interlocked.CompareExchange(ref _liveness, session, null) is not null)
        {
            throw new LinkException($"link {Name} already has a liveness session; create one session per link");
        }
    }

    /// <summary>Sends the numbered frames of the burst; returns how many were sent and their total bytes.</summary>
    protected abstract int Transmit(PacketBurst burst, ReadOnlySpan<byte> frames, out long bytes);

    /// <summary>Sends one frame; false when it could not be sent now.</summary>
    protected abstract bool TransmitOne(ReadOnlySpan<byte> frame);

    /// <summary>
    /// Takes frames that arrived, as many as <paramref name="burst"/> may still need, and hands each one to
    /// <see cref="Deliver"/>, or puts it straight into the burst and asks <see cref="KeepReceived"/> whether it stays.
    /// Must stop taking frames once the burst is full.
    /// </summary>
    protected abstract void ReceiveFrames(PacketBurst burst, long now);

    protected virtual void Dispose(bool disposing)
    {
    }

    protected void CountMalformed() => _counters.RxMalformed++;

    private bool AnyOffloadStranded(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        for (var i = 0; i < frames.Length; i++)
        {
            ref readonly var offload = ref burst.Offload(frames[i]);
            if (offload.NeedsChecksum && !OffloadReachesPeer(burst.Frame(frames[i]), offload))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sends the frames with their offloads done in software, a burst of finished frames at a time; returns how many went whole.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int SendFinished(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        _finished ??= new PacketBurst();
        _finished.Clear();
        var sink = new FinishedFrames(this);
        for (var i = 0; i < frames.Length; i++)
        {
            sink.From = i;
            if (!FrameSegmenter.TryAppendAllFinished(burst.Frame(frames[i]), burst.Offload(frames[i]), _finished, ref sink))
            {
                // Offload positions that do not fit the frame, or a piece too long for any frame: counted, dropped.
                _counters.TxDropped++;
                sink.Failed |= 1UL << i;
            }
        }

        var failed = sink.Failed | TransmitFinished();
        return frames.Length - System.Numerics.BitOperations.PopCount(failed);
    }

    /// <summary>Transmits the finished frames and empties the burst; returns the bit of every input frame one of whose pieces was not taken.</summary>
    private ulong TransmitFinished()
    {
        var finished = _finished!;
        if (finished.Count == 0)
        {
            return 0;
        }

        var sent = Transmit(finished, finished.NumbersFrom(0), out var bytes);
        var failed = 0UL;
        for (var j = sent; j < finished.Count; j++)
        {
            failed |= 1UL << _finishedFrom[j];
        }

        _counters.TxFrames += sent;
        _counters.TxBytes += bytes;
        _counters.TxDropped += finished.Count - sent;
        finished.Clear();
        return failed;
    }

    protected void CountForeign() => _counters.RxForeign++;

    /// <summary>
    /// Routes one arrived frame and what is left to do to it: dropped while forced down, to liveness if a hello, else
    /// copied into the burst (or the impairment's delay line).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void Deliver(ReadOnlySpan<byte> frame, in FrameOffload offload, PacketBurst burst, long now)
    {
        var impairer = _impairer;
        if (!IsData(frame, impairer, now))
        {
            return;
        }

        var dropped = impairer is null ? (burst.TryAppend(frame, offload) ? 0 : 1) : impairer.Admit(frame, burst, now);
        _counters.RxDropped += dropped;
    }


    /// <summary>
    /// Routes a frame a kind received straight into slot <paramref name="index"/> of <paramref name="burst"/>, on an
    /// end that is not impaired: true when it stays there as data; false when it was dropped or was a hello, and the
    /// caller removes it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected bool KeepReceived(PacketBurst burst, int index, long now) => IsData(burst.Frame(index), null, now);

    /// <summary>Whether an arrived frame is data to hand on: not dropped (forced down, or lost to impairment) nor a hello, which goes to liveness.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsData(ReadOnlySpan<byte> frame, LinkImpairer? impairer, long now)
    {
        if (_forcedDown || (impairer is not null && impairer.Loses()))
        {
            _counters.RxDropped++;
            return false;
        }

        if (LivenessHello.IsHello(frame))
        {
            _counters.HellosReceived++;
            _liveness?.OnHello(frame, now);
            return false;
        }

        Capture.OfferInbound(frame);
        return true;
    }

    /// <summary>
    /// Transmits the finished burst when the pieces of a frame fill it, and notes which input frame each piece came
    /// from, so that a piece not taken fails its frame.
    /// </summary>
    private struct FinishedFrames(LinkEnd link) : IFinishedPieceSink
    {
        /// <summary>The input frame whose pieces are appended now.</summary>
        public int From;

        /// <summary>The bit of every input frame that failed so far.</summary>
        public ulong Failed;

        public void MakeRoom(PacketBurst full) => Failed |= link.TransmitFinished();

        public readonly void Appended(int first, int count) => link._finishedFrom.AsSpan(first, count).Fill((byte)From);
    }
}
