using System.Buffers.Binary;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Edge.Conntrack;

namespace Sdn.Benchmarks.Edge;

/// <summary>
/// Cache hits through an edge program whose tenant has a stateful ACL rule: forwarding of established connections
/// (each cached flow looks its packet up in the connection tracker) against the same traffic under the same rule
/// made stateless; and the rate at which new connections are set up (every packet opens one and is committed).
/// The traffic is <see cref="TenantFabric"/>'s routed path, front to back across the core; each subject runs on a
/// switch of its own, turn about with its peer.
/// </summary>
internal sealed class EdgeConntrackSuite : IBenchmarkSuite
{
    private const int Flows = 4096;
    private const int NewConnectionCapacity = 1 << 20;
    private const int UdpSourcePortOffset = 34;

    public string Name => "edge-ct";

    public string Description => "64-byte frames through a compiled edge program with a stateful ACL: established connections vs stateless, and new connections per second";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pairs = options.Quick ? 4 : 40;
        var pairWindow = TimeSpan.FromMilliseconds(50);
        var warmUp = options.Quick ? TimeSpan.FromMilliseconds(150) : TimeSpan.FromSeconds(1);

        var statefulFabric = new TenantFabric(acl: true);
        var statelessFabric = new TenantFabric(acl: false);
        var stateless = new TenantEdgeFixture(statelessFabric, TenantFabric.Secure, TenantFabric.Far, Flows);
        var stateful = new TenantEdgeFixture(statefulFabric, TenantFabric.Secure, TenantFabric.Far, Flows);
        stateless.CheckPath();
        stateful.CheckPath();
        Establish(statefulFabric, stateful);

        var burst = new PacketBurst();
        var (tracked, untracked) = Measurement.TurnAbout(pairs, warmUp, pairWindow, w => RunHits(stateful, burst, w), w => RunHits(stateless, burst, w));
        var hits = PairedFigures.Of(tracked, untracked);
        var loadAverage = LoadAverage();
        stateless.CheckAllLeftByUplink();
        stateful.CheckAllLeftByUplink();

        var clock = new ManualClock();
        var opening = new NewConnections(new TenantEdgeFixture(statefulFabric, TenantFabric.Secure, TenantFabric.Far, 1, clock, NewConnectionCapacity));
        var unopened = new NewConnections(new TenantEdgeFixture(statelessFabric, TenantFabric.Secure, TenantFabric.Far, 1));
        var (opened, passed) = Measurement.TurnAbout(
            pairs,
            warmUp,
            pairWindow,
            w =>
            {
                // Every connection of the windows before has expired: a full table reclaims slots as a busy edge's does.
                clock.Advance(ConntrackTimeouts.Default.UdpUnreplied + TimeSpan.FromSeconds(1));
                return Sample.Measure(w, next => opening.Send(burst, next));
            },
            w => Sample.Measure(w, next => unopened.Send(burst, next)));
        opening.Check();
        unopened.Fixture.CheckAllLeftByUplink();

