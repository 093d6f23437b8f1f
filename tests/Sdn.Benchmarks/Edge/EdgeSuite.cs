using System.Diagnostics;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Benchmarks.Edge;

/// <summary>
/// The edge switch on one thread: cache-hit throughput against a same-run baseline, full classification with
/// the cache off, and flow-mods applied while traffic runs: as fast as they go, and at a fabric's pace against the
/// same traffic without them.
/// </summary>
internal sealed class EdgeSuite : IBenchmarkSuite
{
    private const int Flows = 4096;

    /// <summary>The pace of the churn figures: a fabric whose controller changes this edge's entries a thousand times a second.</summary>
    private const int ChurnFlowModsPerSecond = 1000;

    /// <summary>How many other hosts' forwarding entries the churn adds and removes in turn.</summary>
    private const int ChurnHosts = 1000;

    public string Name => "edge";

    public string Description => "64-byte frames through a 4-table pipeline: cache hits vs parse+lookup+copy, misses at 100K entries, flow-mods under traffic, 1,000 flow-mods/s vs none";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pairs = options.Quick ? 4 : 40;
        var pairWindow = TimeSpan.FromMilliseconds(50);
        var window = options.Quick ? TimeSpan.FromMilliseconds(150) : TimeSpan.FromSeconds(1);

        var fixture = new EdgePipelineFixture(aclRules: 1000, forwardingEntries: 10_000, Flows);
        var baseline = new Baseline(Flows);
        var burst = new PacketBurst();
        var (hit, copy) = Measurement.TurnAbout(
            pairs, window, pairWindow, w => RunHits(fixture, burst, w), w => RunBaseline(fixture, baseline, burst, w));

        var cache = fixture.Switch.Datapath.Cache;
        var lookups = (double)(cache.ExactHits + cache.MegaflowHits + cache.Misses);
        var (exactFraction, megaflowFraction) = (cache.ExactHits / lookups, cache.MegaflowHits / lookups);
        var (otherHosts, ownEntries, none) = (OtherHostsChurn(fixture), OwnEntriesChurn(), new FlowEdit?[1]);
        var (flowModsPerSecond, mppsUnderFlowMods) = RunFlowMods(fixture, burst, window, otherHosts);
        var (_, mppsUnderOwnFlowMods) = RunFlowMods(fixture, burst, window, ownEntries);

        var (churn, quiet) = Measurement.TurnAbout(
            pairs, window, pairWindow, w => RunPaced(fixture, burst, w, otherHosts), w => RunPaced(fixture, burst, w, none));
        var (ownChurn, ownQuiet) = Measurement.TurnAbout(
            pairs, window, pairWindow, w => RunPaced(fixture, burst, w, ownEntries), w => RunPaced(fixture, burst, w, none));

        // The slowest window of each side against the quiet median: on a shared machine the quiet side's own worst
        // window is the floor that the churn's worst is to be read against.
        var (churnWorst, quietWorst) = (churn.Mpps.Min() / quiet.MedianMpps, quiet.Mpps.Min() / quiet.MedianMpps);

        var missFixture = new EdgePipelineFixture(aclRules: 1000, forwardingEntries: 100_000, Flows);
        missFixture.Switch.Datapath.Cache.Enabled = false;
        var miss = RunHits(missFixture, burst, window);

