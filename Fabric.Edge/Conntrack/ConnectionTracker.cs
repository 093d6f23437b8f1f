using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Nat;

namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>
/// An edge's connection tracker: which connections are open, by zone and 5-tuple, so that stateful rules can admit a
/// connection's replies and the ICMP errors about it, and refuse what opens nothing.
/// </summary>
/// <remarks>
/// <para>
/// <b>What.</b> A lookup (<see cref="Track"/>) reads the packet's tuple from the frame and tells its
/// <see cref="CtState"/>: new, established, related, invalid, and whether it goes the reply way. It also moves the
/// connection's state along (TCP's handshake, FIN and RST; whether a UDP or ICMP exchange has been answered) and its
/// expiry. Only a commit (<see cref="Commit"/>), after the pipeline has decided to admit a new connection, adds one.
/// </para>
/// <para>
/// <b>Table.</b> Fixed capacity, allocated once: an array of connections, and a chained hash index over both
/// directions of each (node 2c is connection c's original tuple, node 2c+1 its reply tuple). The chain links live in
/// the connections themselves, so a lookup touches the bucket and the connection it finds, and the slot's expiry,
/// which is kept in an array of its own (8 bytes a slot, which the sweep walks). An established packet that changes
/// no state only stores its expiry, from the lifetime its connection's state gave. A commit with no free slot first
/// reclaims an expired one near the sweep cursor; failing that the new connection is refused, and the caller drops
/// and counts the packet. Connections already in the table are never evicted for a new one, so established traffic
/// goes on when the table is full. The datapath reads a burst's tuples ahead of their lookups and prefetches their
/// buckets and connections (<see cref="PrefetchBucket"/>), so each tuple is read and hashed once.
/// </para>
/// <para>
/// <b>Expiry.</b> No timer and no allocation: a lookup that finds an expired connection frees it and sees none, and
/// <see cref="Sweep"/>, called once per burst, frees the expired ones among a few slots past a cursor.
/// </para>
/// <para>
/// <b>Related.</b> An ICMP (destination unreachable, source quench, redirect, time exceeded, parameter problem) or
/// ICMPv6 (1 to 4) error quotes the packet it is about; when that packet's tuple names a connection, the error is
/// related, and a reply when the quoted packet went the original way. Nothing else about the connection changes.
/// </para>
/// <para>
/// <b>Strict TCP.</b> Only a SYN opens a TCP connection; a segment of a connection the tracker never saw (one opened
/// before the rule became stateful, or after an edge restart) is invalid, as with Linux's nf_conntrack_tcp_loose=0.
/// A SYN on a connection that is closed or in TIME_WAIT opens it afresh. Sequence numbers are not checked. A later
/// IP fragment carries no ports and is invalid.
/// </para>
/// <para>
/// <b>NAT.</b> A commit may translate the connection, IPv4 or IPv6 (NAT66, never between the two), (<see cref="Commit(long, in NatTranslation)"/>): its reply tuple
/// is then the reverse of the original as translated, so a reply that comes back to the translated address finds the
/// connection by its reply node, as Linux's conntrack does. <see cref="Translate"/> rewrites the packet the last lookup
/// found, either way, from the tuple it carries to the one the other way's tuple says it must carry: SNAT and its
/// undoing on the way back, or DNAT and its undoing. A source translation holds a port (an ICMP echo's identifier)
/// of a pool per translated address and protocol, shared by every zone (a reply from outside tells no zone), so no
/// two connections ever share a reply tuple; the port goes back when the connection is freed. A pool is made the
/// first time a connection is translated to its address (at most <see cref="MaxNatPools"/>); after that nothing
/// allocates. The reply tuple may be in a zone of its own (<see cref="NatTranslation.ReplyZone"/>): the way back may
/// come from where the commit's zone cannot be told. An ICMP error about a translated packet quotes it as translated;
/// it is found by that, and rewritten for the packet's sender (the quote, and the error's destination).
/// </para>
/// Not thread-safe: the datapath's thread owns it. <see cref="Commit"/> commits what the last <see cref="Track"/> saw.
/// </remarks>
public sealed class ConnectionTracker
{
    public const int DefaultCapacity = 32768;

    /// <summary>How many slots <see cref="Sweep"/> looks at per call, and a full table's commit looks at to reclaim one.</summary>
    public const int SweepBudget = 16;

    /// <summary>How many NAT port pools (one per translated address and protocol) the tracker makes at most.</summary>
    public const int MaxNatPools = 3 * 256;

