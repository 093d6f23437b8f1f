using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Southbound;
using Sdn.Fabric.Controller.Tests.Northbound;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>The controller's side of Agent.Connect, against an agent speaking real gRPC over loopback.</summary>
public class AgentHubTests
{
    [Fact]
    public async Task A_connecting_agent_gets_full_state_then_diffs()
    {
        await using var host = await StartAsync();
        host.Server.Agents.Publish("e1", Program(1, 2));
        await using var agent = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);

        var full = await agent.NextBatchAsync();
        await agent.AckAsync(full.Version);
        host.Server.Agents.Publish("e1", Program(2, 3));
        var diff = await agent.NextBatchAsync();

        Assert.Equal((true, 1ul, 2), (full.FullState, full.Version, full.FlowMods.Count));
        Assert.Equal((false, 1ul, 2ul), (diff.FullState, diff.BaseVersion, diff.Version));
        Assert.Equal([(ModOp.Delete, 1u), (ModOp.Add, 3u)], diff.FlowMods.Select(m => (m.Op, m.Entry.Priority)));
    }

    [Fact]
    public async Task Stats_show_who_is_connected_and_what_it_applied()
    {
        await using var host = await StartAsync();
        await using var agent = await TestAgent.ConnectAsync(host.Server.Address, "c1", NodeRole.Core);
        var full = await agent.NextBatchAsync();
        await agent.AckAsync(full.Version);
        await agent.SendAsync(new AgentMessage { Counters = new CounterReport { Drops = { ["ttl_expired"] = 3 } } });

        var stats = await WaitForAsync(host, s => s.Nodes.Single(n => n.Node == "c1").Counters?.Drops.Count == 1);

        Assert.Equal(["c1", "e1"], stats.Nodes.Select(n => n.Node));
        Assert.Equal((true, 1ul, 3ul), (stats.Nodes[0].Connected, stats.Nodes[0].AppliedVersion, stats.Nodes[0].Counters.Drops["ttl_expired"]));
        Assert.False(stats.Nodes[1].Connected);
        var missing = await Assert.ThrowsAsync<RpcException>(() => host.Api.GetStatsAsync(new StatsRequest { Node = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_failed_batch_is_followed_by_full_state()
    {
        await using var host = await StartAsync();
        var (agent, full) = await ConnectE1Async(host, Program(1));
        await using var _ = agent;
        await agent.AckAsync(full.Version);
        host.Server.Agents.Publish("e1", Program(1, 2));
        var diff = await agent.NextBatchAsync();

        await agent.AckAsync(diff.Version, StatusCode.FailedPrecondition);
        var resync = await agent.NextBatchAsync();

        Assert.Equal((true, 3ul, 1ul, 2), (resync.FullState, resync.Version, resync.BaseVersion, resync.FlowMods.Count));
    }

    [Fact]
    public async Task An_ack_of_a_batch_the_session_never_sent_is_ignored()
    {
        await using var host = await StartAsync();
        var (agent, full) = await ConnectE1Async(host, Program(1));
        await using var _ = agent;
        await agent.AckAsync(full.Version);

        await agent.AckAsync(full.Version + 5, StatusCode.FailedPrecondition);
        await agent.AckAsync(full.Version + 6);
        host.Server.Agents.Publish("e1", Program(1, 2));
        var diff = await agent.NextBatchAsync();

        Assert.Equal((false, full.Version), (diff.FullState, diff.BaseVersion));
        var e1 = (await host.Api.GetStatsAsync(new StatsRequest { Node = "e1" })).Nodes.Single();
        Assert.Equal((full.Version, ""), (e1.AppliedVersion, e1.Failure));
    }

    [Fact]
    public async Task Stats_show_the_last_refused_batch_and_full_state_comes_again_after_a_wait_until_one_applies()
    {
        await using var host = await StartAsync();
        var (agent, full) = await ConnectE1Async(host, Program(1));
        await using var _ = agent;

        await agent.SendAsync(new AgentMessage { BatchAck = new BatchAck { Version = full.Version, Status = (int)StatusCode.Internal, Message = "edge e1 cannot apply version 1: NotSupportedException: no" } });
        var refused = await WaitForAsync(host, s => FailureOfE1(s).Length > 0);
        var clock = Stopwatch.StartNew();
        var again = await agent.NextBatchAsync();
        var waited = clock.Elapsed;
        await agent.AckAsync(again.Version);
        var applied = await WaitForAsync(host, s => FailureOfE1(s).Length == 0);

        Assert.Equal(["", "version 1 refused: Internal: edge e1 cannot apply version 1: NotSupportedException: no"], refused.Nodes.Select(n => n.Failure));
        // Sent again at once, a full state the node cannot apply would only be refused again at once.
        Assert.InRange(waited, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10));
        Assert.Equal((true, 2ul, 1), (again.FullState, again.Version, again.FlowMods.Count));
        Assert.Equal(["", ""], applied.Nodes.Select(n => n.Failure));
        Assert.Equal(2ul, applied.Nodes.Single(n => n.Node == "e1").AppliedVersion);
    }

    [Fact]
    public async Task After_a_refused_full_state_the_next_publication_goes_whole_at_once()
    {
        await using var host = await StartAsync();
        var (agent, full) = await ConnectE1Async(host, Program(1));
        await using var _ = agent;
        await agent.AckAsync(full.Version, StatusCode.FailedPrecondition);
        await WaitForAsync(host, s => FailureOfE1(s).Length > 0);

        var clock = Stopwatch.StartNew();
        host.Server.Agents.Publish("e1", Program(1, 2));
        var next = await agent.NextBatchAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(0.9), $"the publication waited {clock.Elapsed}");
        Assert.Equal((true, 2), (next.FullState, next.FlowMods.Count));
    }

    [Fact]
    public async Task A_reconnecting_agent_gets_full_state_at_a_newer_version_and_the_old_session_is_aborted()
    {
        await using var host = await StartAsync();
        host.Server.Agents.Publish("e1", Program(1));
        await using var first = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);
        var before = await first.NextBatchAsync();

        await using var second = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge, appliedVersion: before.Version);
        var again = await second.NextBatchAsync();

        Assert.True(again.FullState);
        Assert.True(again.Version > before.Version);
        Assert.Equal(before.Version, again.BaseVersion);
        Assert.Equal(StatusCode.Aborted, (await first.EndAsync()).StatusCode);
    }

    [Fact]
    public async Task Trace_is_answered_by_the_agent_of_the_ports_edge()
    {
        await using var host = await StartAsync();
        await using var agent = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);
        await agent.NextBatchAsync();

        var trace = host.Api.TraceAsync(new TraceRequest { Port = "vm1", Packet = ByteString.CopyFromUtf8("frame") }).ResponseAsync;
        var asked = (await agent.NextRequestAsync()).Trace;
        await agent.SendAsync(new AgentMessage { TraceReply = new TraceReply { RequestId = asked.RequestId, Result = new TraceResult { Verdict = "output 1", CacheHit = true } } });

        Assert.Equal(("vm1", "frame"), (asked.Port, asked.Packet.ToStringUtf8()));
        Assert.Equal(("output 1", true), ((await trace).Verdict, (await trace).CacheHit));
    }

    [Fact]
    public async Task Trace_needs_the_edge_agent_and_fails_if_it_leaves()
    {
        await using var host = await StartAsync();
        var notConnected = await Assert.ThrowsAsync<RpcException>(() => host.Api.TraceAsync(new TraceRequest { Port = "vm1" }).ResponseAsync);
        var agent = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);
        await agent.NextBatchAsync();

        var trace = host.Api.TraceAsync(new TraceRequest { Port = "vm1" }).ResponseAsync;
        await agent.NextRequestAsync();
        await agent.DisposeAsync();

        Assert.Equal(StatusCode.Unavailable, notConnected.StatusCode);
        Assert.Contains("not connected", notConnected.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => trace)).StatusCode);
    }

    [Fact]
    public async Task Capture_streams_what_the_agents_see_and_stops_them_afterwards()
    {
        await using var host = await StartAsync();
        await using var edge = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);
        await using var core = await TestAgent.ConnectAsync(host.Server.Address, "c1", NodeRole.Core);
        await edge.NextBatchAsync();
        await core.NextBatchAsync();

        var capture = host.Api.Capture(new CaptureRequest { Ports = { "vm1", "c1/e1-c1" }, MaxPackets = 2 }).ReadAll().ToListAsync();
        var onEdge = (await edge.NextRequestAsync()).CaptureStart;
        var onCore = (await core.NextRequestAsync()).CaptureStart;
        await edge.SendAsync(new AgentMessage { CapturedPacket = new CapturedPacket { CaptureId = onEdge.CaptureId, Port = "vm1", Data = ByteString.CopyFromUtf8("one") } });
        await core.SendAsync(new AgentMessage { CapturedPacket = new CapturedPacket { CaptureId = onCore.CaptureId, Port = "e1-c1", Data = ByteString.CopyFromUtf8("two") } });
        var packets = await capture;

        Assert.Equal(("vm1", Direction.Both, 262144u), (onEdge.Port, onEdge.Direction, onEdge.SnapLength));
        Assert.Equal(("e1-c1", onEdge.CaptureId), (onCore.Port, onCore.CaptureId));
        Assert.Equal(["c1/e1-c1/two", "e1/vm1/one"], packets.Select(p => $"{p.Node}/{p.Port}/{p.Data.ToStringUtf8()}").Order(StringComparer.Ordinal));
        Assert.Equal(onEdge.CaptureId, (await edge.NextRequestAsync()).RequestStop.RequestId);
        Assert.Equal(onEdge.CaptureId, (await core.NextRequestAsync()).RequestStop.RequestId);
    }

    [Fact]
    public async Task Capture_reports_the_drops_of_a_capture_that_delivers_no_packet()
    {
        await using var host = await StartAsync();
        await using var edge = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);
        await edge.NextBatchAsync();
        using var stop = new CancellationTokenSource();
        await using var capture = host.Api.Capture(new CaptureRequest { Ports = { "vm1" }, ReportDrops = true }, cancellationToken: stop.Token).ReadAll().GetAsyncEnumerator();
        var next = capture.MoveNextAsync().AsTask();
        var start = (await edge.NextRequestAsync()).CaptureStart;

        await edge.SendAsync(Drops(start.CaptureId, "vm1", 5));
        var first = await NextAsync(capture, next);
        await edge.SendAsync(Drops(start.CaptureId, "vm1", 5));
        await edge.SendAsync(Drops(start.CaptureId, "vm1", 9));
        var second = await NextAsync(capture);

        Assert.Equal((0u, 0, 5ul), (first.OriginalLength, first.Data.Length, first.Dropped));
        Assert.Equal((0u, 0, 9ul), (second.OriginalLength, second.Data.Length, second.Dropped));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task Capture_reports_drops_after_the_last_packet_summed_over_its_agents()
    {
        await using var host = await StartAsync();
        await using var edge = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);
        await using var core = await TestAgent.ConnectAsync(host.Server.Address, "c1", NodeRole.Core);
        await edge.NextBatchAsync();
        await core.NextBatchAsync();
        using var stop = new CancellationTokenSource();
        var request = new CaptureRequest { Ports = { "vm1", "c1/e1-c1" }, ReportDrops = true };
        await using var capture = host.Api.Capture(request, cancellationToken: stop.Token).ReadAll().GetAsyncEnumerator();
        var next = capture.MoveNextAsync().AsTask();
        var onEdge = (await edge.NextRequestAsync()).CaptureStart;
        var onCore = (await core.NextRequestAsync()).CaptureStart;

        await edge.SendAsync(Packet(onEdge.CaptureId, "one"));
        var one = await NextAsync(capture, next);
        await core.SendAsync(Drops(onCore.CaptureId, "e1-c1", 4));
        var coreDrops = await NextAsync(capture);
        await edge.SendAsync(Drops(onEdge.CaptureId, "vm1", 2));
        var allDrops = await NextAsync(capture);

        Assert.Equal(("one", 0ul), (one.Data.ToStringUtf8(), one.Dropped));
        Assert.Equal((0u, 0, 4ul), (coreDrops.OriginalLength, coreDrops.Data.Length, coreDrops.Dropped));
        Assert.Equal((0u, 0, 6ul), (allDrops.OriginalLength, allDrops.Data.Length, allDrops.Dropped));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task Capture_without_report_drops_sends_packets_only_each_with_the_drops_so_far()
    {
        await using var host = await StartAsync();
        await using var edge = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);
        await edge.NextBatchAsync();

        var capture = host.Api.Capture(new CaptureRequest { Ports = { "vm1" }, MaxPackets = 2 }).ReadAll().ToListAsync();
        var start = (await edge.NextRequestAsync()).CaptureStart;
        await edge.SendAsync(Packet(start.CaptureId, "one"));
        await edge.SendAsync(Drops(start.CaptureId, "vm1", 2));
        await edge.SendAsync(Packet(start.CaptureId, "two"));

        Assert.Equal(["one:0", "two:2"], (await capture).Select(p => $"{p.Data.ToStringUtf8()}:{p.Dropped}"));
    }

    [Fact]
    public async Task Capture_ends_unavailable_when_an_agent_leaves()
    {
        await using var host = await StartAsync();
        var notConnected = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Api.Capture(new CaptureRequest { Ports = { "vm1" } }).ReadAll().CountAsync());
        var agent = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);
        await agent.NextBatchAsync();

        var capture = host.Api.Capture(new CaptureRequest { Ports = { "vm1" } }).ReadAll().CountAsync().AsTask();
        await agent.NextRequestAsync();
        await agent.DisposeAsync();

        Assert.Equal(StatusCode.Unavailable, notConnected.StatusCode);
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => capture)).StatusCode);
    }

    [Fact]
    public async Task A_batch_too_large_to_send_ends_the_session_with_resource_exhausted()
    {
        await using var host = await StartAsync();
        host.Server.Agents.Publish("e1", new NodeProgram([], [], [], [new FlowEntry { Cookie = 1, Match = { new FieldMatch { Value = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) } } }], []));
        await using var agent = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);

        var ended = await agent.EndAsync();

        Assert.Equal(StatusCode.ResourceExhausted, ended.StatusCode);
    }

    [Theory]
    [InlineData("nobody", NodeRole.Edge, StatusCode.NotFound)]
    [InlineData("c1", NodeRole.Edge, StatusCode.InvalidArgument)]
    public async Task An_agent_for_a_node_the_model_lacks_is_refused(string node, NodeRole role, StatusCode status)
    {
        await using var host = await StartAsync();
        await using var agent = await TestAgent.ConnectAsync(host.Server.Address, node, role);

        Assert.Equal(status, (await agent.EndAsync()).StatusCode);
    }

    private static AgentMessage Packet(ulong captureId, string data) =>
        new() { CapturedPacket = new CapturedPacket { CaptureId = captureId, Port = "vm1", OriginalLength = (uint)data.Length, Data = ByteString.CopyFromUtf8(data) } };

    private static AgentMessage Drops(ulong captureId, string port, ulong dropped) =>
        new() { CaptureDrops = new CaptureDrops { CaptureId = captureId, Port = port, Dropped = dropped } };

    /// <summary>The stream's next message, from <paramref name="moving"/> when a move was started before the agents were asked.</summary>
    private static async Task<CapturedPacket> NextAsync(IAsyncEnumerator<CapturedPacket> capture, Task<bool>? moving = null)
    {
        Assert.True(await (moving ?? capture.MoveNextAsync().AsTask()).WaitAsync(TimeSpan.FromSeconds(20)), "the capture stream ended");
        return capture.Current;
    }

    private static async Task<ControllerHostFixture> StartAsync()
    {
        var host = await ControllerHostFixture.StartAsync();
        await host.Api.CreateEdgeAsync(new EdgeNode { Name = "e1" });
        await host.Api.CreateCoreNodeAsync(new CoreNode { Name = "c1" });
        await host.Api.CreateTenantAsync(new Tenant { Name = "acme" });
        await host.Api.CreateNetworkAsync(new Network { Name = "web", Tenant = "acme", Ipv4Subnet = "10.0.1.0/24" });
        await host.Api.CreatePortAsync(new Port { Name = "vm1", Network = "web", Edge = "e1" });
        await host.Api.CreateLinkAsync(new Link { Name = "e1-c1", A = new LinkEndpoint { Node = "e1" }, B = new LinkEndpoint { Node = "c1" } });

        // The fabric programmer publishes what it compiles too; once it has compiled the last change, a test's own publications come last.
        for (var attempt = 0; host.Server.Compiled.ProgramOf("e1").Ports.Values.Count(p => p.Name is "vm1" or "e1-c1") < 2; attempt++)
        {
            Assert.True(attempt < 400, "the controller did not compile the model within 20 s");
            await Task.Delay(50);
        }

        return host;
    }

    /// <summary>Publishes <paramref name="program"/> for e1 and connects an agent for it; returns the agent and the full state it got.</summary>
    private static async Task<(TestAgent Agent, ProgramBatch Full)> ConnectE1Async(ControllerHostFixture host, NodeProgram program)
    {
        host.Server.Agents.Publish("e1", program);
        var agent = await TestAgent.ConnectAsync(host.Server.Address, "e1", NodeRole.Edge);
        return (agent, await agent.NextBatchAsync());
    }

    private static string FailureOfE1(StatsReply stats) => stats.Nodes.Single(n => n.Node == "e1").Failure;

    private static async Task<StatsReply> WaitForAsync(ControllerHostFixture host, Func<StatsReply, bool> condition)
    {
        for (var attempt = 0; ; attempt++)
        {
            var stats = await host.Api.GetStatsAsync(new StatsRequest());
            if (condition(stats) || attempt == 100)
            {
                return stats;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>One table-0 flow per priority, each matching its own in_port.</summary>
    private static NodeProgram Program(params uint[] priorities) =>
        new([], [], [], priorities.Select(p => new FlowEntry
        {
            Priority = p,
            Match = { new FieldMatch { Field = Field.InPort, Value = ByteString.CopyFrom(0, 0, 0, (byte)p) } },
        }), []);
}
