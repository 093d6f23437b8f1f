using Grpc.Net.Client;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Edge.Agent;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>
/// GetStatus on the dual-homed fabric, whose nodes a real controller programs over gRPC on loopback: what the edges
/// applied, refused and reported, and what the links' ends see, object by object.
/// </summary>
public sealed class FabricStatusTests : IAsyncLifetime
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
    public async Task Applied_ports_and_links_are_up_and_a_vm_is_pending_until_its_edge_reports_it_up()
    {
        // The nodes run their programs; their acknowledgements may still be on the way to the controller.
        await _fabric.UntilAsync(() => _fabric.Hub.Status().Objects.Where(o => o.Kind is "port" or "link").All(o => o.State == ObjectState.Up));
        var status = await _controller.GetStatusAsync(new StatusRequest());

        Assert.Equal(_fabric.Model.Version, status.Version);
        Assert.Equal(
            ["port dst e2", "vm dst e2", "port src e1", "vm src e1", "link c1-e2 ", "link c2-e2 ", "link e1-c1 ", "link e1-c2 "],
            status.Objects.Select(o => $"{o.Kind} {o.Name} {o.Node}"));
        Assert.All(status.Objects.Where(o => o.Kind is "port" or "link"), o => Assert.Equal((ObjectState.Up, ""), (o.State, o.Reason)));
        Assert.Equal((ObjectState.Pending, "e1 has not reported it yet"), Of(status, "vm", "src"));

        E1.ReportPort(new PortStatus { Port = "src" });
        await UntilAsync("vm", "src", ObjectState.Pending, "booting");
        E1.ReportPort(new PortStatus { Port = "src", Up = true });
        await UntilAsync("vm", "src", ObjectState.Up, "");
        E1.ReportPort(new PortStatus { Port = "src", Failure = "echo exited with status 3" });
        await UntilAsync("vm", "src", ObjectState.Failed, "echo exited with status 3");
        Assert.Equal((ObjectState.Up, ""), Of(await _controller.GetStatusAsync(new StatusRequest()), "port", "src"));
    }

    [Fact]
    public async Task A_port_whose_batch_the_edge_refused_is_failed_with_the_refusal_and_up_once_a_later_batch_applies()
    {
        _fabric.Rig.Devices["src2"] = _ => throw new NotSupportedException("the hypervisor cannot attach a NIC now");

        _fabric.Model.Create(ResourceKinds.Ports, new Port { Name = "src2", Network = "lan", Edge = "e1" });
        var failed = await UntilAsync("port", "src2", ObjectState.Failed);

        Assert.Matches(@"^e1: version \d+ refused: Internal: edge e1 cannot apply version \d+: NotSupportedException: the hypervisor cannot attach a NIC now", failed.Reason);
        // Each full state sent again is refused again, under a newer version: compare within one status.
        var status = await _controller.GetStatusAsync(new StatusRequest());
        Assert.Equal(Of(status, "port", "src2"), Of(status, "vm", "src2"));
        Assert.Equal(ObjectState.Failed, Of(status, "vm", "src2").State);
        Assert.Equal((ObjectState.Up, ""), Of(status, "port", "src"));

        _fabric.Rig.Devices.TryRemove("src2", out _);
        await UntilAsync("port", "src2", ObjectState.Up);
    }

    [Fact]
    public async Task A_link_is_down_when_administratively_down_or_when_an_end_sees_it_down()
    {
        await _controller.SetLinkStateAsync(new SetLinkStateRequest { Name = "e1-c2", AdminDown = true });
        await UntilAsync("link", "e1-c2", ObjectState.Down, "administratively down");

        _fabric.Rig.Cut("e1", "e1-c1", "c1", "e1-c1");
        await UntilAsync("link", "e1-c1", ObjectState.Down, "e1 sees it down on e1-c1");
    }

    [Fact]
    public async Task The_objects_of_a_node_whose_agent_is_gone_are_pending_on_it()
    {
        await E1.DisposeAsync();

        const string Reason = "the agent of e1 is not connected";
        await UntilAsync("port", "src", ObjectState.Pending, Reason);

        Assert.Equal((ObjectState.Pending, Reason), Of(await _controller.GetStatusAsync(new StatusRequest()), "link", "e1-c1"));
        Assert.Equal((ObjectState.Up, ""), Of(await _controller.GetStatusAsync(new StatusRequest()), "link", "c1-e2"));
    }

    private static (ObjectState State, string Reason) Of(FabricStatus status, string kind, string name)
    {
        var found = status.Objects.Single(o => o.Kind == kind && o.Name == name);
        return (found.State, found.Reason);
    }

    private async Task<ObjectStatus> UntilAsync(string kind, string name, ObjectState state, string? reason = null)
    {
        ObjectStatus? found = null;
        try
        {
            await _fabric.UntilAsync(() =>
            {
                found = _fabric.Hub.Status().Objects.Single(o => o.Kind == kind && o.Name == name);
                return found.State == state && (reason is null || found.Reason == reason);
            });
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{kind} {name} stayed {found}: {e.Message}");
        }

        return found!;
    }
}
