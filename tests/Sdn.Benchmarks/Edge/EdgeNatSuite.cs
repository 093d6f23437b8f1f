using Sdn.Common.Packets;
using Sdn.Fabric.Edge;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Benchmarks.Edge;

/// <summary>
/// What SNAT adds to a tracked connection's forwarding: established UDP connections from an inside port to an outside
/// port, each cached flow looking its packet up in the tracker, on one switch translated (ct(nat), every packet's
/// source address and port rewritten with incremental checksums) and on another not, turn about; and the replies
/// coming back, translated and not. Then what a gateway's resolve_neighbour adds to the translated way out: the
/// learned MAC of the outside router looked up per packet, against the same translation with a fixed MAC. Then the
/// same SNAT for IPv6 (NAT66, 78-byte frames, the smallest IPv6 UDP frames of a round size), against IPv6 tracked
/// untranslated, both ways.
/// </summary>
internal sealed class EdgeNatSuite : IBenchmarkSuite
{
    private const int Flows = 4096;
    private const ushort Zone = 1;
    private const uint Inside = 0x0A_01_00_64; // 10.1.0.100
    private const uint Server = 0xC6_33_64_C8; // 198.51.100.200
    private const uint GatewayAddress = 0xC6_33_64_02; // 198.51.100.2
    private const ushort FirstSourcePort = 20000;
    private const ulong InsideMac = 0x02_00_00_00_00_01;
    private const ulong OutsideMac = 0x02_00_00_00_00_02;
    private const uint Router = 0xC6_33_64_01; // 198.51.100.1
    private const ulong RouterMac = 0x02_00_00_00_00_03;
    private static readonly UInt128 Inside6 = ((UInt128)0xFD00_0001UL << 96) | 0x64; // fd00:1::64
    private static readonly UInt128 Server6 = ((UInt128)0x2001_0DB8UL << 96) | 0xC8; // 2001:db8::c8
    private static readonly UInt128 Gateway6 = ((UInt128)0x2001_0DB8UL << 96) | 2; // 2001:db8::2

    public string Name => "edge-nat";

    public string Description => "64-byte frames of established UDP connections through ct(nat) SNAT vs the same tracking untranslated, both ways; and NAT66";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pairs = options.Quick ? 4 : 40;
        var pairWindow = TimeSpan.FromMilliseconds(50);
        var warmUp = options.Quick ? TimeSpan.FromMilliseconds(150) : TimeSpan.FromSeconds(1);

        var snat = new NatTranslation(NatSide.Source, GatewayAddress, 1024, ushort.MaxValue);
        var translated = new NatGateway(snat);
        var plain = new NatGateway(null);
        var resolving = new NatGateway(snat, resolve: true);
        var burst = new PacketBurst();
        var (nat, tracked) = Measurement.TurnAbout(pairs, warmUp, pairWindow, w => Sample.Measure(w, next => translated.SendOut(burst, next)), w => Sample.Measure(w, next => plain.SendOut(burst, next)));
        var (natBack, trackedBack) = Measurement.TurnAbout(pairs, warmUp, pairWindow, w => Sample.Measure(w, next => translated.SendBack(burst, next)), w => Sample.Measure(w, next => plain.SendBack(burst, next)));
        var (resolved, fixedMac) = Measurement.TurnAbout(pairs, warmUp, pairWindow, w => Sample.Measure(w, next => resolving.SendOut(burst, next)), w => Sample.Measure(w, next => translated.SendOut(burst, next)));
        var translated6 = new NatGateway(new NatTranslation(NatSide.Source, Gateway6, 1024, ushort.MaxValue, IsIpv6: true), ipv6: true);
        var plain6 = new NatGateway(null, ipv6: true);
        var (nat6, tracked6) = Measurement.TurnAbout(pairs, warmUp, pairWindow, w => Sample.Measure(w, next => translated6.SendOut(burst, next)), w => Sample.Measure(w, next => plain6.SendOut(burst, next)));
        var (nat6Back, tracked6Back) = Measurement.TurnAbout(pairs, warmUp, pairWindow, w => Sample.Measure(w, next => translated6.SendBack(burst, next)), w => Sample.Measure(w, next => plain6.SendBack(burst, next)));
        translated.Check();
        plain.Check();
        resolving.Check();
        translated6.Check();
        plain6.Check();

