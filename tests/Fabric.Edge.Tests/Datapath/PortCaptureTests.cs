using Sdn.Common.Capture;
using Sdn.Common.Interop;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

public sealed class PortCaptureTests : IDisposable
{
    private readonly SwitchRig _rig = new SwitchRig().WithActions(PipelineAction.Output(2));
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sdn-edge-capture-{Guid.NewGuid():N}.pcapng");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void A_capture_sees_what_a_port_receives_and_what_it_is_sent_and_tshark_reads_it()
    {
        CapturePort[] ports = [new("e1/p1", "port 1"), new("e1/p2", "port 2")];
        using var session = new CaptureSession(ports, new CaptureOptions(Filter: "udp"));
        _rig.Switch.Datapath.CaptureTap(1)!.Attach(session, 0);
        _rig.Switch.Datapath.CaptureTap(2)!.Attach(session, 1);

        _rig.Send(1, Frames.Udp());
        _rig.Send(1, Frames.Udp());

        using (var files = new PcapngFileRing(_path, ports, 65535))
        {
            var sink = new PcapngFileSink(files);
            session.Drain(ref sink);
        }

        var lines = Tshark("-T", "fields", "-e", "frame.interface_name", "-e", "frame.packet_flags_direction", "-e", "udp.dstport");
        Assert.Equal(4, lines.Length);
        Assert.Equal(2, lines.Count(l => l.StartsWith("e1/p1\t0x00000001\t", StringComparison.Ordinal)));
        Assert.Equal(2, lines.Count(l => l.StartsWith("e1/p2\t0x00000002\t", StringComparison.Ordinal)));
        Assert.Equal(2, _rig.Port(2).TakeTransmitted().Count);
    }

    [Fact]
    public void A_port_with_no_capture_is_inactive_and_a_removed_port_has_no_tap()
    {
        Assert.False(_rig.Switch.Datapath.CaptureTap(1)!.IsActive);

        _rig.Switch.Datapath.RemovePort(1);

        Assert.Null(_rig.Switch.Datapath.CaptureTap(1));
    }

    private string[] Tshark(params string[] arguments) =>
        ExternalCommand.Run("tshark", ["-r", _path, .. arguments]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
