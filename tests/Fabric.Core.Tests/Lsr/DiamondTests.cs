using System.Collections.Concurrent;
using System.Diagnostics;
using Sdn.Fabric.Core.Links.Liveness;
using Sdn.Fabric.Core.Tests.Support;
using Xunit.Abstractions;

namespace Sdn.Fabric.Core.Tests.Lsr;

/// <summary>Traffic between two test edges across three core nodes on their own threads (see <see cref="Diamond"/>).</summary>
[Collection(TimingSensitive.Name)]
public sealed class DiamondTests : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    // Tests about where traffic goes use timers a busy CI machine cannot trip; the failover test uses the
    // 10 ms × 3 it is about.
    private static readonly LivenessOptions Relaxed = new(TimeSpan.FromMilliseconds(50), 5);

    private readonly ITestOutputHelper _output;
    private Diamond _diamond = null!;

    public DiamondTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void Traffic_crosses_the_diamond_on_the_primary_path_intact()
    {
        Build(Relaxed);
        for (var i = 0; i < 500; i++)
        {
            _diamond.E1.Send(0, [Diamond.ProtectedLabel, Diamond.ServiceLabel], MplsFrames.Payload(flow: i, i));
        }

        Assert.True(Poll.Until(() => _diamond.E2.Delivered.Count == 500, Settle, _diamond.E1, _diamond.E2));

        Assert.All(_diamond.E2.Delivered, d => Assert.Equal((Diamond.ViaC2, Diamond.ServiceLabel), (d.Uplink, d.ServiceLabel)));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => MplsFrames.Payload(i, i)), _diamond.E2.Delivered.Select(d => d.Payload));
        Assert.Equal(500, _diamond.C2.Statistics.Swapped);
        Assert.Equal(0, _diamond.E2.Rejected);
    }

    [Fact]
    public void Ecmp_spreads_many_flows_over_both_paths_and_never_splits_a_flow()
    {
        Build(Relaxed);
        const int Flows = 2000;
        const int FlowsPerRound = 500;
        for (var packet = 0; packet < 3; packet++)
        {
            // Rounds small enough for the links' rings, so nothing is dropped for want of room.
            for (var first = 0; first < Flows; first += FlowsPerRound)
            {
                for (var flow = first; flow < first + FlowsPerRound; flow++)
                {
                    _diamond.E1.Send(0, [Diamond.EcmpLabel, Diamond.ServiceLabel], MplsFrames.Payload(flow, packet));
                }

                var expected = (packet * Flows) + first + FlowsPerRound;
                Assert.True(Poll.Until(() => _diamond.E2.Delivered.Count == expected, Settle, _diamond.E1, _diamond.E2));
            }
        }

        var pathsOfFlow = _diamond.E2.Delivered.GroupBy(d => MplsFrames.FlowOf(d.Payload)).ToDictionary(g => g.Key, g => g.Select(d => d.Uplink).Distinct().ToList());
        Assert.Equal(Flows, pathsOfFlow.Count);
        Assert.All(pathsOfFlow.Values, paths => Assert.Single(paths));

        // Binomial(2000, 0.5) has a standard deviation of 22 flows; 40–60 % is a 9-sigma band.
        var viaC2 = pathsOfFlow.Values.Count(p => p[0] == Diamond.ViaC2);
        _output.WriteLine($"flows via C2: {viaC2} of {Flows}");
        Assert.InRange(viaC2, Flows * 0.4, Flows * 0.6);
        Assert.Equal(Flows * 3, _diamond.C2.Statistics.Swapped + _diamond.C3.Statistics.PenultimatePopped);
    }

    [Fact]
    public void Cutting_the_primary_link_moves_traffic_to_the_backup_within_the_detection_time()
    {
        Build(LivenessOptions.Default);
        var changes = new ConcurrentQueue<LivenessStateChange>();
        _diamond.C1.LinkStateChanged += (_, change) => changes.Enqueue(change);
        const int PacketsPerSecond = 10_000;
        const int Total = 8_000;
        var start = Stopwatch.GetTimestamp();
        var cutAt = 0L;
        var cutSequence = 0;
        for (var sent = 0; sent < Total;)
        {
            var due = Math.Min(Total, (int)((Stopwatch.GetTimestamp() - start) * PacketsPerSecond / Stopwatch.Frequency));
            for (; sent < due; sent++)
            {
                _diamond.E1.Send(0, [Diamond.ProtectedLabel, Diamond.ServiceLabel], MplsFrames.Payload(flow: 1, sent));
            }

            if (cutAt == 0 && sent >= Total / 4)
            {
                _diamond.C2EndOfC1C2.IsForcedDown = true;
                cutAt = Stopwatch.GetTimestamp();
                cutSequence = sent;
            }

            _diamond.E1.PollOnce();
            _diamond.E2.PollOnce();
            Thread.Sleep(1);
        }

        Poll.Until(() => _diamond.E2.Delivered.Count >= Total - 1000 && _diamond.C1.Statistics.ForwardedOnBackup > 0, Settle, _diamond.E1, _diamond.E2);
        Thread.Sleep(50);
        Poll.Until(() => false, TimeSpan.FromMilliseconds(100), _diamond.E1, _diamond.E2);

        var delivered = _diamond.E2.Delivered.Select(d => MplsFrames.SequenceOf(d.Payload)).ToHashSet();
        var lost = Enumerable.Range(0, Total).Where(s => !delivered.Contains(s)).ToList();
        var lossWindowMs = lost.Count * 1000.0 / PacketsPerSecond;
        var detectionMs = LivenessOptions.Default.TxInterval.TotalMilliseconds * LivenessOptions.Default.DetectMultiplier;
        _output.WriteLine($"lost {lost.Count} packets: a {lossWindowMs} ms loss window (detection time {detectionMs} ms)");
        _output.WriteLine($"c1 {_diamond.C1.Statistics}");
        _output.WriteLine(string.Join(" ", changes.Select(c => $"{c.LinkName}:{c.Current}")));

        // The slack covers the nodes' 1 ms idle sleeps and a busy two-core machine (CI runs other test
        // assemblies alongside); without fast reroute every packet after the cut would be lost, some 600 ms.
        Assert.InRange(lossWindowMs, 0.1, detectionMs + 100);
        // Frames still in flight towards C2 when it is cut are lost with it; those sent well before arrived.
        Assert.True(lost[0] >= cutSequence / 2, $"packet {lost[0]} was lost long before the cut at {cutSequence}");
        Assert.Contains(changes, c => c.LinkName.StartsWith("c1-c2", StringComparison.Ordinal) && c.Current == LivenessState.Down
            && c.Diagnostic == LivenessDiagnostic.ControlDetectionTimeExpired);
        Assert.Equal(Diamond.ViaC3, _diamond.E2.Delivered[^1].Uplink);
        Assert.Contains(_diamond.E2.Delivered, d => d.Uplink == Diamond.ViaC2);
        Assert.True((Stopwatch.GetTimestamp() - cutAt) * 1000 / Stopwatch.Frequency > 200, "the stream should run well past the cut");

        _diamond.C2EndOfC1C2.IsForcedDown = false;
        Assert.True(_diamond.WaitUntilUp(Settle), "the cut link should come back up once healed");
    }

    public void Dispose() => _diamond?.Dispose();

    private void Build(LivenessOptions liveness)
    {
        _diamond = new Diamond(liveness);
        Assert.True(_diamond.WaitUntilUp(Settle), "every liveness session in the diamond should come up");
    }
}