    private const int None = -1;
    private const long Free = long.MaxValue;
    private const byte TcpFin = 0x01;
    private const byte TcpSyn = 0x02;
    private const byte TcpRst = 0x04;
    private const byte TcpAck = 0x10;

    private readonly TrackedConnection[] _connections;

    // Each slot's expiry, apart from its connection: the sweep reads 8 bytes a slot instead of a connection's 160, so
    // walking the table does not push the connections the traffic uses out of the cache. A free slot holds Free.
    private readonly long[] _expiresAt;
    private readonly int[] _buckets;
    private readonly int[] _free;
    private readonly int _bucketMask;
    private readonly Ticks _timeouts;
    private readonly List<NatPortPool> _natPools = [];
    private readonly Dictionary<(UInt128 Address, bool IsIpv6, byte Protocol), int> _natPoolOf = [];
    private int _freeCount;
    private int _sweepCursor;

    // The index node of the connection the last Track found, or the last Commit added: what Translate rewrites from.
    private int _lastNode = None;

    // Whether the last Track's packet was committed since, so a later commit of the same packet may translate it.
    private bool _committedNow;
    private ushort _lastZone;

    // Whether the last Track found an ICMP error about its connection, and whether the packet it quotes went the original way.
    private bool _lastIsError;
    private bool _errorAboutOriginal;

    // What the last Track saw that Commit may add: a new connection's tuple and its first TCP state.
    private bool _pending;
    private ConnectionTuple _pendingTuple;
    private TcpConnectionState _pendingTcp;

    // A destination translation the last Track's new packet was rewritten by before any commit: the commit that adds it translates it so.
    private NatTranslation? _pendingNat;

    public ConnectionTracker(int capacity, TimeProvider time, ConntrackTimeouts? timeouts = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(time);
        Capacity = capacity;
        _connections = GC.AllocateArray<TrackedConnection>(capacity, pinned: true);
        _expiresAt = GC.AllocateArray<long>(capacity, pinned: true);
        Array.Fill(_expiresAt, Free);
        var buckets = (int)Math.Min(1u << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(2 * capacity)));
        _buckets = GC.AllocateArray<int>(buckets, pinned: true);
        _bucketMask = buckets - 1;
        Array.Fill(_buckets, None);
        _free = new int[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _free[i] = capacity - 1 - i;
        }

