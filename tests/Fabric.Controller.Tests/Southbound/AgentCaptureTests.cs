using Grpc.Core;
using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Southbound;
using Sdn.Fabric.Controller.Tests.Compiler;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>Captures the hub starts on real edge agents over gRPC: attached to the port's tap only while the request lasts.</summary>
public sealed class AgentCaptureTests : IAsyncLifetime
{
    private AgentFabric _fabric = null!;

    public async Task InitializeAsync() => _fabric = await AgentFabric.StartAsync(Topologies.DualHomed());

    public Task DisposeAsync() => _fabric.DisposeAsync().AsTask();

    [Fact]
    public async Task A_capture_attaches_to_the_ports_tap_and_detaches_when_the_request_ends()
    {
        var tap = SourceTap();

        var capture = _fabric.Hub.Start([("e1", CaptureOf("src"))]);
        await _fabric.UntilAsync(() => tap.IsActive);
        capture.Dispose();

        await _fabric.UntilAsync(() => !tap.IsActive);
    }

    [Fact]
    public async Task A_capture_detaches_when_the_agents_stream_ends()
    {
        var tap = SourceTap();
        using var capture = _fabric.Hub.Start([("e1", CaptureOf("src"))]);
        await _fabric.UntilAsync(() => tap.IsActive);

        await _fabric.StopControllerAsync();

        await _fabric.UntilAsync(() => !tap.IsActive);
    }

    [Fact]
    public async Task A_port_the_edge_does_not_have_is_refused_with_not_found()
    {
        using var capture = _fabric.Hub.Start([("e1", CaptureOf("nowhere"))]);

        var (node, message) = await capture.ReadAllAsync(CancellationToken.None).FirstAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("e1", node);
        Assert.Equal((int)StatusCode.NotFound, message.RequestFailed.Status);
        Assert.Equal("port 'nowhere' is not on node e1", message.RequestFailed.Message);
    }

    private CaptureTap SourceTap() => _fabric.Rig.Edges["e1"].Datapath.CaptureTap(_fabric.Compiled.VnicNumber("e1", "src"))!;

    private static Func<ulong, ControllerMessage> CaptureOf(string port) =>
        id => new ControllerMessage { CaptureStart = new CaptureStart { CaptureId = id, Port = port, Direction = Direction.Both, SnapLength = 128 } };
}
