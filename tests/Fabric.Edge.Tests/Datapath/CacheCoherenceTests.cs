using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Pipeline.Groups;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>
/// Differential test: random tables, random traffic and random table changes while it runs; whatever the cache
/// answers must be exactly what the classifier decides from scratch.
/// </summary>
public class CacheCoherenceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_cached_path_always_decides_what_the_uncached_pipeline_decides(int seed)
    {
        var random = new Random(seed);
        var edge = new EdgeSwitch(3);
        edge.Pipeline.Groups.Add(new GroupEntry(1, GroupKind.Select, [new GroupBucket(1, [PipelineAction.Output(11)]), new GroupBucket(2, [PipelineAction.Output(12)])]));
        edge.Pipeline.Groups.Add(new GroupEntry(2, GroupKind.FastFailover,
            [new GroupBucket(1, [PipelineAction.Output(13)], WatchPort: 13), new GroupBucket(2, [PipelineAction.Output(14)], WatchPort: 14)]));
        for (var i = 0; i < 60; i++)
        {
            edge.Pipeline.Apply(RandomAdd(random));
        }

        var hits = 0L;
        for (var step = 0; step < 6000; step++)
        {
            if (random.Next(40) == 0)
            {
                ChangeSomething(edge.Pipeline, random);
            }

            var key = RandomKey(random);
            var cached = edge.Datapath.Classify(key);
            var fresh = edge.Pipeline.Translate(key, out _);
            Assert.Equal(fresh.Actions, cached.Actions);
            hits = edge.Datapath.Cache.ExactHits + edge.Datapath.Cache.MegaflowHits;
        }

        Assert.True(hits > 1000, $"only {hits} cache hits: the test did not exercise the cache");
    }

    private static void ChangeSomething(EdgePipeline pipeline, Random random)
    {
        switch (random.Next(5))
        {
            case 0:
            case 1:
                pipeline.Apply(RandomAdd(random));
                break;
            case 2:
                pipeline.Apply(FlowEdit.Delete((byte)random.Next(3), RandomMatch(random)));
                break;
            case 3:
                pipeline.Apply(FlowEdit.Modify((byte)random.Next(3), RandomMatch(random), FlowInstructions.Apply(PipelineAction.Output((uint)random.Next(2, 9)))));
                break;
            default:
                pipeline.Liveness.SetPortLive((uint)random.Next(13, 15), random.Next(2) == 0);
                break;
        }
    }

    private static FlowEdit RandomAdd(Random random)
    {
        var table = (byte)random.Next(3);
        var actions = new List<PipelineAction>();
        switch (random.Next(6))
        {
            case 0:
                actions.Add(PipelineAction.SetField(HeaderField.L4Dst, (ulong)random.Next(4)));
                break;
            case 1:
                actions.Add(PipelineAction.DecIpTtl());
                break;
            case 2:
                actions.Add(PipelineAction.Group((uint)random.Next(1, 3)));
                break;
            case 3:
                actions.Add(PipelineAction.PushVlan());
                break;
            default:
                break;
        }

        actions.Add(PipelineAction.Output((uint)random.Next(2, 9)));
        var instructions = new FlowInstructions(actions, table < 2 && random.Next(2) == 0 ? (byte)(table + 1 + random.Next(2 - table)) : null)
            .WithMetadata((ulong)random.Next(2), random.Next(3) == 0 ? 1UL : 0);
        return FlowEdit.Add(table, random.Next(1, 8), RandomMatch(random), instructions);
    }

    private static FlowMatch RandomMatch(Random random)
    {
        var match = FlowMatch.Any;
        if (random.Next(3) == 0)
        {
            match = match.InPort((uint)random.Next(1, 3));
        }

        if (random.Next(2) == 0)
        {
            match = match.Ipv4Dst((uint)random.Next(4) << 30, random.Next(1, 3));
        }

        if (random.Next(3) == 0)
        {
            match = match.L4Dst((ushort)random.Next(4));
        }

        if (random.Next(4) == 0)
        {
            match = match.IpTtl((byte)random.Next(1, 3));
        }

        if (random.Next(4) == 0)
        {
            match = match.Metadata((ulong)random.Next(2), 1);
        }

        if (random.Next(5) == 0)
        {
            match = match.NoVlan();
        }

        return match;
    }

    private static FlowKey RandomKey(Random random) =>
        Keys.Udp((uint)random.Next(1, 3), (uint)random.Next(8), (uint)random.Next(4) << 30, (ushort)random.Next(3), (ushort)random.Next(4), (byte)random.Next(1, 4));
}
