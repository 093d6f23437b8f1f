using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
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
    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_cached_path_always_decides_what_the_uncached_pipeline_decides(int seed) => RunRandomChanges(seed, withCt: false);

    /// <summary>
    /// As above, with ct lookups that go on in the same or a later table and entries matching on ct_state: each flow's
    /// tables then run once per ct_state, so a flow is in many sets more than once.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_cached_path_always_decides_what_the_uncached_pipeline_decides_through_ct_lookups(int seed) => RunRandomChanges(seed, withCt: true);

    private static void RunRandomChanges(int seed, bool withCt)
    {
        var random = new Random(seed);
        var edge = new EdgeSwitch(3);
        edge.Pipeline.Groups.Add(RandomGroup(1, random));
        edge.Pipeline.Groups.Add(new GroupEntry(2, GroupKind.FastFailover,
            [new GroupBucket(1, [PipelineAction.Output(13)], WatchPort: 13), new GroupBucket(2, [PipelineAction.Output(14)], WatchPort: 14)]));
        for (var i = 0; i < 60; i++)
        {
            edge.Pipeline.Apply(RandomAdd(random, withCt));
        }

        var keys = Enumerable.Range(0, 48).Select(_ => RandomKey(random)).ToArray();
        for (var step = 0; step < 6000; step++)
        {
            if (random.Next(20) == 0)
            {
                var change = ChangeSomething(edge.Pipeline, random, withCt);

                // Every key the cache may hold, right after the change: a stale flow would answer one of them.
                foreach (var held in keys)
                {
                    AssertSameDecision(edge, held, seed, step, change);
                }
            }

            AssertSameDecision(edge, keys[random.Next(keys.Length)], seed, step, "none");
        }

        var cache = edge.Datapath.Cache;
        var hits = cache.ExactHits + cache.MegaflowHits;
        Assert.True(hits > 3 * cache.Misses, $"seed {seed}: {hits} hits against {cache.Misses} misses: changes retired flows they could not alter");
    }

    private static void AssertSameDecision(EdgeSwitch edge, FlowKey key, int seed, int step, string change)
    {
        var tier = edge.Datapath.Cache.Peek(key);
        // A flow's text holds its actions and, after a ct lookup, what follows for each ct_state.
        var cached = edge.Datapath.Classify(key).ToString();
        var fresh = edge.Pipeline.Translate(key, out _).ToString();
        Assert.True(cached == fresh,
            $"seed {seed}, step {step}, after {change}: the cache decided [{cached}], the pipeline [{fresh}] ({tier}) for in_port={key.InPort} dst={key.Ipv4Dst:x} l4dst={key.L4Dst} ttl={key.IpTtl}\n{edge.Trace(key)}");
    }

    private static string ChangeSomething(EdgePipeline pipeline, Random random, bool withCt)
    {
        FlowEdit? mod = null;
        switch (random.Next(8))
        {
            case 0:
            case 1:
                mod = RandomAdd(random, withCt);
                break;
            case 2:
                mod = FlowEdit.Delete((byte)random.Next(3), RandomMatch(random, withCt));
                break;
            case 3:
                var table = pipeline.Tables[random.Next(3)];
                if (table.Entries.ToList() is { Count: > 0 } entries && entries[random.Next(entries.Count)] is { } victim)
                {
                    mod = FlowEdit.DeleteStrict(table.Id, victim.Priority, victim.Match);
                }

                break;
            case 4:
                mod = FlowEdit.Modify((byte)random.Next(3), RandomMatch(random, withCt), FlowInstructions.Apply(PipelineAction.Output((uint)random.Next(2, 9))));
                break;
            case 5:
                var group = RandomGroup(1, random);
                pipeline.Groups.Modify(group);
                return $"modify {group}";
            default:
                var (port, live) = ((uint)random.Next(13, 15), random.Next(2) == 0);
                pipeline.Liveness.SetPortLive(port, live);
                return $"port {port} {(live ? "up" : "down")}";
        }

        if (mod is null)
        {
            return "none";
        }

        pipeline.Apply(mod);
        return $"{mod.Command} table {mod.TableId} priority {mod.Priority} {mod.Match}";
    }

    private static GroupEntry RandomGroup(uint id, Random random) =>
        new(id, random.Next(2) == 0 ? GroupKind.Select : GroupKind.All,
            Enumerable.Range(1, random.Next(1, 4)).Select(b => new GroupBucket((uint)b, [PipelineAction.Output((uint)random.Next(9, 13))])).ToList());

    private static FlowEdit RandomAdd(Random random, bool withCt)
    {
        var table = (byte)random.Next(3);
        if (withCt && random.Next(6) == 0)
        {
            // Goes on in this table or a later one: each ct_state runs the tables from there.
            var goOn = (byte)(table + random.Next(3 - table));
            return FlowEdit.Add(table, random.Next(1, 8), RandomMatch(random, withCt).CtState(default, CtState.Tracked), FlowInstructions.Apply(PipelineAction.Ct(1, table: goOn)));
        }

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
        return FlowEdit.Add(table, random.Next(1, 8), RandomMatch(random, withCt), instructions);
    }

    private static FlowMatch RandomMatch(Random random, bool withCt = false)
    {
        var match = FlowMatch.Any;
        if (withCt && random.Next(3) == 0)
        {
            match = match.CtState(CtOutcomes.All[random.Next(CtOutcomes.All.Count)]);
        }

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
