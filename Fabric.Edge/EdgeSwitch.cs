using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Fabric.Edge;

/// <summary>
/// The edge virtual switch: an OpenFlow-like <see cref="EdgePipeline"/> (the slow path) behind an
/// <see cref="EdgeDatapath"/> (the cached fast path), with ports that move bursts of frames.
/// </summary>
/// <remarks>Not thread-safe: one thread polls the ports and applies flow-mods between bursts.</remarks>
public sealed class EdgeSwitch : IUpcallHandler
{
    /// <param name="conntrackCapacity">How many connections the tracker holds; new ones beyond are dropped and counted.</param>
    public EdgeSwitch(int tableCount = 8, TimeProvider? time = null, int conntrackCapacity = ConnectionTracker.DefaultCapacity)
    {
        time ??= TimeProvider.System;
        Time = time;
        Pipeline = new EdgePipeline(tableCount, time);
        Datapath = new EdgeDatapath(this, time, conntrackCapacity);
    }

    /// <summary>The clock of flow timeouts and counters' last-hit times.</summary>
    public TimeProvider Time { get; }

    public EdgePipeline Pipeline { get; }

    public EdgeDatapath Datapath { get; }

    public void AddPort(IEdgePort port) => Datapath.AddPort(port);

    /// <summary>Moves one burst from every port through the switch; returns how many frames were received.</summary>
    public int Poll() => Datapath.Poll();

    /// <summary>
    /// Traces <paramref name="frame"/> as if it arrived on <paramref name="inPort"/>: tables, entries, actions,
    /// outputs and whether the cache would answer it. Nothing is counted, cached or sent.
    /// </summary>
    /// <remarks>
    /// A ct lookup gives <paramref name="assumeCtState"/> when one is given; else what the tracker holds for the
    /// packet now, as the datapath's lookup would find it.
    /// </remarks>
    public PipelineTrace Trace(uint inPort, ReadOnlySpan<byte> frame, CtState? assumeCtState = null)
    {
        var parsed = FlowKeyExtractor.Extract(frame, inPort, out var key, out var offsets);
        if (!parsed.IsOk)
        {
            return PipelineTrace.Malformed(parsed);
        }

        var copy = frame.ToArray();
        ushort? lookedUpZone = null;
        var trace = Trace(key, zone =>
        {
            lookedUpZone = zone;
            return assumeCtState ?? Datapath.Conntrack.Peek(zone, copy, offsets, Time.GetTimestamp());
        });
        if (trace.CtState is not null)
        {
            trace.AddNote(assumeCtState is null ? "ct_state as the tracker holds it now" : "ct_state assumed, as the trace asked");
        }

        if (lookedUpZone is { } looked && trace.Actions.Any(a => a.Kind == DatapathActionKind.CtNat)
            && Datapath.Conntrack.TryPeekTranslation(looked, copy, offsets, Time.GetTimestamp(), out var translated))
        {
            trace.AddNote($"nat: its connection rewrites it to {translated}");
        }

        FollowOn(trace, inPort, copy, offsets, lookedUpZone, passStart: 0, assumeCtState);
        return trace;
    }

    /// <summary>
    /// Traces on into the recirculations and loopbacks the datapath would make: for a recirculation, the frame rewritten
    /// as its connection would rewrite it (or as a new connection's translation would, the tracker holding none yet),
    /// parsed again with the key the datapath would give it; for a loopback, the frame as it is, arriving afresh on its
    /// port.
    /// </summary>
    /// <param name="passStart">Where the last pass's actions start in the trace's.</param>
    private void FollowOn(PipelineTrace trace, uint inPort, byte[] frame, HeaderOffsets offsets, ushort? zone, int passStart, CtState? assumeCtState)
    {
        for (var depth = 0; depth < EdgeDatapath.MaxRecirculations; depth++)
        {
            if (trace.Actions.Count == 0 || trace.Actions[^1] is not { Kind: DatapathActionKind.Recirculate or DatapathActionKind.Loopback } last
                || (last.Kind == DatapathActionKind.Recirculate && zone is null))
            {
                return;
            }

            var now = Time.GetTimestamp();
            var connectionZone = (ushort)0;
            if (last.Kind == DatapathActionKind.Recirculate)
            {
                RewriteForRecirculation(trace, frame, offsets, zone!.Value, trace.Actions.Skip(passStart).ToList(), now, out connectionZone);
            }
            else
            {
                inPort = last.Port;
            }

            if (!FlowKeyExtractor.Extract(frame, inPort, out var key, out offsets).IsOk)
            {
                trace.AddNote("the rewritten frame does not parse: counted and dropped");
                return;
            }

            if (last.Kind == DatapathActionKind.Recirculate)
            {
                EdgeDatapath.MarkRecirculated(ref key, last, connectionZone);
            }

            ushort? looked = null;
            var parsed = offsets;
            var next = Pipeline.Trace(key, z =>
            {
                looked = z;
                return assumeCtState ?? Datapath.Conntrack.Peek(z, frame, parsed, now);
            });
            trace.AddNote(last.Kind == DatapathActionKind.Recirculate
                ? $"recirculated as {Addresses(key)} (reg0={connectionZone}), from table {last.Port & 0xFF}:"
                : $"looped back as {Addresses(key)}, arriving on port {inPort}:");
            passStart = trace.Actions.Count;
            trace.Continue(next);
            zone = looked;
        }

        trace.AddNote($"recirculated {EdgeDatapath.MaxRecirculations} times: dropped and counted");
    }

