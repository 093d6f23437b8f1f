using System.Runtime.CompilerServices;
using Sdn.Common.Capture;
using Sdn.Common.Packets;
using Sdn.Common.Polling;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Conntrack;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The fast path. A datapath has no intelligence of its own: it parses each frame of a burst into a flow key,
/// finds the key's compiled flow in its cache (asking the <see cref="IUpcallHandler"/> on a miss), runs the
/// flow's primitive actions on the frame, and sends the copies it outputs a burst per port. A frame it received
/// itself and outputs last goes to an <see cref="IFrameListPort"/> from where it arrived, without a copy.
/// </summary>
/// <remarks>
/// Per packet nothing allocates and nothing is called through an interface on a cache hit: the compiled
/// actions are a switch over a flat array, and ports are called once per burst. Not thread-safe, and not
/// re-entrant: a port must not feed frames back into the same datapath from inside its Transmit.
/// </remarks>
public sealed class EdgeDatapath
{
    /// <summary>Port numbers run from 0 to one less than this.</summary>
    public const int MaxPorts = PortNumbers.EdgeLimit;

    /// <summary>How many frame snapshots group buckets can nest (see <see cref="DatapathActionKind.SaveFrame"/>).</summary>
    public const int MaxSavedFrames = 8;

    /// <summary>How many times one packet may recirculate (see <see cref="DatapathActionKind.Recirculate"/>) before it is dropped.</summary>
    public const int MaxRecirculations = 4;

    /// <summary>The register a recirculated key carries its table to go on in, plus one; zero in a key parsed from a port.</summary>
    public const int RecirculationRegister = 7;

    /// <summary>Marks, in the per-burst flow array, a frame that did not parse.</summary>
    private static readonly CompiledFlow MalformedFrame = new([], []);

    private readonly IUpcallHandler _slowPath;
    private readonly TimeProvider _time;

    /// <summary><see cref="NeighbourCache.ReachableFor"/> in timestamp ticks.</summary>
    private readonly long _neighbourReachable;
    private readonly IEdgePort?[] _ports = new IEdgePort?[MaxPorts];

    // The numbers of the attached ports, in order: what a round walks, rather than every number a port may have.
    private uint[] _attached = [];
    private readonly EdgePortCounters?[] _portCounters = new EdgePortCounters?[MaxPorts];
    private readonly CaptureTap?[] _captureTaps = new CaptureTap?[MaxPorts];
    private readonly PacketBurst?[] _pendingTx = new PacketBurst?[MaxPorts];
    private readonly bool[] _takesOffloads = new bool[MaxPorts];
    private readonly int[] _portsWithPendingTx = new int[MaxPorts];
    private readonly bool[] _hasPendingTx = new bool[MaxPorts];

    // For each port that sends frames where they lie: the frames of the received burst queued for it, and how many.
    private readonly IFrameListPort?[] _frameListPorts = new IFrameListPort?[MaxPorts];
    private readonly byte[]?[] _listedTx = new byte[]?[MaxPorts];
    private readonly int[] _listedCounts = new int[MaxPorts];

    // Whether the burst being processed is the one Poll received into, whose frames may be sent where they lie.
    private bool _processingOwnBurst;
    private readonly byte[][] _savedFrames = new byte[MaxSavedFrames][];
    private PacketBurst _rx = new();
    private readonly int[] _savedLengths = new int[MaxSavedFrames];
    private readonly HeaderOffsets[] _savedOffsets = new HeaderOffsets[MaxSavedFrames];
    private readonly EdgePortCounters _unattached = new();
    private readonly FlowKey[] _keys = new FlowKey[PacketBurst.Capacity];
    private readonly HeaderOffsets[] _offsets = new HeaderOffsets[PacketBurst.Capacity];
    private readonly ulong[] _hashes = new ulong[PacketBurst.Capacity];

