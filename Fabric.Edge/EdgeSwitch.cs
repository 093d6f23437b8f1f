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

        if (lookedUpZone is { } zone && trace.Actions.Count > 0 && trace.Actions[^1] is { Kind: DatapathActionKind.Recirculate } recirculate)
        {
            var uncommitted = trace.Actions.LastOrDefault(a => a.Kind == DatapathActionKind.CtNat).CtTranslation;
            FollowRecirculation(trace, inPort, copy, offsets, zone, recirculate, assumeCtState, uncommitted);
        }

        return trace;
    }

    /// <summary>
    /// Traces on into the recirculation the datapath would make: the frame rewritten as its connection would rewrite it
    /// (unchanged when the tracker holds none), parsed again with the key the datapath would give it.
    /// </summary>
    /// <param name="uncommitted">The destination translation a new connection's packet was rewritten by before its commit, if any.</param>
    private void FollowRecirculation(PipelineTrace trace, uint inPort, byte[] frame, HeaderOffsets offsets, ushort zone, DatapathAction recirculate, CtState? assumeCtState, NatTranslation? uncommitted)
    {
        for (var depth = 0; depth < EdgeDatapath.MaxRecirculations; depth++)
        {
            var now = Time.GetTimestamp();
            if (!Datapath.Conntrack.TryRewriteCopy(zone, frame, offsets, now, out var connectionZone))
            {
                trace.AddNote(uncommitted is { } nat && Ipv4NatRewrite.Apply(frame, offsets, nat.Side, nat.Address, ReadDestinationPort(frame, offsets)) == NatRewriteResult.Rewritten
                    ? $"recirculation: a new connection, rewritten {nat} ahead of its commit"
                    : "recirculation: the tracker holds no connection for the packet, which goes on as it arrived");
            }

            uncommitted = null;

            if (!FlowKeyExtractor.Extract(frame, inPort, out var key, out offsets).IsOk)
            {
                trace.AddNote("recirculation: the rewritten frame does not parse: counted and dropped");
                return;
            }

            key.Metadata = recirculate.Value;
            key.CtState = (byte)(recirculate.Port >> 8);
            key.SetRegister(0, connectionZone);
            key.SetRegister(EdgeDatapath.RecirculationRegister, (recirculate.Port & 0xFF) + 1);
            ushort? looked = null;
            var parsed = offsets;
            var next = Pipeline.Trace(key, z =>
            {
                looked = z;
                return assumeCtState ?? Datapath.Conntrack.Peek(z, frame, parsed, now);
            });
            trace.AddNote($"recirculated as {Ipv4Text(key.Ipv4Src)} -> {Ipv4Text(key.Ipv4Dst)} (reg0={connectionZone}), from table {recirculate.Port & 0xFF}:");
            trace.Continue(next);
            if (looked is not { } nextZone || next.Actions.Count == 0 || next.Actions[^1] is not { Kind: DatapathActionKind.Recirculate } again)
            {
                return;
            }

            (zone, recirculate) = (nextZone, again);
        }

        trace.AddNote($"recirculated {EdgeDatapath.MaxRecirculations} times: dropped and counted");
    }

    /// <summary>The transport's destination port, or an ICMP echo's identifier: what a destination translation keeps.</summary>
    private static ushort ReadDestinationPort(ReadOnlySpan<byte> frame, in HeaderOffsets offsets) =>
        offsets.Transport == HeaderOffsets.Absent || frame.Length < offsets.Transport + 6 ? (ushort)0
        : frame[offsets.Network + 9] == IpProtocols.Icmp ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(frame[(offsets.Transport + 4)..])
        : System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(frame[(offsets.Transport + 2)..]);

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