    /// <summary>
    /// Rewrites <paramref name="frame"/> as the datapath would before a recirculation: as its connection in
    /// <paramref name="zone"/> says; or, the tracker holding none, as the new connection's translation in
    /// <paramref name="pass"/> would (a destination translation exactly; a source translation keeping the port, which
    /// the tracker may pick otherwise); else not at all.
    /// </summary>
    private void RewriteForRecirculation(PipelineTrace trace, byte[] frame, HeaderOffsets offsets, ushort zone, List<DatapathAction> pass, long now, out ushort connectionZone)
    {
        if (Datapath.Conntrack.TryRewriteCopy(zone, frame, offsets, now, out connectionZone))
        {
            return;
        }

        var translation = pass.LastOrDefault(a => a.Kind == DatapathActionKind.CtNat).CtTranslation
            ?? pass.LastOrDefault(a => a.Kind == DatapathActionKind.CtCommit).CtTranslation;
        trace.AddNote(translation is { } nat && (nat.IsIpv6
                ? Ipv6NatRewrite.Apply(frame, offsets, nat.Side, nat.Address, ReadPort(frame, offsets, nat.Side, ipv6: true))
                : Ipv4NatRewrite.Apply(frame, offsets, nat.Side, (uint)nat.Address, ReadPort(frame, offsets, nat.Side, ipv6: false))) == NatRewriteResult.Rewritten
            ? nat.Side == NatSide.Destination
                ? $"recirculation: a new connection, rewritten {nat} ahead of its commit"
                : $"recirculation: a new connection, rewritten {nat} as its commit would (keeping its port, which the tracker may pick otherwise)"
            : "recirculation: the tracker holds no connection for the packet, which goes on as it arrived");
    }

    /// <summary>The transport's port on <paramref name="side"/>, or an ICMP or ICMPv6 echo's identifier: what a translation of that side keeps.</summary>
    private static ushort ReadPort(ReadOnlySpan<byte> frame, in HeaderOffsets offsets, NatSide side, bool ipv6) =>
        offsets.Transport == HeaderOffsets.Absent || frame.Length < offsets.Transport + 6 ? (ushort)0
        : frame[offsets.Network + (ipv6 ? Ipv6Header.NextHeaderOffset : 9)] == (ipv6 ? IpProtocols.Icmpv6 : IpProtocols.Icmp)
            ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(frame[(offsets.Transport + 4)..])
        : System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(frame[(offsets.Transport + (side == NatSide.Source ? 0 : 2))..]);

    /// <summary>"SOURCE -> DESTINATION" of an IPv4 or IPv6 packet's key.</summary>
    private static string Addresses(in FlowKey key)
    {
        if (key.EthType != EtherTypes.Ipv6)
        {
            return $"{Ipv4Text(key.Ipv4Src)} -> {Ipv4Text(key.Ipv4Dst)}";
        }

        var (source, destination) = (new byte[16], new byte[16]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(source, key.Ipv6Src);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination, key.Ipv6Dst);
        return $"{new System.Net.IPAddress(source)} -> {new System.Net.IPAddress(destination)}";
    }

    private static string Ipv4Text(uint address) => new System.Net.IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(address)).ToString();

    /// <summary>Traces a packet given as its flow key; a ct lookup gives what <paramref name="ctStateOf"/> says for its zone, or trk|new.</summary>
    public PipelineTrace Trace(in FlowKey key, Func<ushort, CtState>? ctStateOf = null)
    {
        var trace = Pipeline.Trace(key, ctStateOf);
        trace.CacheWouldHit = Datapath.Cache.Peek(key);
        return trace;
    }

    CompiledFlow IUpcallHandler.Upcall(in FlowKey key, out FlowKey megaflowMask) => Pipeline.Translate(key, out megaflowMask);
}