        _freeCount = capacity;
        _timeouts = new Ticks(timeouts ?? ConntrackTimeouts.Default, time.TimestampFrequency);
    }

    /// <summary>How many connections the table holds at most.</summary>
    public int Capacity { get; }

    /// <summary>How many slots are taken (expired connections not yet freed included).</summary>
    public int Count => Capacity - _freeCount;

    /// <summary>Connections committed since the tracker was made.</summary>
    public long Created { get; private set; }

    /// <summary>New connections refused because the table was full.</summary>
    public long Refused { get; private set; }

    /// <summary>Connections freed because their timeout passed.</summary>
    public long Expired { get; private set; }

    /// <summary>
    /// The zone of the original way of the connection the last <see cref="Track"/> found (the zone it was committed in,
    /// which a reply in a zone of its own does not tell), or the lookup's zone when it found none.
    /// </summary>
    public ushort ConnectionZone => _lastNode != None ? _connections[_lastNode >> 1].Original.Zone : _lastZone;

    /// <summary>Connections committed with a translation.</summary>
    public long Translated { get; private set; }

    /// <summary>Translated connections refused because their pool had no port left in the range asked for.</summary>
    public long NatPortsExhausted { get; private set; }

    /// <summary>How many connections hold a translation now (expired ones not yet freed included).</summary>
    public int TranslatedNow { get; private set; }

    /// <summary>
    /// Looks the packet up in <paramref name="zone"/>, moves its connection along, and says what it is; a new one is
    /// remembered for <see cref="Commit"/>. <paramref name="offsets"/> are the frame's, as its parse found them.
    /// </summary>
    public CtState Track(ushort zone, ReadOnlySpan<byte> frame, in HeaderOffsets offsets, long now)
    {
        ConnectionLookup.Read(zone, frame, offsets, out var lookup);
        return Classify(lookup, now, update: true);
    }

    /// <summary>As <see cref="Track(ushort, ReadOnlySpan{byte}, in HeaderOffsets, long)"/>, for a packet read ahead (see <see cref="PrefetchBucket"/>).</summary>
    internal CtState Track(in ConnectionLookup lookup, long now) => Classify(lookup, now, update: true);

    /// <summary>What <see cref="Track(ushort, ReadOnlySpan{byte}, in HeaderOffsets, long)"/> would say of the packet, changing nothing: for traces.</summary>
    public CtState Peek(ushort zone, ReadOnlySpan<byte> frame, in HeaderOffsets offsets, long now)
    {
        ConnectionLookup.Read(zone, frame, offsets, out var lookup);
        return Classify(lookup, now, update: false);
    }

    /// <summary>
    /// Starts loading the hash bucket of a packet read ahead of its lookup; <see cref="PrefetchConnection"/>, once the
    /// bucket is in, starts loading the connection it leads to. Called for a whole burst before its lookups, as the
    /// flow cache's prefetches are, so the burst's cache misses overlap instead of being paid packet by packet.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void PrefetchBucket(ulong hash)
    {
        if (Sse.IsSupported)
        {
            // SAFETY: a prefetch is only a hint and never faults; the bucket array is pinned, so the address stays its own.
            Sse.Prefetch0(Unsafe.AsPointer(ref _buckets[(int)hash & _bucketMask]));
        }
    }

    /// <summary>Starts loading the first connection in the bucket of <paramref name="hash"/>, and its expiry (see <see cref="PrefetchBucket"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void PrefetchConnection(ulong hash)
    {
        var node = _buckets[(int)hash & _bucketMask];
        if (node != None && Sse.IsSupported)
        {
            // SAFETY: as in PrefetchBucket; the connection and expiry arrays are pinned. A connection spans three or
            // four cache lines.
            var connection = (byte*)Unsafe.AsPointer(ref _connections[node >> 1]);
            Sse.Prefetch0(connection);
            Sse.Prefetch0(connection + 64);
            Sse.Prefetch0(connection + 128);
            Sse.Prefetch0(connection + Unsafe.SizeOf<TrackedConnection>() - 1);
            Sse.Prefetch0(Unsafe.AsPointer(ref _expiresAt[node >> 1]));
        }
    }

    /// <summary>
    /// Adds the connection the last <see cref="Track"/> found new, translated as a <see cref="Translate"/> before it
    /// rewrote the packet (if one did); true when it is in the table (or there was none to add), false when the table
    /// is full and it was refused.
    /// </summary>
    public bool Commit(long now) => (_pendingNat is { } nat ? Add(now, nat, translate: true) : Add(now, default, translate: false)) == CtCommitResult.Committed;

    /// <summary>
    /// As <see cref="Commit(long)"/>, translating the new connection as <paramref name="nat"/> says; a connection the same
    /// packet's earlier commit added untranslated is translated now. A connection already known keeps what it has.
    /// Follow with <see cref="Translate"/> to rewrite the packet.
    /// </summary>
    public CtCommitResult Commit(long now, in NatTranslation nat) => Add(now, nat, translate: true);

    /// <summary>
    /// Rewrites the packet the last <see cref="Track"/> found (or <see cref="Commit(long, in NatTranslation)"/> added) as
    /// its connection's translation says; false when the connection is translated and the frame cannot be rewritten.
    /// </summary>
    /// <param name="partialChecksum">The transport checksum is left for offload (see <see cref="Ipv4NatRewrite"/>).</param>
    /// <param name="uncommitted">
    /// A destination translation for a new connection not committed yet, as Open vSwitch's <c>ct(nat(dst=…))</c> without
    /// commit: the packet is rewritten to it now, and the commit that later adds the connection (after an ACL has
    /// decided on the translated packet) translates the connection so. Source translations need a port only a commit
    /// takes, so they wait for the commit.
    /// </param>
    public bool Translate(Span<byte> frame, in HeaderOffsets offsets, bool partialChecksum, NatTranslation? uncommitted = null)
    {
        if (_pending && _lastNode == None && uncommitted is { Side: NatSide.Destination } nat)
        {
            if (!IsTranslatable(_pendingTuple, nat))
            {
                return false;
            }

            _pendingNat = nat;
            return Apply(frame, offsets, nat.IsIpv6, NatSide.Destination, nat.Address, _pendingTuple.DestinationPort, partialChecksum);
        }

        return _lastIsError ? RewriteError(frame, offsets) : RewriteAs(_lastNode, frame, offsets, partialChecksum);
    }

    /// <summary>
    /// Rewrites <paramref name="frame"/> (a copy: for traces) as its connection in <paramref name="zone"/> would, changing
    /// nothing in the tracker, and says the zone that connection was committed in; false when it has none.
    /// </summary>
    public bool TryRewriteCopy(ushort zone, Span<byte> frame, in HeaderOffsets offsets, long now, out ushort connectionZone)
    {
        var kind = ConnectionPacket.Read(zone, frame, offsets, out var tuple, out _);
        var node = kind is ConnectionPacketKind.Invalid or ConnectionPacketKind.IcmpError ? None : Find(tuple, now, update: false);
        connectionZone = node == None ? zone : _connections[node >> 1].Original.Zone;
        return node != None && RewriteAs(node, frame, offsets, partialChecksum: false);
    }

    /// <summary>What the packet's connection in <paramref name="zone"/> rewrites it to, changing nothing; false when it has no translated connection. For traces.</summary>
    public bool TryPeekTranslation(ushort zone, ReadOnlySpan<byte> frame, in HeaderOffsets offsets, long now, out ConnectionTuple translated)
    {
        var kind = ConnectionPacket.Read(zone, frame, offsets, out var tuple, out _);
        translated = default;
        return kind is not (ConnectionPacketKind.Invalid or ConnectionPacketKind.IcmpError) && TryGetTranslation(tuple, now, out translated);
    }

    /// <summary>
    /// What the connection of <paramref name="tuple"/> (either way) rewrites its packets to, as a lookup would find it
    /// now; false when there is none or it is not translated. For traces.
    /// </summary>
    public bool TryGetTranslation(in ConnectionTuple tuple, long now, out ConnectionTuple translated)
    {
        var node = Find(tuple, now, update: false);
        if (node == None || !_connections[node >> 1].IsTranslated)
        {
            translated = default;
            return false;
        }

        ref var connection = ref _connections[node >> 1];
        translated = (node & 1) == 0 ? connection.Reply.Reversed : connection.Original.Reversed;
        return true;
    }

    /// <summary>Frees the expired connections among the next <see cref="SweepBudget"/> slots.</summary>
    public void Sweep(long now)
    {
        for (var i = 0; i < SweepBudget; i++)
        {
            SweepOne(now);
        }
    }

    /// <summary>The connection <paramref name="tuple"/> names, either way, as a lookup would find it now; for tests and traces.</summary>
    public bool TryGet(in ConnectionTuple tuple, long now, out TcpConnectionState tcp, out bool isReply)
    {
        var node = Find(tuple, now, update: false);
        tcp = node == None ? default : _connections[node >> 1].Tcp;
        isReply = (node & 1) != 0;
        return node != None;
    }

    private CtState Classify(in ConnectionLookup lookup, long now, bool update)
    {
        if (update)
        {
            (_pending, _lastNode, _committedNow, _lastZone, _lastIsError, _pendingNat) = (false, None, false, lookup.Zone, false, null);
        }

        var (kind, tcpFlags) = (lookup.Kind, lookup.TcpFlags);
        switch (kind)
        {
            case ConnectionPacketKind.Invalid:
                return CtState.Tracked | CtState.Invalid;
            case ConnectionPacketKind.IcmpError:
                return Related(lookup.Tuple, lookup.Hash, now, update);
        }

        var node = Find(lookup.Tuple, lookup.Hash, now, update);
        if (node != None && kind == ConnectionPacketKind.Tcp && (node & 1) == 0 && IsOpeningSyn(tcpFlags)
            && _connections[node >> 1].Tcp is TcpConnectionState.TimeWait or TcpConnectionState.Closed)
        {
            // The port is reused for a new connection: the old one is over.
            if (!update)
            {
                return CtState.Tracked | CtState.New;
            }

            Remove(node >> 1);
            node = None;
        }

        if (node == None)
        {
            return Unknown(kind, lookup.Tuple, tcpFlags, update);
        }

        ref var connection = ref _connections[node >> 1];
        var isReply = (node & 1) != 0;
        if (update)
        {
            _lastNode = node;
            if (kind == ConnectionPacketKind.Tcp || (isReply && !connection.ReplySeen))
            {
                ChangeState(ref connection, kind, tcpFlags, isReply);
            }

            _expiresAt[node >> 1] = now + connection.Lifetime;
        }

        return isReply ? CtState.Tracked | CtState.Established | CtState.Reply
            : connection.ReplySeen ? CtState.Tracked | CtState.Established
            : CtState.Tracked | CtState.New;
    }

    /// <summary>
    /// An ICMP error about the packet of <paramref name="quoted"/>: related to that packet's connection, and a reply when
    /// the packet went the original way. A translated packet carries neither of its connection's tuples but the reverse
    /// of the other way's, so the error is looked up by that too; <see cref="Translate"/> then rewrites it for the
    /// packet's sender.
    /// </summary>
    private CtState Related(in ConnectionTuple quoted, ulong hash, long now, bool update)
    {
        var node = Find(quoted, hash, now, update);
        var translated = node == None;
        node = translated ? Find(quoted.Reversed, now, update) : node;
        if (node == None)
        {
            return CtState.Tracked | CtState.Invalid;
        }

        var quotedWentOriginal = translated ? (node & 1) != 0 : (node & 1) == 0;
        if (update)
        {
            (_lastNode, _lastIsError, _errorAboutOriginal) = (node, true, quotedWentOriginal);
        }

        return quotedWentOriginal ? CtState.Tracked | CtState.Related | CtState.Reply : CtState.Tracked | CtState.Related;
    }

    /// <summary>A packet no connection knows: new when it may open one (then remembered for a commit), else invalid.</summary>
    private CtState Unknown(ConnectionPacketKind kind, in ConnectionTuple tuple, byte tcpFlags, bool update)
    {
        var opens = kind switch
        {
            ConnectionPacketKind.Tcp => IsOpeningSyn(tcpFlags),
            ConnectionPacketKind.IcmpEchoReply => false,
            _ => true,
        };
        if (!opens)
        {
            return CtState.Tracked | CtState.Invalid;
        }

        if (update)
        {
            _pending = true;
            _pendingTuple = tuple;
            _pendingTcp = TcpConnectionState.SynSent;
        }

        return CtState.Tracked | CtState.New;
    }

    /// <summary>Moves a connection's state along for a packet that may change it, and the lifetime that state gives.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ChangeState(ref TrackedConnection connection, ConnectionPacketKind kind, byte tcpFlags, bool isReply)
    {
        if (kind == ConnectionPacketKind.Tcp)
        {
            AdvanceTcp(ref connection, tcpFlags, isReply);
        }

        connection.ReplySeen |= isReply;
        connection.Lifetime = Timeout(connection);
    }

    private static bool IsOpeningSyn(byte flags) => (flags & (TcpSyn | TcpAck | TcpRst | TcpFin)) == TcpSyn;

    private static void AdvanceTcp(ref TrackedConnection connection, byte flags, bool isReply)
    {
        if ((flags & TcpRst) != 0)
        {
            connection.Tcp = TcpConnectionState.Closed;
            return;
        }

        if ((flags & TcpFin) != 0)
        {
            connection.FinSeen |= (byte)(isReply ? 2 : 1);
            connection.Tcp = connection.FinSeen == 3 ? TcpConnectionState.TimeWait : TcpConnectionState.FinWait;
            return;
        }

        connection.Tcp = connection.Tcp switch
        {
            TcpConnectionState.SynSent when isReply && (flags & (TcpSyn | TcpAck)) == (TcpSyn | TcpAck) => TcpConnectionState.SynReceived,
            TcpConnectionState.SynReceived when !isReply && (flags & TcpAck) != 0 => TcpConnectionState.Established,
            var unchanged => unchanged,
        };
    }

    private long Timeout(in TrackedConnection connection) => connection.Original.Protocol switch
    {
        IpProtocols.Tcp => connection.Tcp switch
        {
            TcpConnectionState.SynSent => _timeouts.TcpSynSent,
            TcpConnectionState.SynReceived => _timeouts.TcpSynReceived,
            TcpConnectionState.Established => _timeouts.TcpEstablished,
            TcpConnectionState.FinWait => _timeouts.TcpFinWait,
            TcpConnectionState.TimeWait => _timeouts.TcpTimeWait,
            _ => _timeouts.TcpClosed,
        },
        IpProtocols.Udp => connection.ReplySeen ? _timeouts.UdpReplied : _timeouts.UdpUnreplied,
        IpProtocols.Icmp or IpProtocols.Icmpv6 => _timeouts.Icmp,
        _ => _timeouts.Other,
    };

    /// <summary>The index node of <paramref name="tuple"/>, either direction; <see cref="None"/> when none, or when expired (then freed if <paramref name="update"/>).</summary>
    private int Find(in ConnectionTuple tuple, long now, bool update) => Find(tuple, tuple.Hash64(), now, update);

    /// <summary>As <see cref="Find(in ConnectionTuple, long, bool)"/>, with the tuple's hash already taken.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(in ConnectionTuple tuple, ulong hash, long now, bool update)
    {
        for (var node = _buckets[(int)hash & _bucketMask]; node != None;)
        {
            ref var connection = ref _connections[node >> 1];
            if (!((node & 1) == 0 ? connection.Original : connection.Reply).Matches(tuple, reversed: false))
            {
                node = (node & 1) == 0 ? connection.NextOfOriginal : connection.NextOfReply;
                continue;
            }

            if (_expiresAt[node >> 1] > now)
            {
                return node;
            }

            if (update)
            {
                Expired++;
                Remove(node >> 1);
            }

            return None;
        }

        return None;
    }

    private void Link(int node, ulong hash)
    {
        ref var bucket = ref _buckets[(int)hash & _bucketMask];
        Next(node) = bucket;
        bucket = node;
    }

    private void Unlink(int node)
    {
        ref var connection = ref _connections[node >> 1];
        var hash = (node & 1) == 0 ? connection.Original.Hash64() : connection.Reply.Hash64();
        ref var link = ref _buckets[(int)hash & _bucketMask];
        while (link != node)
        {
            link = ref Next(link);
        }

        link = Next(node);
    }

    private ref int Next(int node) => ref (node & 1) == 0 ? ref _connections[node >> 1].NextOfOriginal : ref _connections[node >> 1].NextOfReply;

    private void Remove(int slot)
    {
        Unlink(2 * slot);
        Unlink((2 * slot) + 1);
        ref var connection = ref _connections[slot];
        ReleaseTranslation(ref connection);
        _expiresAt[slot] = Free;
        _free[_freeCount++] = slot;
        if (_lastNode >> 1 == slot)
        {
            _lastNode = None;
        }
    }

    private void ReleaseTranslation(ref TrackedConnection connection)
    {
        if (connection.NatPool >= 0)
        {
            _natPools[connection.NatPool].Return(connection.NatPort);
            connection.NatPool = -1;
        }

        if (connection.IsTranslated)
        {
            connection.IsTranslated = false;
            TranslatedNow--;
        }
    }

    private CtCommitResult Add(long now, in NatTranslation nat, bool translate)
    {
        if (!_pending)
        {
            return translate && _committedNow && _lastNode != None && !_connections[_lastNode >> 1].IsTranslated
                ? TranslateCommitted(_lastNode >> 1, nat)
                : CtCommitResult.Committed;
        }

        _pending = false;
        var (reply, pool, port) = (_pendingTuple.Reversed, -1, (ushort)0);
        if (translate)
        {
            var bound = Bind(_pendingTuple, nat, out reply, out pool, out port);
            if (bound != CtCommitResult.Committed)
            {
                return bound;
            }
        }

        if (_freeCount == 0 && !Reclaim(now))
        {
            if (pool >= 0)
            {
                _natPools[pool].Return(port);
            }

            Refused++;
            return CtCommitResult.TableFull;
        }

        var slot = _free[--_freeCount];
        ref var connection = ref _connections[slot];
        connection.Original = _pendingTuple;
        connection.Reply = reply;
        connection.NatPool = pool;
        connection.NatPort = port;
        connection.IsTranslated = translate;
        connection.Tcp = _pendingTcp;
        connection.ReplySeen = false;
        connection.FinSeen = 0;
        connection.Lifetime = Timeout(connection);
        _expiresAt[slot] = now + connection.Lifetime;
        Link(2 * slot, _pendingTuple.Hash64());
        Link((2 * slot) + 1, reply.Hash64());
        Created++;
        if (translate)
        {
            Translated++;
            TranslatedNow++;
        }

        (_lastNode, _committedNow) = (2 * slot, true);
        return CtCommitResult.Committed;
    }

    /// <summary>Translates a connection this very packet's earlier commit added; one that cannot be is removed, as if never committed.</summary>
    private CtCommitResult TranslateCommitted(int slot, in NatTranslation nat)
    {
        ref var connection = ref _connections[slot];
        var bound = Bind(connection.Original, nat, out var reply, out var pool, out var port);
        if (bound != CtCommitResult.Committed)
        {
            Remove(slot);
            return bound;
        }

        Unlink((2 * slot) + 1);
        (connection.Reply, connection.NatPool, connection.NatPort, connection.IsTranslated) = (reply, pool, port, true);
        Link((2 * slot) + 1, reply.Hash64());
        Translated++;
        TranslatedNow++;
        return CtCommitResult.Committed;
    }

    /// <summary>The reply tuple of <paramref name="original"/> translated as <paramref name="nat"/> says, and the pool port it holds.</summary>
    private CtCommitResult Bind(in ConnectionTuple original, in NatTranslation nat, out ConnectionTuple reply, out int pool, out ushort port)
    {
        (reply, pool, port) = (original.Reversed with { Zone = nat.ReplyZone ?? original.Zone }, -1, (ushort)0);
        if (!IsTranslatable(original, nat))
        {
            return CtCommitResult.NatUntranslatable;
        }

        if (nat.Side == NatSide.Destination)
        {
            reply = reply with { Source = nat.Address };
            return CtCommitResult.Committed;
        }

        pool = PoolOf(nat.Address, nat.IsIpv6, original.Protocol);
        var taken = pool >= 0 && (nat.HasPortRange
            ? _natPools[pool].TryTake(nat.FirstPort, nat.LastPort, out port)
            : _natPools[pool].TryTakeExact(port = original.SourcePort) || _natPools[pool].TryTake(NatPortPool.DefaultFirst, NatPortPool.DefaultLast, out port));
        if (!taken)
        {
            (pool, port) = (-1, 0);
            NatPortsExhausted++;
            return CtCommitResult.NatPortsExhausted;
        }

        // An echo's identifier is both "ports" of its tuple (see ConnectionTuple).
        reply = IsEcho(original)
            ? reply with { Destination = nat.Address, SourcePort = port, DestinationPort = port }
            : reply with { Destination = nat.Address, DestinationPort = port };
        return CtCommitResult.Committed;
    }

    /// <summary>
    /// Whether a connection of <paramref name="tuple"/> can be translated as <paramref name="nat"/> says: TCP, UDP or its
    /// own family's ICMP, and the translation's address of the same family (NAT66 for IPv6, never NAT64).
    /// </summary>
    private static bool IsTranslatable(in ConnectionTuple tuple, in NatTranslation nat) =>
        tuple.IsIpv6 == nat.IsIpv6 && (tuple.Protocol is IpProtocols.Tcp or IpProtocols.Udp || IsEcho(tuple));

    /// <summary>Whether the tuple is an ICMP or ICMPv6 exchange, whose echo identifier is both its "ports".</summary>
    private static bool IsEcho(in ConnectionTuple tuple) => tuple.Protocol == (tuple.IsIpv6 ? IpProtocols.Icmpv6 : IpProtocols.Icmp);

    /// <summary>Rewrites one end of an IPv4 or IPv6 packet; true when it was rewritten.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Apply(Span<byte> frame, in HeaderOffsets offsets, bool ipv6, NatSide side, UInt128 address, ushort port, bool partialChecksum) =>
        (ipv6
            ? Ipv6NatRewrite.Apply(frame, offsets, side, address, port, partialChecksum)
            : Ipv4NatRewrite.Apply(frame, offsets, side, (uint)address, port, partialChecksum)) == NatRewriteResult.Rewritten;

    /// <summary>The pool of ports translated to <paramref name="address"/> for <paramref name="protocol"/>, made on first use; -1 past <see cref="MaxNatPools"/>.</summary>
    private int PoolOf(UInt128 address, bool ipv6, byte protocol)
    {
        if (_natPoolOf.TryGetValue((address, ipv6, protocol), out var pool))
        {
            return pool;
        }

        if (_natPools.Count == MaxNatPools)
        {
            return -1;
        }

        _natPools.Add(new NatPortPool(0, ushort.MaxValue));
        _natPoolOf.Add((address, ipv6, protocol), _natPools.Count - 1);
        return _natPools.Count - 1;
    }

    /// <summary>
    /// Rewrites an ICMP error about a translated connection's packet for that packet's sender: the quoted packet as
    /// its sender knew it, and the error addressed to the sender when it was addressed to the translated address.
    /// </summary>
    private bool RewriteError(Span<byte> frame, in HeaderOffsets offsets)
    {
        ref var connection = ref _connections[_lastNode >> 1];
        if (!connection.IsTranslated)
        {
            return true;
        }

        // The quoted packet went one way: its sender knew it as that way's tuple, and it carried the reverse of the other's.
        var (known, carried) = _errorAboutOriginal ? (connection.Original, connection.Reply.Reversed) : (connection.Reply, connection.Original.Reversed);
        if (known.IsIpv6)
        {
            var at = offsets.Network + Ipv6Header.DestinationOffset;
            if (at < 0 || frame.Length < at + 16)
            {
                return false;
            }

            var outer6 = BinaryPrimitives.ReadUInt128BigEndian(frame[at..]);
            return Ipv6NatRewrite.TryRewriteIcmpError(
                frame, offsets, outer6 == carried.Source ? known.Source : outer6, known.Source, known.SourcePort, known.Destination, known.DestinationPort);
        }

        var outer = BinaryPrimitives.ReadUInt32BigEndian(frame[(offsets.Network + Ipv4Header.DestinationOffset)..]);
        var destination = outer == (uint)carried.Source ? (uint)known.Source : outer;
        return Ipv4NatRewrite.TryRewriteIcmpError(
            frame, offsets, destination, (uint)known.Source, known.SourcePort, (uint)known.Destination, known.DestinationPort);
    }

    /// <summary>Rewrites a packet found at index node <paramref name="node"/> as its connection's translation says; true when there is nothing to rewrite.</summary>
    private bool RewriteAs(int node, Span<byte> frame, in HeaderOffsets offsets, bool partialChecksum)
    {
        if (node == None || !_connections[node >> 1].IsTranslated)
        {
            return true;
        }

        ref var connection = ref _connections[node >> 1];
        return (node & 1) == 0
            ? Rewrite(frame, offsets, connection.Original, connection.Reply, partialChecksum)
            : Rewrite(frame, offsets, connection.Reply, connection.Original, partialChecksum);
    }

    /// <summary>Rewrites a packet that carries <paramref name="carried"/> to carry the reverse of <paramref name="otherWay"/>.</summary>
    private static bool Rewrite(Span<byte> frame, in HeaderOffsets offsets, in ConnectionTuple carried, in ConnectionTuple otherWay, bool partialChecksum)
    {
        // The packet leaves with the other way's destination as its source, and its source as its destination. An echo's
        // identifier goes with whichever end is rewritten (both "ports" of its tuple hold it).
        var icmp = IsEcho(carried);
        var destinationChanged = carried.Destination != otherWay.Source || (!icmp && carried.DestinationPort != otherWay.SourcePort);
        var sourceChanged = carried.Source != otherWay.Destination
            || (carried.SourcePort != otherWay.DestinationPort && !(icmp && destinationChanged));
        var ipv6 = carried.IsIpv6;
        return (!sourceChanged || Apply(frame, offsets, ipv6, NatSide.Source, otherWay.Destination, otherWay.DestinationPort, partialChecksum))
            && (!destinationChanged || Apply(frame, offsets, ipv6, NatSide.Destination, otherWay.Source, otherWay.SourcePort, partialChecksum));
    }

    /// <summary>Frees one expired connection near the sweep cursor, if any, so a full table can take a new one.</summary>
    private bool Reclaim(long now)
    {
        for (var i = 0; i < SweepBudget && _freeCount == 0; i++)
        {
            SweepOne(now);
        }

        return _freeCount > 0;
    }

    private void SweepOne(long now)
    {
        var slot = _sweepCursor;
        _sweepCursor = slot + 1 == Capacity ? 0 : slot + 1;
        if (_expiresAt[slot] <= now)
        {
            Expired++;
            Remove(slot);
        }
    }

    /// <summary>The timeouts in the clock's timestamp units, converted once.</summary>
    private readonly struct Ticks(ConntrackTimeouts timeouts, long frequency)
    {
        public long TcpSynSent { get; } = Of(timeouts.TcpSynSent, frequency);

        public long TcpSynReceived { get; } = Of(timeouts.TcpSynReceived, frequency);

        public long TcpEstablished { get; } = Of(timeouts.TcpEstablished, frequency);

        public long TcpFinWait { get; } = Of(timeouts.TcpFinWait, frequency);

        public long TcpTimeWait { get; } = Of(timeouts.TcpTimeWait, frequency);

        public long TcpClosed { get; } = Of(timeouts.TcpClosed, frequency);

        public long UdpUnreplied { get; } = Of(timeouts.UdpUnreplied, frequency);

        public long UdpReplied { get; } = Of(timeouts.UdpReplied, frequency);

        public long Icmp { get; } = Of(timeouts.Icmp, frequency);

        public long Other { get; } = Of(timeouts.Other, frequency);

        private static long Of(TimeSpan timeout, long frequency) => (long)(timeout.TotalSeconds * frequency);
    }
}
