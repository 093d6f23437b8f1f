using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Edge.Agent;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>
/// Faults injected into the real agents of the dual-homed fabric, programmed by a real controller over gRPC on loopback:
/// a port binder that throws, a device that throws when a request looks it up or a hello describes it, a controller that
/// goes away. Each time the agent answers what it can, keeps its session (or opens a new one), and the data plane
/// forwards throughout.
/// </summary>
public sealed class AgentFaultTests : IAsyncLifetime
{
    private AgentFabric _fabric = null!;
    private GrpcChannel _channel = null!;
    private Contracts.Controller.ControllerClient _controller = null!;

    private EdgeAgent E1 => _fabric.EdgeAgents["e1"];

    public async Task InitializeAsync()
    {
        _fabric = await AgentFabric.StartAsync(Topologies.DualHomed());
        _channel = RpcChannels.ForAddress(_fabric.Address);
        _controller = new Contracts.Controller.ControllerClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _fabric.DisposeAsync();
    }

    [Fact]
    public async Task A_batch_whose_port_binder_throws_is_refused_whole_the_node_keeps_its_program_and_session_and_stats_show_it_until_a_later_batch_applies()
    {
        var acks = new ConcurrentQueue<BatchAck>();
        E1.BatchHandled += (_, ack) => acks.Enqueue(ack);
        var (sessions, version, program) = (E1.Sessions, E1.AppliedVersion, E1.Programmer.Program);
        _fabric.Rig.Devices["src2"] = _ => throw new NotSupportedException("the hypervisor cannot attach a NIC now");

        _fabric.Model.Create(ResourceKinds.Ports, new Port { Name = "src2", Network = "lan", Edge = "e1" });
        // The diff is refused, then the full state the controller sends at once.
        await _fabric.UntilAsync(() => acks.Count(a => a.Status != 0) == 2);
        var refused = acks.Last();
        await _fabric.UntilAsync(() => Failure("e1").StartsWith($"version {refused.Version} ", StringComparison.Ordinal));

        Assert.Equal(StatusCode.Internal, (StatusCode)refused.Status);
        Assert.Equal(
            $"edge e1 cannot apply version {refused.Version}: NotSupportedException: the hypervisor cannot attach a NIC now; it still runs version {version}",
            refused.Message);
        Assert.Equal($"version {refused.Version} refused: Internal: {refused.Message}", Failure("e1"));
        Assert.All(["e2", "c1", "c2"], node => Assert.Equal("", Failure(node)));
        Assert.Contains($"agent e1: {refused.Message}", _fabric.AgentLog);
        Assert.True(E1.IsConnected);
        Assert.Equal(sessions, E1.Sessions);
        Assert.Equal(version, E1.AppliedVersion);
        Assert.Same(program, E1.Programmer.Program);
        Assert.Null(E1.Programmer.PortConfigNamed("src2"));
        Assert.Single(_fabric.Send("src", "dst"));
        var status = await SdnCli.InvokeAsync(_fabric.Address, "status");
        Assert.Matches($@"\ne1\s+edge\s+connected\s+{version}\n  version \d+ refused: Internal: edge e1 cannot apply version \d+: NotSupportedException: .*\ne2\s", status.Output);

        // The device can be attached now: the controller sends full state again after its backoff, which applies.
        _fabric.Rig.Devices.TryRemove("src2", out _);
        await _fabric.UntilProgrammedAsync();
        await _fabric.UntilAsync(() => Failure("e1") == string.Empty);

        Assert.DoesNotContain("refused", (await SdnCli.InvokeAsync(_fabric.Address, "status")).Output, StringComparison.Ordinal);
        Assert.NotNull(E1.Programmer.PortConfigNamed("src2"));
        Assert.Single(_fabric.Send("src2", "dst"));
        Assert.Equal(sessions, E1.Sessions);
        // A refused full state is not sent again at once: a handful of refusals over the seconds this took, not thousands.
        Assert.InRange(acks.Count(a => a.Status != 0), 2, 6);
    }

    [Theory]
    [InlineData("capture")]
    [InlineData("mirror")]
    [InlineData("ping")]
    public async Task A_request_on_a_device_that_throws_answers_with_a_status_and_the_session_goes_on(string request)
    {
        FailingPort? device = null;
        _fabric.Rig.Devices["src2"] = config => device = new FailingPort(config.Number, config.Name);
        await AddPortAsync("src2");
        var sessions = E1.Sessions;

        device!.Failing = true;
        var failure = await Assert.ThrowsAsync<RpcException>(() => StartAsync(request));

        Assert.Equal(StatusCode.Internal, failure.StatusCode);
        Assert.Equal($"edge e1 cannot {request}: ObjectDisposedException: the device of port src2 went away", failure.Status.Detail);
        Assert.Contains(_fabric.AgentLog, line => line.StartsWith("agent e1: request ", StringComparison.Ordinal) && line.EndsWith($": {failure.Status.Detail}", StringComparison.Ordinal));
        Assert.True(E1.IsConnected);
        Assert.Equal(sessions, E1.Sessions);
        Assert.NotEmpty((await _controller.GetFlowsAsync(new GetFlowsRequest { Edge = "e1" }, deadline: DateTime.UtcNow.AddSeconds(30))).Flows);
        Assert.Single(_fabric.Send("src", "dst"));
    }

