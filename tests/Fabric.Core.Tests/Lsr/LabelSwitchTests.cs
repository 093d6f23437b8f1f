using Sdn.Common.Packets;
using Sdn.Fabric.Core.Lsr;
using Sdn.Fabric.Core.Tests.Support;

namespace Sdn.Fabric.Core.Tests.Lsr;

public class LabelSwitchTests
{
    private const int MplsFlowEntropyDepth = Sdn.Fabric.Core.Links.MplsFlowEntropy.MaxStackDepth;

    private static readonly byte[] Payload = MplsFrames.Payload(flow: 1, sequence: 0);

    private readonly LabelSwitch _switch = new(hashSeed: 1);
    private readonly EgressPlan _plan = new(3);
    private readonly List<byte[]>[] _sent = [[], [], []];
    private readonly bool[] _up = [true, true, true];

    private readonly Lfib _lfib = new(1, [
        LabelRoute.Swap(100, new LabelNextHop(1, 200)),
        new LabelRoute(101, LabelAction.PenultimateHopPop, [new LabelNextHop(2, 0)]),
        new LabelRoute(102, LabelAction.Pop, [new LabelNextHop(0, 0)]),
        LabelRoute.Swap(103, new LabelNextHop(1, 203), backup: new LabelNextHop(2, 303)),
        new LabelRoute(104, LabelAction.Swap, [new LabelNextHop(0, 204), new LabelNextHop(1, 214), new LabelNextHop(2, 224)]),
    ]);

    [Fact]
    public void Swap_replaces_the_label_decrements_ttl_and_keeps_tc_and_bottom_of_stack()
    {
        Forward(MplsFrames.Build([100, 5000], Payload, ttl: 64, trafficClass: 5));

        var frame = Single(port: 1);
        Assert.Equal(
            [new MplsLabelStackEntry(200, 5, false, 63), new MplsLabelStackEntry(5000, 5, true, 64)],
            MplsFrames.Stack(frame));
        Assert.Equal(Payload, frame[8..]);
        Assert.Equal(1, _switch.Statistics.Swapped);
    }

    [Fact]
    public void Penultimate_hop_pop_exposes_the_service_label_with_the_decremented_ttl()
    {
        Forward(MplsFrames.Build([101, 5000], Payload, ttl: 10));

        var frame = Single(port: 2);
        Assert.Equal([new MplsLabelStackEntry(5000, 0, true, 9)], MplsFrames.Stack(frame));
        Assert.Equal(Payload, frame[4..]);
        Assert.Equal(1, _switch.Statistics.PenultimatePopped);
    }

    [Fact]
    public void Pop_ends_the_lsp_and_forwards_on_the_label_below()
    {
        Forward(MplsFrames.Build([102, 100, 5000], Payload));

        Assert.Equal([200u, 5000u], MplsFrames.Stack(Single(port: 1)).Select(e => e.Label));
    }

    [Fact]
    public void An_explicit_null_above_a_label_is_popped_and_the_label_below_forwarded()
    {
        Forward(MplsFrames.Build([MplsLabelStackEntry.IPv4ExplicitNullLabel, 100, 5000], Payload));
        Forward(MplsFrames.Build([MplsLabelStackEntry.IPv6ExplicitNullLabel, 100, 5000], Payload));

        Assert.Equal(2, _sent[1].Count);
        Assert.Equal([200u, 5000u], MplsFrames.Stack(_sent[1][1]).Select(e => e.Label));
    }