    // The exact-match entry each packet's hash picked, or -1: what the flow prefetch reads.
    private readonly int[] _exactEntries = new int[PacketBurst.Capacity];
    private readonly CompiledFlow?[] _flows = new CompiledFlow?[PacketBurst.Capacity];
    private readonly ConnectionLookup[] _ctLookups = new ConnectionLookup[PacketBurst.Capacity];
    private int _pendingTxCount;

    public EdgeDatapath(IUpcallHandler slowPath, TimeProvider time, int conntrackCapacity = ConnectionTracker.DefaultCapacity)
    {
        _slowPath = slowPath;
        _time = time;
        _neighbourReachable = (long)(NeighbourCache.ReachableFor.TotalSeconds * time.TimestampFrequency);
        Conntrack = new ConnectionTracker(conntrackCapacity, time);
        Punts = new PuntMailbox(time, packetsPerSecond: 1000, burst: 100);
        AllocateSavedFrames(PacketBurst.MaxFrameLength);
    }

    public FlowCache Cache { get; } = new();

    /// <summary>What every port rings when frames arrive, so a thread that polls this datapath can park on it when idle.</summary>
    public Doorbell Doorbell { get; } = new();

    public DatapathCounters Counters { get; } = new();

    /// <summary>The connections the flows' ct actions track.</summary>
    public ConnectionTracker Conntrack { get; }

    /// <summary>The MACs of the hosts beyond external ports, learned from their ARP.</summary>
    public NeighbourCache Neighbours { get; } = new();

    /// <summary>Packets on their way to the controller.</summary>
    public PuntMailbox Punts { get; }

    public void AddPort(IEdgePort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (port.Number >= MaxPorts || _ports[port.Number] is not null)
        {
            throw new ArgumentException($"port number {port.Number} is taken or not below {MaxPorts}; give each port its own number", nameof(port));
        }

        var takesOffloads = port.TakesOffloads;
        if (takesOffloads && _rx.FrameLimit < PacketBurst.MaxSuperFrameLength)
        {
            // The first port that hands over super-frames: from now on any burst may hold them.
            _rx = new PacketBurst(superFrames: true);
            AllocateSavedFrames(PacketBurst.MaxSuperFrameLength);
        }

        _ports[port.Number] = port;
        _portCounters[port.Number] = new EdgePortCounters();
        _captureTaps[port.Number] = new CaptureTap();
        _takesOffloads[port.Number] = takesOffloads;
        _frameListPorts[port.Number] = port as IFrameListPort;
        _attached = [.. _attached.Append(port.Number).Order()];
        port.WakeOnArrival(Doorbell);
    }

    public bool RemovePort(uint number)
    {
        if (number >= MaxPorts || _ports[number] is null)
        {
            return false;
        }

        _ports[number]!.WakeOnArrival(null);
        _ports[number] = null;
        _portCounters[number] = null;
        _captureTaps[number] = null;
        _pendingTx[number] = null;
        _frameListPorts[number] = null;
        _listedTx[number] = null;
        _attached = Array.FindAll(_attached, attached => attached != number);
        return true;
    }

    public EdgePortCounters? PortCounters(uint number) => number < MaxPorts ? _portCounters[number] : null;

    /// <summary>Where captures of port <paramref name="number"/> attach: frames it receives, before the pipeline, and frames it is sent.</summary>
    public CaptureTap? CaptureTap(uint number) => number < MaxPorts ? _captureTaps[number] : null;

    /// <summary>When a port next needs a poll although nothing arrived (see <see cref="IEdgePort.NextTimerDue"/>).</summary>
    public long NextTimerDue()
    {
        var due = long.MaxValue;
        foreach (var number in _attached)
        {
            due = Math.Min(due, _ports[number]?.NextTimerDue ?? long.MaxValue);
        }

        return due;
    }

    /// <summary>
    /// Receives one burst from every port and processes it; returns how many frames were received. Ports whose
    /// descriptors the doorbell's survey found quiet skip their reads (<see cref="Sdn.Common.Polling.Doorbell.Survey"/>).
    /// </summary>
    public int Poll()
    {
        Doorbell.Survey();
        var received = 0;
        foreach (var number in _attached)
        {
            if (_ports[number] is not { } port)
            {
                continue;
            }

            _rx.Clear();
            if (port.Receive(_rx) > 0)
            {
                received += _rx.Count;
                _processingOwnBurst = true;
                try
                {
                    Process(number, _rx);
                }
                finally
                {
                    _processingOwnBurst = false;
                    ForgetListed();
                }
            }
        }

        return received;
    }