        return
        [
            new("nat_mpps", nat.MedianMpps),
            new("nat_tracked_mpps", tracked.MedianMpps),
            new("nat_hit_ratio", nat.MedianMpps / tracked.MedianMpps),
            new("nat_reply_hit_ratio", natBack.MedianMpps / trackedBack.MedianMpps),
            new("nat_alloc_bytes_per_packet", (nat.AllocatedBytesPerPacket + natBack.AllocatedBytesPerPacket) / 2),
            new("nat_resolved_mpps", resolved.MedianMpps),
            new("nat_resolve_ratio", resolved.MedianMpps / fixedMac.MedianMpps),
            new("nat_resolved_alloc_bytes_per_packet", resolved.AllocatedBytesPerPacket),
            new("nat66_mpps", nat6.MedianMpps),
            new("nat66_hit_ratio", nat6.MedianMpps / tracked6.MedianMpps),
            new("nat66_reply_hit_ratio", nat6Back.MedianMpps / tracked6Back.MedianMpps),
            new("nat66_alloc_bytes_per_packet", (nat6.AllocatedBytesPerPacket + nat6Back.AllocatedBytesPerPacket) / 2),
        ];
    }

    /// <summary>
    /// A switch with an inside port 1 and an outside port 2, and <see cref="Flows"/> connections established through
    /// it; with <c>resolve</c>, what goes out is addressed to the outside router's MAC as port 2's ARP taught it.
    /// </summary>
    private sealed class NatGateway
    {
        private readonly EdgeSwitch _switch = new(2);
        private readonly FrameMix _out;
        private readonly FrameMix _back;
        private long _sent;

        public NatGateway(NatTranslation? snat, bool resolve = false, bool ipv6 = false)
        {
            _switch.AddPort(new InternalPort(1, "inside"));
            _switch.AddPort(new InternalPort(2, "outside"));
            var pipeline = _switch.Pipeline;
            pipeline.Apply(FlowEdit.Add(0, 100, FlowMatch.Any.EthType(ipv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4), FlowInstructions.Goto(1, PipelineAction.Ct(Zone, nat: snat is not null))));
            PipelineAction[] toOutside = resolve ? [PipelineAction.ResolveNeighbour(2, Router, GatewayAddress), PipelineAction.Output(2)] : [PipelineAction.Output(2)];
            Add(pipeline, 90, FlowMatch.Any.InPort(1).CtState(CtState.Tracked | CtState.New), [PipelineAction.Ct(Zone, commit: true, translation: snat), .. toOutside]);
            Add(pipeline, 90, FlowMatch.Any.InPort(1).CtState(CtState.Tracked | CtState.Established), toOutside);
            pipeline.Apply(FlowEdit.Add(0, 100, FlowMatch.Any.InPort(2).EthType(EtherTypes.Arp), FlowInstructions.Apply(PipelineAction.LearnNeighbour())));
            Add(pipeline, 90, FlowMatch.Any.InPort(2).CtState(CtState.Tracked | CtState.Established), PipelineAction.Output(1));

            _out = new FrameMix([.. Enumerable.Range(0, Flows).Select(i => ipv6
                ? FrameMix.Udp6(OutsideMac, InsideMac, Inside6, Server6, (ushort)(FirstSourcePort + i))
                : FrameMix.Udp(OutsideMac, InsideMac, Inside, Server, (ushort)(FirstSourcePort + i)))]);
            var burst = new PacketBurst();
            burst.TryAppend(RouterArp());
            _switch.Datapath.Process(2, burst);
            for (var i = 0; i < Flows; i++)
            {
                burst.Clear();
                burst.TryAppend(_out[i]);
                _switch.Datapath.Process(1, burst);
            }

            var now = _switch.Time.GetTimestamp();
            _back = new FrameMix([.. Enumerable.Range(0, Flows).Select(i =>
            {
                var tuple = new ConnectionTuple(Zone, IpProtocols.Udp, ipv6, ipv6 ? Inside6 : Inside, ipv6 ? Server6 : Server, (ushort)(FirstSourcePort + i), 4789);
                var seen = _switch.Datapath.Conntrack.TryGetTranslation(tuple, now, out var translated) ? translated : tuple;
                return ipv6
                    ? FrameMix.Udp6(InsideMac, OutsideMac, Server6, seen.Source, 4789, seen.SourcePort)
                    : FrameMix.Udp(InsideMac, OutsideMac, Server, (uint)seen.Source, 4789, seen.SourcePort);
            })]);
            for (var i = 0; i < Flows; i++)
            {
                burst.Clear();
                burst.TryAppend(_back[i]);
                _switch.Datapath.Process(2, burst);
            }

            if (_switch.Datapath.Conntrack.Count != Flows || _switch.Datapath.Conntrack.TranslatedNow != (snat is null ? 0 : Flows)
                || _switch.Datapath.PortCounters(1)!.TxPackets != Flows)
            {
                throw new InvalidOperationException(
                    $"the connections are not established: {_switch.Datapath.Conntrack.Count} tracked, {_switch.Datapath.Conntrack.TranslatedNow} translated, {_switch.Datapath.PortCounters(1)!.TxPackets} replies delivered");
            }

            _sent = Flows;
        }

        /// <summary>The outside router's ARP reply to the gateway, which port 2 learns its MAC from.</summary>
        private static byte[] RouterArp()
        {
            var frame = new byte[64];
            var builder = new FrameBuilder(frame);
            builder.Ethernet(OutsideMac, RouterMac, EtherTypes.Arp);
            builder.Arp(2, RouterMac, Router, OutsideMac, GatewayAddress);
            return builder.TryFinish(out var length) ? frame[..length] : throw new InvalidOperationException("an ARP reply does not fit 64 bytes");
        }

        private static void Add(EdgePipeline pipeline, int priority, FlowMatch match, params PipelineAction[] actions) =>
            pipeline.Apply(FlowEdit.Add(1, priority, match, FlowInstructions.Apply(actions)));

        public int SendOut(PacketBurst burst, int next) => Send(1, _out, burst, next);

        public int SendBack(PacketBurst burst, int next) => Send(2, _back, burst, next);

        /// <summary>Throws unless every frame sent left by the other port: the figures would measure drops.</summary>
        public void Check()
        {
            var delivered = _switch.Datapath.PortCounters(1)!.TxPackets + _switch.Datapath.PortCounters(2)!.TxPackets;
            var cache = _switch.Datapath.Cache;
            if (cache.Misses > 4 * Flows)
            {
                throw new InvalidOperationException($"{cache.Misses} cache misses against {cache.ExactHits} exact and {cache.MegaflowHits} megaflow hits: the figure would measure upcalls");
            }

            if (_switch.Datapath.Counters.NeighbourUnresolved != 0)
            {
                throw new InvalidOperationException($"{_switch.Datapath.Counters.NeighbourUnresolved} packets went as ARP requests: the router's MAC was not learned");
            }

            if (delivered != _sent + Flows)
            {
                throw new InvalidOperationException($"{_sent + Flows - delivered} of {_sent + Flows} frames did not leave the switch");
            }
        }

        private int Send(uint inPort, FrameMix mix, PacketBurst burst, int next)
        {
            next = mix.Refill(burst, next);
            _switch.Datapath.Process(inPort, burst);
            _sent += burst.Count;
            return next;
        }
    }
}
