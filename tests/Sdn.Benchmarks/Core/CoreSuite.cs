using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;
using Sdn.Fabric.Core.Lsr;

namespace Sdn.Benchmarks.Core;

/// <summary>
/// The label-switched core: LSR forwarding rate on one thread, batched against naive UDP I/O in the same
/// run, and the loss window of a fast reroute under a constant stream.
/// </summary>
internal sealed class CoreSuite : IBenchmarkSuite
{
    private const int FrameLength = 4 + 4 + 64;
    private const int FailoverPacketsPerSecond = 10_000;

    // The links of a spine node with a port per rack that carry nothing while one stream crosses it.
    private const int QuietLinks = 14;

    public string Name => "core";

    public string Description => "LSR swap rate, batched vs naive MPLS-in-UDP, fast-reroute loss window";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        var seconds = options.Quick ? 0.3 : 2.0;
        var (mpps, mppsPerCpuSecond, allocatedPerPacket) = MeasureLsr(seconds);
        var (batched, naive) = MeasureUdp(seconds);
        var (alone, amongQuiet) = MeasureQuietLinks(seconds);
        // The median of three cuts: one cut on a busy machine can land while a thread waits for a core.
        var lossMs = options.Quick ? MeasureFailoverLoss(seconds: 0.5) : Median([.. Enumerable.Range(0, 3).Select(_ => MeasureFailoverLoss(seconds: 1))]);
        return
        [
            new("lsr_mpps", mpps),
            new("lsr_mpps_per_cpu_second", mppsPerCpuSecond),
            new("lsr_allocated_bytes_per_packet", allocatedPerPacket),
            new("udp_batched_kpps", batched / 1000),
            new("udp_naive_kpps", naive / 1000),
            new("udp_batch_ratio", batched / naive),
            new("udp_alone_kpps", alone / 1000),
            new("udp_among_quiet_kpps", amongQuiet / 1000),
            new("quiet_links_ratio", amongQuiet / alone),
            new("failover_loss_ms", lossMs),
        ];
    }

    /// <summary>A source link, one core node swapping labels, a sink link: all driven by this one thread.</summary>
    private static (double Mpps, double MppsPerCpuSecond, double AllocatedPerPacket) MeasureLsr(double seconds)
    {
        var (source, nodeIn) = InMemoryLink.CreatePair("source", "node-in");
        var (nodeOut, sink) = InMemoryLink.CreatePair("node-out", "sink");
        using var node = new CoreSwitch("lsr");
        node.AddPort(nodeIn, liveness: null);
        node.AddPort(nodeOut, liveness: null);
        node.TryInstall(new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(1, 200))]));
        var burst = FullBurst(flows: 64);
        var drain = new PacketBurst();

        void Round()
        {
            source.Send(burst);
            node.PollOnce();
            drain.Clear();
            sink.Receive(drain);
        }

        // Half the measured time first, for the JIT to finish tiering the loop up before anything is timed.
        RunFor(seconds / 2, Round);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var swappedBefore = node.Statistics.Swapped;
        var cpuBefore = CpuClock.ThreadSeconds();
        var elapsed = RunFor(seconds, Round);
        var cpu = CpuClock.ThreadSeconds() - cpuBefore;
        var swapped = node.Statistics.Swapped - swappedBefore;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return (swapped / elapsed / 1e6, swapped / cpu / 1e6, (double)allocated / swapped);
    }

    /// <summary>
    /// The same bursts over loopback two ways, alternating in short slices so both see the same machine load:
    /// through a pair of MPLS-in-UDP links (sendmmsg with segmentation offload out, recvmmsg in), and with one
    /// sendto and one recvfrom system call per datagram. Returns datagrams delivered per second for each.
    /// </summary>
    private static (double Batched, double Naive) MeasureUdp(double seconds)
    {
        var a = new IPEndPoint(IPAddress.Parse("127.66.0.1"), MplsInUdpLink.UdpPort);
        var b = new IPEndPoint(IPAddress.Parse("127.66.0.2"), MplsInUdpLink.UdpPort);
        using var batchedSender = new MplsInUdpLink("a", new MplsInUdpLinkOptions(a, b));
        using var batchedReceiver = new MplsInUdpLink("b", new MplsInUdpLinkOptions(b, a));
        var drain = new PacketBurst();

        using var naiveSender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var naiveReceiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 1000 };
        naiveSender.Bind(new IPEndPoint(IPAddress.Parse("127.66.0.3"), MplsInUdpLink.FirstSourcePort));
        naiveReceiver.Bind(new IPEndPoint(IPAddress.Parse("127.66.0.4"), MplsInUdpLink.UdpPort));
        var destination = naiveReceiver.LocalEndPoint!.Serialize();
        var from = new IPEndPoint(IPAddress.Any, 0).Serialize();
        var buffer = new byte[PacketBurst.MaxFrameLength];

        var burst = FullBurst(flows: 64);
        var (batched, naive) = (0L, 0L);

        void BatchedRound()
        {
            batchedSender.Send(burst);
            drain.Clear();
            for (var idle = 0; drain.Count < burst.Count && idle < 1000; idle++)
            {
                batchedReceiver.Receive(drain);
            }

            batched += drain.Count;
        }

        void NaiveRound()
        {
            for (var i = 0; i < burst.Count; i++)
            {
                naiveSender.SendTo(burst.Frame(i), SocketFlags.None, destination);
            }

            for (var i = 0; i < burst.Count; i++)
            {
                naiveReceiver.ReceiveFrom(buffer, SocketFlags.None, from);
            }

            naive += burst.Count;
        }

        var (batchedSeconds, naiveSeconds) = RunAlternately(seconds, BatchedRound, NaiveRound, () => (batched, naive) = (0L, 0L));
        return (batched / batchedSeconds, naive / naiveSeconds);
    }

    /// <summary>
    /// What idle ports cost a node's round: a stream of small bursts through a node with two MPLS-in-UDP links on
    /// loopback, against the same through a node that also has <see cref="QuietLinks"/> links on which nothing
    /// arrives, in alternating slices. Returns datagrams forwarded per second through each.
    /// </summary>
    private static (double Alone, double AmongQuiet) MeasureQuietLinks(double seconds)
    {
        using var alone = new ForwardingPath(subnet: 1, quietLinks: 0);
        using var amongQuiet = new ForwardingPath(subnet: 2, QuietLinks);
        var burst = FullBurst(flows: 8, frames: 8);
        var (aloneSeconds, amongQuietSeconds) = RunAlternately(
            seconds, () => alone.Forward(burst), () => amongQuiet.Forward(burst), () => alone.Forwarded = amongQuiet.Forwarded = 0);
        return (alone.Forwarded / aloneSeconds, amongQuiet.Forwarded / amongQuietSeconds);
    }

    /// <summary>
    /// A node on its own thread with a protected LSP (primary via node p, backup via node q, 10 ms hellos × 3
    /// on both) carries a 10K pps stream; the p end of the primary link is cut mid-stream, so the node learns
    /// of it only from missing hellos. The loss window is the lost packets over the rate. This thread sends,
    /// receives and polls p and q, so the run needs two threads, not four, on a two-core machine.
    /// </summary>
    private static double MeasureFailoverLoss(double seconds)
    {
        var (source, ingress) = InMemoryLink.CreatePair("source", "ingress");
        var (toP, pFromNode) = InMemoryLink.CreatePair("node-p", "p-node");
        var (toQ, qFromNode) = InMemoryLink.CreatePair("node-q", "q-node");
        var (pToSink, sinkP) = InMemoryLink.CreatePair("p-sink", "sink-p");
        var (qToSink, sinkQ) = InMemoryLink.CreatePair("q-sink", "sink-q");
        using var node = new CoreSwitch("node");
        using var p = new CoreSwitch("p");
        using var q = new CoreSwitch("q");
        node.AddPort(ingress, liveness: null);
        node.AddPort(toP, LivenessOptions.Default);
        node.AddPort(toQ, LivenessOptions.Default);
        foreach (var (transit, fromNode, toSink) in new[] { (p, pFromNode, pToSink), (q, qFromNode, qToSink) })
        {
            transit.AddPort(fromNode, LivenessOptions.Default);
            transit.AddPort(toSink, liveness: null);
            transit.TryInstall(new Lfib(1, [new LabelRoute(200, LabelAction.PenultimateHopPop, [new LabelNextHop(1, 0)])]));
        }

        node.TryInstall(new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(1, 200), backup: new LabelNextHop(2, 200))]));
        node.Start();
        while (!node.Ports.All(port => port.IsUp))
        {
            p.PollOnce();
            q.PollOnce();
            Thread.Sleep(1);
        }

        var total = (int)(FailoverPacketsPerSecond * seconds);
        var seen = new bool[total];
        var outgoing = new PacketBurst();
        var incoming = new PacketBurst();
        var start = Stopwatch.GetTimestamp();
        for (var sent = 0; sent < total || Stopwatch.GetTimestamp() - start < Stopwatch.Frequency * total / FailoverPacketsPerSecond + (Stopwatch.Frequency / 5);)
        {
            var due = Math.Min(total, (int)((Stopwatch.GetTimestamp() - start) * FailoverPacketsPerSecond / Stopwatch.Frequency));
            for (outgoing.Clear(); sent < due; sent++)
            {
                WriteFrame(outgoing.Append(FrameLength), flow: 1, sequence: sent);
                if (outgoing.IsFull)
                {
                    source.Send(outgoing);
                    outgoing.Clear();
                }
            }

            source.Send(outgoing);
            if (sent >= total / 3)
            {
                pFromNode.IsForcedDown = true;
            }

            p.PollOnce();
            q.PollOnce();

            foreach (var sink in new[] { sinkP, sinkQ })
            {
                incoming.Clear();
                sink.Receive(incoming);
                for (var i = 0; i < incoming.Count; i++)
                {
                    seen[BitConverter.ToInt32(incoming.Frame(i)[4..])] = true;
                }
            }

            Thread.Sleep(1);
        }

        return seen.Count(s => !s) * 1000.0 / FailoverPacketsPerSecond;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }

    private static PacketBurst FullBurst(int flows, int frames = PacketBurst.Capacity)
    {
        var burst = new PacketBurst();
        for (var i = 0; i < frames; i++)
        {
            WriteFrame(burst.Append(FrameLength), flow: i % flows, sequence: i);
        }

        return burst;
    }

    /// <summary>[label 100 | service 5000, bottom of stack] then a 64-byte payload: sequence number, then flow-specific MACs.</summary>
    private static void WriteFrame(Span<byte> frame, int flow, int sequence)
    {
        new MplsLabelStackEntry(100, 0, BottomOfStack: false, Ttl: 64).TryWrite(frame);
        new MplsLabelStackEntry(5000, 0, BottomOfStack: true, Ttl: 64).TryWrite(frame[4..]);
        frame[8..].Clear();
        BitConverter.TryWriteBytes(frame[8..], sequence);
        BitConverter.TryWriteBytes(frame[14..], flow);
    }

    /// <summary>
    /// Warms both rounds up for a quarter of <paramref name="seconds"/> each, calls <paramref name="resetCounts"/>,
    /// then runs them in ten alternating slices, so both see the same machine load; returns the seconds each ran.
    /// </summary>
    private static (double First, double Second) RunAlternately(double seconds, Action first, Action second, Action resetCounts)
    {
        RunFor(seconds / 4, first);
        RunFor(seconds / 4, second);
        resetCounts();
        var (firstSeconds, secondSeconds) = (0.0, 0.0);
        const int Slices = 10;
        for (var slice = 0; slice < Slices; slice++)
        {
            firstSeconds += RunFor(seconds / Slices, first);
            secondSeconds += RunFor(seconds / Slices, second);
        }

        return (firstSeconds, secondSeconds);
    }

    private static double RunFor(double seconds, Action round)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 10; i++)
            {
                round();
            }
        }

        return stopwatch.Elapsed.TotalSeconds;
    }
}