        return
        [
            new("hit_mpps", hit.MedianMpps),
            new("baseline_mpps", copy.MedianMpps),
            new("hit_ratio", hit.MedianMpps / copy.MedianMpps),
            new("miss_mpps", miss.Mpps),
            new("flowmods_per_s", flowModsPerSecond),
            new("mpps_during_flowmods", mppsUnderFlowMods),
            new("mpps_during_own_flowmods", mppsUnderOwnFlowMods),
            new("churn_mpps", churn.MedianMpps),
            new("churn_baseline_mpps", quiet.MedianMpps),
            new("churn_ratio", churn.MedianMpps / quiet.MedianMpps),
            new("churn_worst_window_ratio", churnWorst),
            new("quiet_worst_window_ratio", quietWorst),
            new("churn_own_entries_ratio", ownChurn.MedianMpps / ownQuiet.MedianMpps),
            new("hit_allocated_bytes_per_packet", hit.AllocatedBytesPerPacket),
            new("baseline_allocated_bytes_per_packet", copy.AllocatedBytesPerPacket),
            new("exact_hit_fraction", exactFraction),
            new("megaflow_hit_fraction", megaflowFraction),
            new("megaflow_masks", cache.MegaflowMaskCount),
        ];
    }

    private static Sample RunHits(EdgePipelineFixture fixture, PacketBurst burst, TimeSpan window) =>
        Sample.Measure(window, next =>
        {
            next = fixture.Refill(burst, next);
            fixture.Switch.Datapath.Process(EdgePipelineFixture.VmPort, burst);
            return next;
        });

    private static Sample RunBaseline(EdgePipelineFixture fixture, Baseline baseline, PacketBurst burst, TimeSpan window) =>
        Sample.Measure(window, next =>
        {
            next = fixture.Refill(burst, next);
            baseline.Process(burst);
            return next;
        });

    /// <summary>One flow-mod per burst, as fast as the switch takes them and forwards between them.</summary>
    private static (double FlowModsPerSecond, double Mpps) RunFlowMods(EdgePipelineFixture fixture, PacketBurst burst, TimeSpan window, FlowEdit[] mods)
    {
        var pipeline = fixture.Switch.Pipeline;
        var applied = 0L;
        var packets = 0L;
        var next = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            pipeline.Apply(mods[applied++ % mods.Length]);
            next = fixture.Refill(burst, next);
            fixture.Switch.Datapath.Process(EdgePipelineFixture.VmPort, burst);
            packets += burst.Count;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return (applied / seconds, packets / seconds / 1e6);
    }

    /// <summary>
    /// The traffic, with the flow-mods of <paramref name="mods"/> applied in turn at <see cref="ChurnFlowModsPerSecond"/>
    /// between bursts; a single null entry applies none, with the same clock reads.
    /// </summary>
    private static Sample RunPaced(EdgePipelineFixture fixture, PacketBurst burst, TimeSpan window, FlowEdit?[] mods)
    {
        var pipeline = fixture.Switch.Pipeline;
        var started = Stopwatch.GetTimestamp();
        var applied = 0L;
        return Sample.Measure(window, next =>
        {
            var due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * ChurnFlowModsPerSecond);
            for (; applied < due; applied++)
            {
                if (mods[applied % mods.Length] is { } mod)
                {
                    pipeline.Apply(mod);
                }
            }

            next = fixture.Refill(burst, next);
            fixture.Switch.Datapath.Process(EdgePipelineFixture.VmPort, burst);
            return next;
        });
    }

    /// <summary>What a fabric does to an edge all day: forwarding entries of hosts elsewhere added, then removed.</summary>
    private static FlowEdit[] OtherHostsChurn(EdgePipelineFixture fixture) =>
        Enumerable.Range(fixture.ForwardingEntries, ChurnHosts)
            .SelectMany(host => new[] { EdgePipelineFixture.ForwardingEntry(host), EdgePipelineFixture.ForwardingEntry(host) with { Command = FlowEditCommand.DeleteStrict } })
            .ToArray();

    /// <summary>The worst case: each flow-mod rewrites the forwarding entry of a host the traffic goes to.</summary>
    private static FlowEdit[] OwnEntriesChurn() =>
        Enumerable.Range(0, EdgePipelineFixture.TrafficHosts(Flows))
            .Select(host => EdgePipelineFixture.ForwardingEntry(host) with { Command = FlowEditCommand.ModifyStrict })
            .ToArray();

    /// <summary>Per packet: parse the frame, one hash lookup of its key, copy it once to an output burst.</summary>
    private sealed class Baseline
    {
        private readonly FlowKeyTable<object> _table;
        private readonly PacketBurst _output = new();
        private readonly object _value = new();

        public Baseline(int flows) => _table = new(flows * 2);

        public void Process(PacketBurst burst)
        {
            _output.Clear();
            for (var i = 0; i < burst.Count; i++)
            {
                var frame = burst.Frame(i);
                FlowKeyExtractor.Extract(frame, EdgePipelineFixture.VmPort, out var key, out _);
                var hash = key.Hash64();
                if (!_table.TryGet(key, hash, out _))
                {
                    _table.TrySet(key, hash, _value);
                }

                _output.TryAppend(frame);
            }
        }
    }
}