    /// <summary>Runs every frame of <paramref name="burst"/>, received on port <paramref name="inPort"/>, through the switch.</summary>
    /// <remarks>
    /// Passes over the burst, as Open vSwitch's userspace datapath does: parse and hash every frame (prefetching
    /// its cache set's tags), prefetch the entry each set's tags point at, look every key up (reading the connection
    /// tuple of each packet whose flow starts with a ct lookup, and prefetching its tracker bucket), prefetch the
    /// connections the buckets lead to, then run every flow. Each pass issues many independent memory loads, so their
    /// cache misses overlap instead of being paid one packet at a time.
    /// </remarks>
    // Left to tiered compilation on purpose: AggressiveOptimization would skip dynamic PGO, and the profile-guided
    // tier (inlining, block layout) ran the hit path about 15% faster than the code jitted once up front.
    public void Process(uint inPort, PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var now = _time.GetTimestamp();
        var inCounters = (inPort < MaxPorts ? _portCounters[inPort] : null) ?? _unattached;
        if (Conntrack.Count > 0)
        {
            Conntrack.Sweep(now);
        }

        if (inPort < MaxPorts)
        {
            _captureTaps[inPort]?.OfferBurst(burst, CaptureDirection.Inbound);
        }

        var count = burst.Count;
        var keys = _keys;
        var hashes = _hashes;
        var flows = _flows;
        var receivedBytes = 0L;
        for (var i = 0; i < count; i++)
        {
            var frame = burst.Frame(i);
            receivedBytes += frame.Length;
            if (FlowKeyExtractor.Extract(frame, inPort, out keys[i], out _offsets[i]).IsOk)
            {
                hashes[i] = keys[i].Hash64();
                Cache.Prefetch(hashes[i]);
                flows[i] = null;
            }
            else
            {
                inCounters.Malformed();
                Counters.Malformed++;
                flows[i] = MalformedFrame;
            }
        }

        inCounters.Received(count, receivedBytes);
        var entries = _exactEntries;
        for (var i = 0; i < count; i++)
        {
            entries[i] = flows[i] is null ? Cache.PrefetchEntry(hashes[i]) : -1;
        }

        // Then the flows the entries hold: behind a stateful rule each connection has a flow of its own.
        for (var i = 0; i < count; i++)
        {
            Cache.PrefetchFlow(entries[i]);
        }

        var lookAhead = false;
        for (var i = 0; i < count; i++)
        {
            if (flows[i] is null)
            {
                var flow = flows[i] = Cache.Lookup(keys[i], hashes[i]) ?? Upcall(keys[i], hashes[i]);
                flow.Prefetch();
                if (flow.LooksUpFirst)
                {
                    ConnectionLookup.Read((ushort)flow.Steps[0].Value, burst.Frame(i), _offsets[i], out _ctLookups[i]);
                    Conntrack.PrefetchBucket(_ctLookups[i].Hash);
                    lookAhead = true;
                }
            }
        }

        if (lookAhead)
        {
            PrefetchConnections(count);
        }

        // Entry counters are bumped once per run of consecutive packets with the same flow (the connections to one
        // host often share it), not once per packet: every packet of a burst has the same timestamp.
        var run = MalformedFrame;
        var runPackets = 0;
        var runBytes = 0L;
        for (var i = 0; i < count; i++)
        {
            var flow = flows[i]!;
            if (ReferenceEquals(flow, MalformedFrame))
            {
                continue;
            }

            if (!ReferenceEquals(flow, run))
            {
                CountRun(run, runPackets, runBytes, now);
                (run, runPackets, runBytes) = (flow, 0, 0L);
            }

            runPackets++;
            runBytes += burst.Length(i);
            Execute(flow, burst, i, ref _offsets[i], inPort, now, recirculations: 0);
        }

        CountRun(run, runPackets, runBytes, now);
        Flush();
    }

