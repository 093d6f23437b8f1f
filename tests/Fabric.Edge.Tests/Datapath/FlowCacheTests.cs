using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

public class FlowCacheTests
{
    private readonly EdgeSwitch _switch = new(2);

    [Fact]
    public void Every_tier_is_counted()
    {
        _switch.Pipeline.Add(0, 10, FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 0, 0), 8), PipelineAction.Output(2));
        var cache = _switch.Datapath.Cache;

        _switch.Datapath.Classify(Keys.Udp(1, 1, Keys.Ip(10, 0, 0, 1)));
        _switch.Datapath.Classify(Keys.Udp(1, 1, Keys.Ip(10, 0, 0, 1)));
        _switch.Datapath.Classify(Keys.Udp(1, 2, Keys.Ip(10, 0, 0, 2)));
        _switch.Datapath.Classify(Keys.Udp(1, 2, Keys.Ip(10, 0, 0, 2)));

        Assert.Equal((1, 1, 2), (cache.Misses, cache.MegaflowHits, cache.ExactHits));
    }

    [Fact]
    public void A_change_to_a_table_the_flow_read_invalidates_it_and_other_tables_do_not()
    {
        _switch.Pipeline.Add(0, 10, FlowMatch.Any.InPort(1), PipelineAction.Output(2));
        var key = Keys.Udp(1, 1, 2);
        _switch.Datapath.Classify(key);

        _switch.Pipeline.Add(1, 10, FlowMatch.Any, PipelineAction.Output(3));
        _switch.Datapath.Classify(key);
        Assert.Equal(1, _switch.Datapath.Cache.Misses);

        _switch.Pipeline.Add(0, 20, FlowMatch.Any.L4Dst(2000), PipelineAction.Output(4));
        Assert.Equal([4u], Flows.Outputs(_switch.Datapath.Classify(key)));
        Assert.Equal(2, _switch.Datapath.Cache.Misses);
    }

    [Fact]
    public void A_hit_allocates_nothing()
    {
        _switch.Pipeline.Add(0, 10, FlowMatch.Any.InPort(1), PipelineAction.Output(2));
        var key = Keys.Udp(1, 1, 2);
        ClassifyMany(key);

        Allocations.AssertNone(() => ClassifyMany(key));
    }

    private void ClassifyMany(Sdn.Common.Packets.FlowKey key)
    {
        for (var i = 0; i < 10_000; i++)
        {
            _switch.Datapath.Classify(key);
        }
    }
}
