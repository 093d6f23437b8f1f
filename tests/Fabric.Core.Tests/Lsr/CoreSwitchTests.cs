using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;
using Sdn.Fabric.Core.Lsr;
using Sdn.Fabric.Core.Tests.Support;

namespace Sdn.Fabric.Core.Tests.Lsr;

/// <summary>A core node on its own thread between two test edges over in-memory links without liveness.</summary>
public sealed class CoreSwitchTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly CoreSwitch _node = new("c");
    private readonly TestEdge _west = new("west", transportLabel: 900);
    private readonly TestEdge _east = new("east", transportLabel: 1000);

    public CoreSwitchTests()
    {
        var (nodeWest, west) = InMemoryLink.CreatePair("c-west", "west-c");
        var (nodeEast, east) = InMemoryLink.CreatePair("c-east", "east-c");
        _node.AddPort(nodeWest, liveness: null);
        _node.AddPort(nodeEast, liveness: null);
        _west.AddUplink(west);
        _east.AddUplink(east);
    }

    [Fact]
    public void A_new_lfib_takes_over_atomically_while_traffic_flows()
    {
        Assert.True(_node.TryInstall(new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(1, 1000))])));
        _node.Start();
        Send(count: 100, firstSequence: 0);
        Assert.True(Poll.Until(() => _east.Delivered.Count == 100, Timeout, _west, _east));

        Assert.True(_node.TryInstall(new Lfib(2, [new LabelRoute(100, LabelAction.PenultimateHopPop, [new LabelNextHop(1, 0)])])));
        Send(count: 100, firstSequence: 100);
        Assert.True(Poll.Until(() => _east.Delivered.Count == 200, Timeout, _west, _east));

        Assert.Equal(2ul, _node.Lfib.Version);
        Assert.Equal((100L, 100L), (_node.Statistics.Swapped, _node.Statistics.PenultimatePopped));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), _east.Delivered.Select(d => MplsFrames.SequenceOf(d.Payload)));
    }

    [Fact]
    public void An_older_or_same_version_is_refused_and_the_installed_table_kept()
    {
        var current = new Lfib(5, [LabelRoute.Swap(100, new LabelNextHop(1, 1000))]);
        Assert.True(_node.TryInstall(current));

        Assert.False(_node.TryInstall(new Lfib(5, [])));
        Assert.False(_node.TryInstall(new Lfib(4, [])));
        Assert.Same(current, _node.Lfib);
    }

    [Fact]
    public void A_table_naming_a_port_the_node_lacks_is_refused()
    {
        var error = Assert.Throws<LsrException>(() => _node.TryInstall(new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(2, 1000))])));

        Assert.Contains("port 2", error.Message, StringComparison.Ordinal);
        Assert.Same(Lfib.Empty, _node.Lfib);
    }

    [Fact]
    public void Bad_traffic_is_counted_and_dropped_and_good_traffic_still_flows()
    {
        _node.TryInstall(new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(1, 1000))]));
        _node.Start();
        var noBottom = MplsFrames.Build([100, 100, 100], MplsFrames.Payload(1, 0));
        noBottom[10] &= 0xFE;
        foreach (var bad in new[] { new byte[] { 1, 2 }, noBottom, MplsFrames.Build([4242], MplsFrames.Payload(1, 0)) })
        {
            _west.LinkOf(0).Send(MplsFrames.Burst(bad));
        }

        Send(count: 1, firstSequence: 0);

        Assert.True(Poll.Until(() => _east.Delivered.Count == 1 && _node.Statistics.Received == 4, Timeout, _west, _east));
        Assert.Equal((2L, 1L), (_node.Statistics.DroppedMalformed, _node.Statistics.DroppedUnknownLabel));
    }

    [Fact]
    public void Two_core_nodes_forward_across_an_mpls_in_udp_link_once_liveness_is_up()
    {
        // Relaxed timers: this test is about forwarding, and must not flap when the machine is busy.
        var liveness = new LivenessOptions(TimeSpan.FromMilliseconds(50), 5);
        var (udpA, udpB) = LinkPairs.CreateUdp();
        using var far = new CoreSwitch("far");
        _node.AddPort(udpA, liveness);
        far.AddPort(udpB, liveness);
        var (farEast, east) = InMemoryLink.CreatePair("far-east", "east-far");
        far.AddPort(farEast, liveness: null);
        using var farEdge = new TestEdge("far-east", transportLabel: 1000);
        farEdge.AddUplink(east);
        _node.TryInstall(new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(2, 300))]));
        far.TryInstall(new Lfib(1, [LabelRoute.Swap(300, new LabelNextHop(1, 1000))]));
        _node.Start();
        far.Start();
        Assert.True(Poll.Until(() => _node.Ports[2].IsUp && far.Ports[0].IsUp, Timeout), "liveness over UDP should come up");

        Send(count: 300, firstSequence: 0);

        Assert.True(Poll.Until(() => farEdge.Delivered.Count == 300, Timeout, _west, farEdge));
        Assert.Equal(300, udpB.Statistics.RxFrames);
        Assert.True(udpB.Statistics.HellosReceived > 0);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i).Order(), farEdge.Delivered.Select(d => MplsFrames.SequenceOf(d.Payload)).Order());
    }

    [Fact]
    public void A_port_added_to_a_running_node_forwards_and_one_removed_frees_its_index()
    {
        var north = new TestEdge("north", transportLabel: 1100);
        var (nodeNorth, northEnd) = InMemoryLink.CreatePair("c-north", "north-c");
        north.AddUplink(northEnd);
        _node.Start();

        var added = _node.AddPort(nodeNorth, liveness: null);
        Assert.True(_node.TryInstall(new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(added.Index, 1100))])));
        Send(count: 10, firstSequence: 0);
        Assert.True(Poll.Until(() => north.Delivered.Count == 10, Timeout, _west, north));

        var refused = Assert.Throws<LsrException>(() => _node.RemovePort(added));
        Assert.Contains("still in LFIB v1", refused.Message, StringComparison.Ordinal);
        Assert.True(_node.TryInstall(new Lfib(2, [LabelRoute.Swap(100, new LabelNextHop(1, 1000))])));
        _node.RemovePort(added);
        Send(count: 10, firstSequence: 10);
        Assert.True(Poll.Until(() => _east.Delivered.Count == 10, Timeout, _west, _east));

        Assert.Equal(2, added.Index);
        Assert.Equal(["c-west", "c-east"], _node.Ports.Select(p => p.Link.Name));
        Assert.Equal(2, _node.AddPort(InMemoryLink.CreatePair("c-again", "x").A, liveness: null).Index);
        Assert.Equal(10, north.Delivered.Count);
        nodeNorth.Dispose();
        northEnd.Dispose();
    }

    [Fact]
    public void A_link_end_that_throws_costs_the_rounds_it_fails_not_the_forwarding_thread()
    {
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var node = new CoreSwitch("c2", log.Enqueue);
        using var west = new TestEdge("west", transportLabel: 900);
        using var east = new TestEdge("east", transportLabel: 1000);
        var (nodeWest, westEnd) = InMemoryLink.CreatePair("c2-west", "west-c2");
        var (nodeEast, eastEnd) = InMemoryLink.CreatePair("c2-east", "east-c2");
        using var faulty = new FaultyLink("c2-faulty");
        node.AddPort(nodeWest, liveness: null);
        node.AddPort(nodeEast, liveness: null);
        node.AddPort(faulty, liveness: null);
        west.AddUplink(westEnd);
        east.AddUplink(eastEnd);
        node.TryInstall(new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(1, 1000))]));

        faulty.Fail(5);
        node.Start();
        Assert.True(Poll.Until(() => node.Faults.Count == 5, Timeout, west, east));
        west.Send(0, [100, 5000], MplsFrames.Payload(flow: 1, 0));

        Assert.True(Poll.Until(() => east.Delivered.Count == 1, Timeout, west, east));
        Assert.Equal("core c2: a polling round failed: InvalidOperationException: c2-faulty lost its ring; polling goes on", Assert.Single(log));
    }

    public void Dispose()
    {
        _node.Dispose();
        _west.Dispose();
        _east.Dispose();
    }

    private void Send(int count, int firstSequence)
    {
        for (var i = firstSequence; i < firstSequence + count; i++)
        {
            _west.Send(0, [100, 5000], MplsFrames.Payload(flow: i, i));
        }
    }
}