    [Theory]
    [InlineData(MplsLabelStackEntry.RouterAlertLabel)]
    [InlineData(MplsLabelStackEntry.ImplicitNullLabel)]
    [InlineData(7u)] // entropy label indicator
    [InlineData(13u)] // GAL outside a hello
    [InlineData(15u)]
    public void Reserved_labels_the_core_does_not_act_on_are_counted_and_dropped(uint label)
    {
        Forward(MplsFrames.Build([label, 100, 5000], Payload));
        Forward(MplsFrames.Build([MplsLabelStackEntry.IPv4ExplicitNullLabel], Payload));

        AssertDropped(s => s.DroppedReservedLabel, 2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Ttl_expiry_is_counted_and_dropped(byte ttl)
    {
        Forward(MplsFrames.Build([100, 5000], Payload, ttl));

        AssertDropped(s => s.DroppedTtlExpired, 1);
    }

    [Fact]
    public void An_unknown_label_is_counted_and_dropped()
    {
        Forward(MplsFrames.Build([999, 5000], Payload));

        AssertDropped(s => s.DroppedUnknownLabel, 1);
    }

    [Fact]
    public void Malformed_stacks_are_counted_and_dropped_never_thrown()
    {
        var noBottom = MplsFrames.Build([100, 5000], Payload);
        noBottom[6] &= 0xFE;
        var tooDeep = MplsFrames.Build([.. Enumerable.Repeat(100u, MplsFlowEntropyDepth + 1)], Payload);
        Forward([1, 2, 3], [], MplsFrames.Build([100], [])[..3], noBottom[..8], tooDeep, noBottom);

        AssertDropped(s => s.DroppedMalformed, 6);
    }

    [Fact]
    public void A_pop_that_would_expose_the_payload_is_dropped()
    {
        Forward(MplsFrames.Build([101], Payload));
        Forward(MplsFrames.Build([102], Payload));

        AssertDropped(s => s.DroppedEndOfStack, 2);
    }

    [Fact]
    public void The_backup_carries_traffic_only_while_the_primary_is_down()
    {
        Forward(MplsFrames.Build([103, 5000], Payload));
        _up[1] = false;
        Forward(MplsFrames.Build([103, 5000], Payload));
        _up[2] = false;
        Forward(MplsFrames.Build([103, 5000], Payload));

        Assert.Equal([203u, 5000u], MplsFrames.Stack(Single(port: 1)).Select(e => e.Label));
        Assert.Equal([303u, 5000u], MplsFrames.Stack(Single(port: 2)).Select(e => e.Label));
        Assert.Equal((1L, 1L), (_switch.Statistics.ForwardedOnBackup, _switch.Statistics.DroppedNoLiveNextHop));
    }

    [Fact]
    public void Ecmp_keeps_each_flow_on_one_member_and_moves_only_the_flows_of_a_dead_member()
    {
        var before = MemberOfEachFlow();
        var again = MemberOfEachFlow();
        _up[1] = false;
        var after = MemberOfEachFlow();

        Assert.Equal(before, again);
        Assert.All(before.Where(b => b.Value != 1), b => Assert.Equal(b.Value, after[b.Key]));
        Assert.DoesNotContain(1, after.Values);
        Assert.Equal(3, before.Values.Distinct().Count());
    }

    [Fact]
    public void An_entropy_label_spreads_flows_that_share_their_inner_addresses()
    {
        const uint EntropyLabelIndicator = 7;
        var ports = new HashSet<int>();
        for (var entropy = 16u; entropy < 48; entropy++)
        {
            Forward(MplsFrames.Build([104, EntropyLabelIndicator, entropy, 5000], Payload));
            var port = Array.FindIndex(_sent, s => s.Count == 1);
            Assert.Equal([EntropyLabelIndicator, entropy, 5000u], MplsFrames.Stack(_sent[port][0]).Skip(1).Select(e => e.Label));
            ports.Add(port);
            _sent[port].Clear();
        }

        Assert.Equal(3, ports.Count);
    }

    [Fact]
    public void Forwarding_a_burst_allocates_nothing()
    {
        var input = new PacketBurst();
        var frame = MplsFrames.Build([104, 5000], Payload);

        // The JIT may allocate while it tiers the loop up, so look for one clean window of 6400 packets:
        // an allocation per packet or per burst would dirty every window.
        var cleanWindows = 0;
        for (var window = 0; window < 20; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Warm(input, frame);
            cleanWindows += GC.GetAllocatedBytesForCurrentThread() == before ? 1 : 0;
        }

        Assert.True(cleanWindows > 0, "every window of 100 bursts allocated");
    }

    private void Warm(PacketBurst input, byte[] frame)
    {
        for (var round = 0; round < 100; round++)
        {
            input.Clear();
            while (input.TryAppend(frame))
            {
            }

            _switch.Forward(_lfib, input, _up, _plan);
            _plan.Clear();
        }
    }

    private Dictionary<int, int> MemberOfEachFlow()
    {
        var member = new Dictionary<int, int>();
        for (var flow = 0; flow < 300; flow++)
        {
            Forward(MplsFrames.Build([104, 5000], MplsFrames.Payload(flow, 0)));
            var port = Array.FindIndex(_sent, s => s.Count == 1);
            member[flow] = port;
            _sent[port].Clear();
        }

        return member;
    }

    /// <summary>Forwards one burst of <paramref name="frames"/> and keeps a copy of what each port would send.</summary>
    private void Forward(params byte[][] frames)
    {
        var burst = MplsFrames.Burst(frames);
        _switch.Forward(_lfib, burst, _up, _plan);
        for (var port = 0; port < _plan.Ports; port++)
        {
            foreach (var frame in _plan.Frames(port))
            {
                _sent[port].Add(burst.Frame(frame).ToArray());
            }
        }

        _plan.Clear();
    }

    private byte[] Single(int port)
    {
        var frame = Assert.Single(_sent[port]);
        _sent[port].Clear();
        return frame;
    }

    private void AssertDropped(Func<LsrStatistics, long> counter, long expected)
    {
        var statistics = _switch.Statistics;
        Assert.Equal(expected, counter(statistics));
        Assert.Equal(statistics.Received, statistics.Dropped);
        Assert.All(_sent, Assert.Empty);
    }
}