    private void PrefetchConnections(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (_flows[i]!.LooksUpFirst)
            {
                Conntrack.PrefetchConnection(_ctLookups[i].Hash);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CountRun(CompiledFlow flow, int packets, long bytes, long now)
    {
        var entryCounters = flow.Counters;
        for (var c = 0; c < entryCounters.Length; c++)
        {
            entryCounters[c].Count(packets, bytes, now);
        }
    }

    /// <summary>The compiled flow for <paramref name="key"/>: from the cache, or from the slow path (and then cached).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CompiledFlow Classify(in FlowKey key)
    {
        var hash = key.Hash64();
        return Cache.Lookup(key, hash) ?? Upcall(key, hash);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private CompiledFlow Upcall(in FlowKey key, ulong hash)
    {
        var flow = _slowPath.Upcall(key, out var mask);
        Cache.Insert(key, hash, mask, flow);
        return flow;
    }

    private void Execute(CompiledFlow flow, PacketBurst burst, int index, ref HeaderOffsets offsets, uint inPort, long now, int recirculations)
    {
        var actions = flow.Steps;
        var end = flow.ActionCount;
        var delivered = false;
        var saved = 0;
        for (var a = 0; a < end; a++)
        {
            var action = actions[a];
            switch (action.Kind)
            {
                case DatapathActionKind.Output:
                    // The frame's last action: nothing reads it after, so a frame of the received burst may go where it lies.
                    delivered |= a == end - 1 && _processingOwnBurst ? SendWhereItLies(action.Port, burst, index) : Send(action.Port, burst, index);
                    break;
                case DatapathActionKind.Punt:
                    delivered |= Punts.TryPunt(inPort, (byte)action.Value, burst.Frame(index));
                    break;
                case DatapathActionKind.SetField:
                    FrameActions.SetField(burst.Frame(index), offsets, action.Field, action.Value);
                    break;
                case DatapathActionKind.PushMpls:
                case DatapathActionKind.PushVlan:
                    var pushed = action.Kind == DatapathActionKind.PushMpls
                        ? FrameActions.TryPushMpls(burst, index, ref offsets, (ushort)action.Value, action.MplsLabelWritten.GetValueOrDefault())
                        : FrameActions.TryPushVlan(burst, index, ref offsets, (ushort)action.Value);
                    if (!pushed)
                    {
                        Counters.PushFailed++;
                        return;
                    }

                    break;
                case DatapathActionKind.PopMpls:
                    FrameActions.PopMpls(burst, index, ref offsets, (ushort)action.Value);
                    break;
                case DatapathActionKind.PopVlan:
                    FrameActions.PopVlan(burst, index, ref offsets);
                    break;
                case DatapathActionKind.DecIpTtl:
                case DatapathActionKind.DecMplsTtl:
                    var frame = burst.Frame(index);
                    var alive = action.Kind == DatapathActionKind.DecIpTtl
                        ? FrameActions.TryDecrementIpTtl(frame, offsets)
                        : FrameActions.TryDecrementMplsTtl(frame, offsets);
                    if (!alive)
                    {
                        Counters.TtlExpired++;
                        return;
                    }

                    break;
                case DatapathActionKind.SetEthAddresses:
                    FrameActions.SetEthAddresses(burst.Frame(index), action.Value, action.Port);
                    break;
                case DatapathActionKind.RouteHop:
                    if (!FrameActions.TryRouteHop(burst.Frame(index), offsets, action.Value, action.Port))
                    {
                        Counters.TtlExpired++;
                        return;
                    }

                    break;
                case DatapathActionKind.ArpReply:
                    FrameActions.WriteArpReply(burst.Frame(index), offsets, action.Value);
                    break;
                case DatapathActionKind.NdReply:
                    if (!FrameActions.TryWriteNeighborAdvertisement(burst, index, ref offsets, action.Value & ~DatapathAction.NdRouterFlag, (action.Value & DatapathAction.NdRouterFlag) != 0))
                    {
                        Counters.NdUnanswered++;
                        return;
                    }

                    break;
                case DatapathActionKind.DhcpReply:
                    if (!FrameActions.TryWriteDhcpReply(burst, index, ref offsets, flow.DhcpOffers[action.Port]))
                    {
                        Counters.DhcpUnanswered++;
                        return;
                    }

                    break;
                case DatapathActionKind.DropSpoofed:
                    CountSpoofed(inPort);
                    return;
                case DatapathActionKind.SaveFrame:
                    Save(saved++, burst.Frame(index), offsets);
                    break;
                case DatapathActionKind.RestoreFrame:
                    Restore(--saved, burst, index, ref offsets);
                    break;
                case DatapathActionKind.CtLookup:
                    // A flow's first action in a packet's first pass sees the frame as parsed: its tuple was read ahead.
                    var state = a == 0 && recirculations == 0
                        ? Conntrack.Track(_ctLookups[index], now)
                        : Conntrack.Track((ushort)action.Value, burst.Frame(index), offsets, now);
                    var branch = CtOutcomes.IndexOf(state);
                    var bounds = flow.Program.BranchBounds;
                    CountBranch(flow, branch, burst.Length(index), now);
                    (a, end) = (bounds[4 * branch] - 1, bounds[(4 * branch) + 1]);
                    break;
                case DatapathActionKind.CtCommit:
                    if (!Commit(action, now))
                    {
                        return;
                    }

                    break;
                case DatapathActionKind.CtNat:
                    if (!Conntrack.Translate(burst.Frame(index), offsets, burst.Offload(index).NeedsChecksum, action.CtTranslation))
                    {
                        Counters.NatUntranslatable++;
                        return;
                    }

                    break;
                case DatapathActionKind.Recirculate:
                    Recirculate(action, burst, index, ref offsets, inPort, now, recirculations);
                    return;
                case DatapathActionKind.Loopback:
                    Loopback(action.Port, burst, index, ref offsets, now, recirculations);
                    return;
                case DatapathActionKind.LearnNeighbour:
                    if (!LearnNeighbour(burst.Frame(index), offsets, inPort, now))
                    {
                        Counters.NdInvalid++;
                        return;
                    }

                    break;
                case DatapathActionKind.ResolveNeighbour:
                    if (!ResolveNeighbour(action, burst, index, ref offsets, now))
                    {
                        return;
                    }

                    break;
                default:
                    break;
            }
        }

        if (!delivered)
        {
            Counters.NoOutput++;
        }
    }

    /// <summary>Commits the looked-up connection as the action says; false, counted by cause, when it was refused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Commit(in DatapathAction action, long now)
    {
        var result = action.CtTranslation is { } nat ? Conntrack.Commit(now, nat)
            : Conntrack.Commit(now) ? CtCommitResult.Committed : CtCommitResult.TableFull;
        switch (result)
        {
            case CtCommitResult.Committed:
                return true;
            case CtCommitResult.TableFull:
                Counters.CtTableFull++;
                break;
            case CtCommitResult.NatPortsExhausted:
                Counters.NatPortsExhausted++;
                break;
            default:
                Counters.NatUntranslatable++;
                break;
        }

        return false;
    }

    /// <summary>Runs the frame, parsed again, through the flow of its new key (see <see cref="DatapathActionKind.Recirculate"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Recirculate(in DatapathAction action, PacketBurst burst, int index, ref HeaderOffsets offsets, uint inPort, long now, int recirculations)
    {
        if (!TryParseAgain(burst, index, inPort, recirculations, out var key, out offsets))
        {
            return;
        }

        MarkRecirculated(ref key, action, Conntrack.ConnectionZone);
        RunAgain(key, burst, index, ref offsets, inPort, now, recirculations);
    }

    /// <summary>Runs the frame, parsed afresh, as arriving on <paramref name="port"/> (see <see cref="DatapathActionKind.Loopback"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Loopback(uint port, PacketBurst burst, int index, ref HeaderOffsets offsets, long now, int recirculations)
    {
        if (TryParseAgain(burst, index, port, recirculations, out var key, out offsets))
        {
            RunAgain(key, burst, index, ref offsets, port, now, recirculations);
        }
    }

    /// <summary>
    /// Gives a re-parsed key what <paramref name="recirculate"/> carries into its next pass: the metadata, the ct_state
    /// of the lookup, the connection's zone in reg0, and the table to go on from.
    /// </summary>
    internal static void MarkRecirculated(ref FlowKey key, in DatapathAction recirculate, ushort connectionZone)
    {
        key.Metadata = recirculate.Value;
        key.CtState = (byte)(recirculate.Port >> 8);
        key.SetRegister(0, connectionZone);
        key.SetRegister(RecirculationRegister, (recirculate.Port & 0xFF) + 1);
    }

    /// <summary>The frame's key as arriving on <paramref name="port"/>, for one more pass; false (and counted) past the pass limit or when it no longer parses.</summary>
    private bool TryParseAgain(PacketBurst burst, int index, uint port, int recirculations, out FlowKey key, out HeaderOffsets offsets)
    {
        if (recirculations == MaxRecirculations)
        {
            Counters.RecirculationLimit++;
            (key, offsets) = (default, default);
            return false;
        }

        if (!FlowKeyExtractor.Extract(burst.Frame(index), port, out key, out offsets).IsOk)
        {
            Counters.Malformed++;
            return false;
        }

        return true;
    }

    private void RunAgain(in FlowKey key, PacketBurst burst, int index, ref HeaderOffsets offsets, uint port, long now, int recirculations)
    {
        var flow = Classify(key);
        CountRun(flow, 1, burst.Length(index), now);
        Execute(flow, burst, index, ref offsets, port, now, recirculations + 1);
    }

    /// <summary>
    /// Writes the next hop's MAC, or turns the frame into an ARP request for it (see
    /// <see cref="DatapathActionKind.ResolveNeighbour"/>); false when the packet is to be dropped instead, the edge
    /// having asked for that next hop less than a second ago (as Linux retransmits an ARP request once a second).
    /// </summary>
    private bool ResolveNeighbour(in DatapathAction action, PacketBurst burst, int index, ref HeaderOffsets offsets, long now)
    {
        if (action.ResolvesIpv6)
        {
            return ResolveIpv6Neighbour(action, burst, index, ref offsets, now);
        }

        var frame = burst.Frame(index);
        var nextHop = (uint)action.Value;
        if (nextHop == 0 && !FrameActions.TryReadIpv4Destination(frame, offsets, out nextHop))
        {
            return true;
        }

        if (Neighbours.TryResolve(action.Port, nextHop, now, _neighbourReachable, out var mac))
        {
            EthernetHeader.WriteMac(frame, mac);
            return true;
        }

        Counters.NeighbourUnresolved++;
        return Neighbours.TryAsk(action.Port, nextHop, now, _time.TimestampFrequency)
            && FrameActions.TryWriteArpRequest(burst, index, ref offsets, (uint)(action.Value >> 32), nextHop);
    }

    /// <summary>As <see cref="ResolveNeighbour"/> for IPv6: the next hop unknown is asked for with a neighbour solicitation.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool ResolveIpv6Neighbour(in DatapathAction action, PacketBurst burst, int index, ref HeaderOffsets offsets, long now)
    {
        var frame = burst.Frame(index);
        var (nextHop, sender) = action.Ipv6NeighbourAddresses;
        if (nextHop == UInt128.Zero && !NeighbourFrames.TryReadIpv6Destination(frame, offsets, out nextHop))
        {
            return true;
        }

        if (Neighbours.TryResolve(action.Port, nextHop, now, _neighbourReachable, out var mac))
        {
            EthernetHeader.WriteMac(frame, mac);
            return true;
        }

        Counters.NeighbourUnresolved++;
        return Neighbours.TryAsk(action.Port, nextHop, now, _time.TimestampFrequency)
            && NeighbourFrames.TryWriteSolicitation(burst, index, ref offsets, sender, nextHop);
    }

    /// <summary>
    /// Learns the sender of an ARP packet, or the link-layer address a valid neighbour solicitation (its source's) or
    /// advertisement (its target's) carries; false for a solicitation or advertisement RFC 4861 says to discard.
    /// </summary>
    private bool LearnNeighbour(ReadOnlySpan<byte> frame, in HeaderOffsets offsets, uint inPort, long now)
    {
        if (FrameActions.TryReadArpSender(frame, offsets, out var senderIp, out var senderMac))
        {
            Neighbours.Learn(inPort, senderIp, senderMac, now);
            return true;
        }

        var read = NeighbourFrames.TryRead(frame, offsets, out var message);
        if (read == NeighbourReadResult.Valid && message.LinkLayerAddress != 0)
        {
            Neighbours.Learn(inPort, message.Type == NeighborMessage.Solicitation ? message.Source : message.Target, message.LinkLayerAddress, now);
        }

        return read != NeighbourReadResult.Invalid;
    }

    private static void CountBranch(CompiledFlow flow, int branch, int length, long now)
    {
        var (counters, bounds) = (flow.Program.BranchCounters, flow.Program.BranchBounds);
        for (var c = bounds[(4 * branch) + 2]; c < bounds[(4 * branch) + 3]; c++)
        {
            counters[c].Count(1, length, now);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CountSpoofed(uint inPort)
    {
        ((inPort < MaxPorts ? _portCounters[inPort] : null) ?? _unattached).Spoofed();
        Counters.PortSecurity++;
    }

    private void AllocateSavedFrames(int length)
    {
        for (var i = 0; i < MaxSavedFrames; i++)
        {
            _savedFrames[i] = new byte[length];
        }
    }

    private void Save(int depth, Span<byte> frame, in HeaderOffsets offsets)
    {
        frame.CopyTo(_savedFrames[depth]);
        _savedLengths[depth] = frame.Length;
        _savedOffsets[depth] = offsets;
    }

    /// <summary>Puts back the snapshot; headers are only pushed and popped at the front, so only the front moves.</summary>
    private void Restore(int depth, PacketBurst burst, int index, ref HeaderOffsets offsets)
    {
        var grownBy = burst.Length(index) - _savedLengths[depth];
        if (grownBy > 0)
        {
            burst.TryPullFront(index, grownBy);
        }
        else if (grownBy < 0)
        {
            burst.TryPushFront(index, -grownBy, out _);
        }

        _savedFrames[depth].AsSpan(0, _savedLengths[depth]).CopyTo(burst.Frame(index));
        offsets = _savedOffsets[depth];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Send(uint port, PacketBurst burst, int index)
    {
        var pending = port < MaxPorts ? _pendingTx[port] : null;
        if (pending is null && (pending = FirstBurstOf(port)) is null)
        {
            Counters.UnknownPort++;
            return false;
        }

        if (_listedCounts[port] > 0)
        {
            // Frames queued where they lie go first, so that the port sends them in the order the burst output them.
            FlushListed((int)port);
        }

        if (!_hasPendingTx[port])
        {
            MarkPendingTx((int)port);
        }
        else if (pending.IsFull)
        {
            // Still listed from its first frame, so the end-of-burst flush will find it again.
            FlushPort((int)port, pending);
        }

        ref readonly var offload = ref burst.Offload(index);
        if (offload.NeedsChecksum && !_takesOffloads[port])
        {
            return SendFinished((int)port, pending, burst.Frame(index), offload);
        }

        if (!pending.TryAppend(burst.Frame(index), offload))
        {
            Counters.Unsendable++;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Queues frame <paramref name="index"/> of the received burst for <paramref name="port"/> without copying it, when
    /// the port sends listed frames, has no copied frame queued before it, and takes what is left to do to it; else
    /// copies it as <see cref="Send"/> does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool SendWhereItLies(uint port, PacketBurst burst, int index)
    {
        if (port >= MaxPorts || _frameListPorts[port] is null || _pendingTx[port] is { Count: > 0 }
            || (burst.Offload(index).NeedsChecksum && !_takesOffloads[port]))
        {
            return Send(port, burst, index);
        }

        var listed = _listedTx[port] ??= new byte[PacketBurst.Capacity];
        if (!_hasPendingTx[port])
        {
            MarkPendingTx((int)port);
        }

        listed[_listedCounts[port]++] = (byte)index;
        return true;
    }

    /// <summary>
    /// Drops the frames still queued where they lie, which only a burst whose processing threw leaves: the next
    /// receive reuses their slots.
    /// </summary>
    private void ForgetListed()
    {
        for (var i = 0; i < _pendingTxCount; i++)
        {
            _listedCounts[_portsWithPendingTx[i]] = 0;
        }
    }

    private void MarkPendingTx(int port)
    {
        _hasPendingTx[port] = true;
        _portsWithPendingTx[_pendingTxCount++] = port;
    }

    /// <summary>
    /// The output burst of a port the switch sends to for the first time, made now rather than when the port was
    /// added: most of a thousand idle VMs' ports never get a frame, and each burst holds 64 frames; null for a port
    /// the switch does not have.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private PacketBurst? FirstBurstOf(uint port) =>
        port < MaxPorts && _ports[port] is not null ? _pendingTx[port] = new PacketBurst(superFrames: _takesOffloads[port]) : null;

    /// <summary>Queues the frame for a port that cannot take its offload: checksummed, or cut into segments, here.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool SendFinished(int port, PacketBurst pending, ReadOnlySpan<byte> frame, FrameOffload offload)
    {
        var sink = new PortFlush(this, port);
        if (FrameSegmenter.TryAppendAllFinished(frame, offload, pending, ref sink))
        {
            return true;
        }

        Counters.Unsendable++;
        return false;
    }

    private void Flush()
    {
        for (var i = 0; i < _pendingTxCount; i++)
        {
            var port = _portsWithPendingTx[i];
            _hasPendingTx[port] = false;
            if (_listedCounts[port] > 0)
            {
                FlushListed(port);
            }

            if (_pendingTx[port] is { Count: > 0 } pending)
            {
                FlushPort(port, pending);
            }
        }

        _pendingTxCount = 0;
    }

    private void FlushPort(int number, PacketBurst pending)
    {
        _captureTaps[number]!.OfferBurst(pending, CaptureDirection.Outbound);
        CountTransmitted(number, pending, pending.NumbersFrom(0), _ports[number]!.Transmit(pending));
        pending.Clear();
    }

    /// <summary>Sends the frames of the received burst queued for port <paramref name="number"/> where they lie.</summary>
    private void FlushListed(int number)
    {
        var frames = _listedTx[number].AsSpan(0, _listedCounts[number]);
        _listedCounts[number] = 0;
        _captureTaps[number]!.OfferFrames(_rx, frames, CaptureDirection.Outbound);
        CountTransmitted(number, _rx, frames, _frameListPorts[number]!.Transmit(_rx, frames));
    }

    /// <summary>Counts on port <paramref name="number"/> the first <paramref name="accepted"/> of <paramref name="frames"/> as sent, and the rest as dropped.</summary>
    private void CountTransmitted(int number, PacketBurst burst, ReadOnlySpan<byte> frames, int accepted)
    {
        var bytes = 0L;
        foreach (var frame in frames[..accepted])
        {
            bytes += burst.Length(frame);
        }

        var counters = _portCounters[number]!;
        counters.Transmitted(accepted, bytes);
        counters.TransmitDropped(frames.Length - accepted);
    }

    /// <summary>Sends a port's pending burst when the pieces of a frame fill it.</summary>
    private readonly struct PortFlush(EdgeDatapath datapath, int port) : IFinishedPieceSink
    {
        public void MakeRoom(PacketBurst full) => datapath.FlushPort(port, full);

        public void Appended(int first, int count)
        {
        }
    }
}