        return
        [
            new("stateful_mpps", hits.SubjectMpps),
            new("stateless_mpps", hits.PeerMpps),
            new("stateful_hit_ratio", hits.Ratio),
            new("stateful_hit_ratio_q1", hits.RatioQ1),
            new("stateful_hit_ratio_q3", hits.RatioQ3),
            new("stateful_hit_ratio_all_pairs", hits.AllPairsRatio),
            new("hit_quiet_pairs", hits.QuietPairs),
            new("hit_pairs", tracked.Mpps.Count),
            new("jit_in_hit_windows", tracked.JitCompilations + untracked.JitCompilations),
            new("load_average", loadAverage),
            new("stateful_alloc_bytes_per_packet", tracked.AllocatedBytesPerPacket),
            new("ct_new_conns_per_s", opened.MedianMpps * 1e6),
            new("ct_new_conn_ratio", opened.MedianMpps / passed.MedianMpps),
            new("ct_new_conn_alloc_bytes", opened.AllocatedBytesPerPacket),
            .. GcFigures.InWindows("hit_", tracked, untracked),
            .. GcFigures.InWindows("new_conn_", opened, passed),
        ];
    }

    /// <summary>The machine's one-minute load average, from /proc/loadavg: how busy the other processes kept its two cores.</summary>
    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static Sample RunHits(TenantEdgeFixture fixture, PacketBurst burst, TimeSpan window) =>
        Sample.Measure(window, next => fixture.Send(burst, next));

    /// <summary>
    /// Sends every flow's answer into the edge from the core (far's reply, under front's service label), so the
    /// tracker holds every connection as established; throws unless it does.
    /// </summary>
    private static void Establish(TenantFabric fabric, TenantEdgeFixture fixture)
    {
        fixture.Send(new PacketBurst(), 0);
        var mix = fixture.Frames;
        for (var i = 0; i < mix.Count; i++)
        {
            fixture.Send(new PacketBurst(), i);
        }

        var (from, to) = (fabric.Port(TenantFabric.Secure), fabric.Port(TenantFabric.Far));
        var label = fabric.Compiled.ServiceLabel(TenantFabric.Ingress, from.Name);
        var router = Traffic.Mac(MacAddress.RouterOf(fabric.NetworkOf(from).Tenant));
        var burst = new PacketBurst();
        for (var i = 0; i < mix.Count; i++)
        {
            var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(mix[i].AsSpan(UdpSourcePortOffset));
            burst.Clear();
            burst.TryAppend(Answer(Traffic.Mac(from), router, label, Traffic.Ip(to.Ipv4), Traffic.Ip(from.Ipv4), sourcePort));
            fixture.Switch.Datapath.Process(fixture.Uplink.Number, burst);
        }

        var trace = fixture.Switch.Trace(fixture.InPort, mix[0]);
        if (trace.CtState != (CtState.Tracked | CtState.Established) || fixture.Switch.Datapath.Conntrack.Count != mix.Count)
        {
            throw new InvalidOperationException($"the connections are not established ({fixture.Switch.Datapath.Conntrack.Count} tracked); the trace reads:{Environment.NewLine}{trace}");
        }
    }

    private static byte[] Answer(ulong destinationMac, ulong sourceMac, uint serviceLabel, uint source, uint destination, ushort destinationPort)
    {
        var buffer = new byte[128];
        var builder = new FrameBuilder(buffer);
        builder.Ethernet(destinationMac, sourceMac, EtherTypes.MplsUnicast);
        builder.Mpls([new MplsLabelStackEntry(serviceLabel, 0, true, 63)]);
        builder.Ipv4(source, destination, IpProtocols.Udp);
        builder.Udp(4789, destinationPort);
        builder.Payload(new byte[18]);
        return builder.TryFinish(out var length) ? buffer[..length] : throw new InvalidOperationException("the answer frame does not fit");
    }

    /// <summary>The fixture's one frame, with a source and destination port no packet before had: each opens a connection.</summary>
    private sealed class NewConnections(TenantEdgeFixture fixture)
    {
        private uint _next;

        public TenantEdgeFixture Fixture => fixture;

        public int Send(PacketBurst burst, int next)
        {
            burst.Clear();
            var template = fixture.Frames[0];
            while (!burst.IsFull)
            {
                burst.TryAppend(template);
                var frame = burst.Frame(burst.Count - 1);
                var tuple = _next++;
                BinaryPrimitives.WriteUInt32BigEndian(frame[UdpSourcePortOffset..], tuple);
            }

            fixture.Switch.Datapath.Process(fixture.InPort, burst);
            fixture.CountSent(burst.Count);
            return next;
        }

        /// <summary>Throws unless every frame left by the uplink and none was dropped for a full table: the figure would measure drops.</summary>
        public void Check()
        {
            fixture.CheckAllLeftByUplink();
            if (fixture.Switch.Datapath.Counters.CtTableFull != 0)
            {
                throw new InvalidOperationException($"{fixture.Switch.Datapath.Counters.CtTableFull} new connections found the table full");
            }
        }
    }
}