    [Fact]
    public async Task When_the_controller_goes_and_comes_back_the_agents_reconnect_and_get_full_state_while_forwarding_never_stops()
    {
        Assert.Single(_fabric.Send("src", "dst"));

        await _fabric.StopControllerAsync();
        await _fabric.UntilAsync(() => _fabric.EdgeAgents.Values.Concat<SouthboundAgent>(_fabric.CoreAgents.Values).All(a => !a.IsConnected));
        Assert.Single(_fabric.Send("src", "dst"));
        // The agents retry with a growing wait meanwhile; the model changes without them.
        _fabric.Model.Create(ResourceKinds.Ports, new Port { Name = "src2", Network = "lan", Edge = "e1" });
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(_fabric.Send("src", "dst"));

        await _fabric.RestartControllerAsync();
        Assert.Single(_fabric.Send("src", "dst"));
        // A node whose program did not change holds it before its agent is back: wait for every agent as well.
        await _fabric.UntilAsync(() => _fabric.EdgeAgents.Values.Concat<SouthboundAgent>(_fabric.CoreAgents.Values).All(a => a.IsConnected && a.Sessions == 2));
        await _fabric.UntilProgrammedAsync();

        Assert.All(_fabric.EdgeAgents.Values, a => Assert.Equal(2, a.Sessions));
        Assert.All(_fabric.CoreAgents.Values, a => Assert.Equal(2, a.Sessions));
        Assert.NotNull(E1.Programmer.PortConfigNamed("src2"));
        Assert.Single(_fabric.Send("src", "dst"));
        Assert.Single(_fabric.Send("src2", "dst"));
        // The agents said why they had no session, and that they were in session again (once their full state is
        // handled, which may come after a node that held its program already counts as programmed); nothing else went wrong.
        await _fabric.UntilAsync(() => _fabric.AgentLog.Count(line => line.EndsWith(" again", StringComparison.Ordinal)) >= 4);
        Assert.All(_fabric.AgentLog, line => Assert.Matches(@"^agent (e1|e2|c1|c2): (no session with the controller at \S+: .*|in session with the controller at \S+ again)$", line));
        Assert.Equal(4, _fabric.AgentLog.Count(line => line.EndsWith(" again", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_agent_whose_hello_throws_logs_it_and_keeps_reconnecting_until_the_hello_can_be_made()
    {
        FailingPort? device = null;
        _fabric.Rig.Devices["src2"] = config => device = new FailingPort(config.Number, config.Name);
        await AddPortAsync("src2");

        await _fabric.StopControllerAsync();
        await _fabric.UntilAsync(() => !E1.IsConnected);
        device!.Failing = true;
        await _fabric.RestartControllerAsync();
        await _fabric.UntilAsync(() => _fabric.AgentLog.Count(IsHelloFailure) >= 2);
        Assert.False(E1.IsConnected);
        Assert.Single(_fabric.Send("src", "dst"));

        device.Failing = false;
        await _fabric.UntilAsync(() => E1.IsConnected);
        await _fabric.UntilProgrammedAsync();

        Assert.Equal(2, E1.Sessions);
        Assert.Single(_fabric.Send("src", "dst"));

        static bool IsHelloFailure(string line) =>
            line == "agent e1: the session with the controller failed (ObjectDisposedException: the device of port src2 went away); reconnecting";
    }

    /// <summary>Adds a port of network lan on e1 and waits until every node runs the fabric compiled with it.</summary>
    private async Task AddPortAsync(string name)
    {
        var compiled = _fabric.Compiled.Version;
        _fabric.Model.Create(ResourceKinds.Ports, new Port { Name = name, Network = "lan", Edge = "e1" });
        await _fabric.UntilAsync(() => _fabric.Compiled.Version > compiled);
        await _fabric.UntilProgrammedAsync();
    }

    private string Failure(string node) => _fabric.Hub.Stats(node).Single().Failure;

    /// <summary>Starts <paramref name="request"/> on port src2 through the northbound API and reads its stream until it ends.</summary>
    private Task StartAsync(string request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        return request switch
        {
            "capture" => ReadAllAsync(_controller.Capture(new CaptureRequest { Ports = { "src2" } }, deadline: deadline)),
            "mirror" => ReadAllAsync(_controller.Mirror(new MirrorRequest { Port = "src2", TapName = "sdnfault0" }, deadline: deadline)),
            _ => ReadAllAsync(_controller.Ping(new PingRequest { Source = "src2", Destination = "dst", Count = 1 }, deadline: deadline)),
        };
    }

    private static async Task ReadAllAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        }
    }
}
