using System.Diagnostics;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Benchmarks.Edge;

/// <summary>
/// The edge switch on one thread: cache-hit throughput against a same-run baseline, full classification with
/// the cache off, and flow-mods applied while traffic runs.
/// </summary>
internal sealed class EdgeSuite : IBenchmarkSuite
{
    private const int Flows = 4096;

    public string Name => "edge";

    public string Description => "64-byte frames through a 4-table pipeline: cache hits vs parse+lookup+copy, misses at 100K entries, flow-mods under traffic";

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
        var (flowModsPerSecond, mppsUnderFlowMods) = RunFlowMods(fixture, burst, window);

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

    /// <summary>One forwarding-table change per burst: every change invalidates what the table decided, so this is the worst case.</summary>
    private static (double FlowModsPerSecond, double Mpps) RunFlowMods(EdgePipelineFixture fixture, PacketBurst burst, TimeSpan window)
    {
        var pipeline = fixture.Switch.Pipeline;
        var extra = fixture.ForwardingEntries;
        var mods = 0L;
        var packets = 0L;
        var next = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            var mod = EdgePipelineFixture.ForwardingEntry(extra + (int)(mods / 2));
            pipeline.Apply(mods % 2 == 0 ? mod : mod with { Command = FlowEditCommand.DeleteStrict });
            mods++;
            next = fixture.Refill(burst, next);
            fixture.Switch.Datapath.Process(EdgePipelineFixture.VmPort, burst);
            packets += burst.Count;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return (mods / seconds, packets / seconds / 1e6);
    }

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
