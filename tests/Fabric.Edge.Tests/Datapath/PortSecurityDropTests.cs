using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Agent;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>Port security's drops are counted per packet, from the flow cache as from the slow path, and reported per port.</summary>
public class PortSecurityDropTests
{
    private const ulong SpoofedMac = 0x02_66_66_66_66_66;
    private readonly SwitchRig _rig = new();

    public PortSecurityDropTests()
    {
        _rig.Pipeline.Add(0, 20, FlowMatch.Any.InPort(1).EthSrc(Keys.MacA), PipelineAction.Output(2));
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(1), PipelineAction.DropSpoofed());
    }

    [Fact]
    public void A_spoofed_frame_is_counted_every_time_including_on_cache_hits()
    {
        for (var i = 0; i < 3; i++)
        {
            _rig.Send(1, Frames.Udp(ethSrc: SpoofedMac));
        }

        var datapath = _rig.Switch.Datapath;
        Assert.Equal(2, datapath.Cache.ExactHits + datapath.Cache.MegaflowHits);
        Assert.Equal(3, datapath.PortCounters(1)!.RxSpoofed);
        Assert.Equal(3, datapath.Counters.PortSecurity);
        Assert.Equal(0, datapath.Counters.NoOutput);
        Assert.Empty(_rig.Port(2).TakeTransmitted());
    }

    [Fact]
    public void Spoofed_frames_in_one_burst_are_each_counted_and_the_port_s_own_frames_pass()
    {
        _rig.Port(1).Inject(Frames.Udp(ethSrc: SpoofedMac));
        _rig.Port(1).Inject(Frames.Udp());
        _rig.Port(1).Inject(Frames.Udp(ethSrc: SpoofedMac));
        _rig.Switch.Poll();

        Assert.Equal(2, _rig.Switch.Datapath.PortCounters(1)!.RxSpoofed);
        Assert.Equal(Frames.Udp(), _rig.SingleOut(2));
    }

    [Fact]
    public void A_plain_drop_counts_no_spoofing()
    {
        var rig = new SwitchRig().WithActions(PipelineAction.Drop());

        rig.Send(1, Frames.Udp());
        rig.Send(1, Frames.Udp());

        Assert.Equal(0, rig.Switch.Datapath.PortCounters(1)!.RxSpoofed);
        Assert.Equal(0, rig.Switch.Datapath.Counters.PortSecurity);
        Assert.Equal(2, rig.Switch.Datapath.Counters.NoOutput);
    }

    [Fact]
    public void The_counter_report_gives_each_port_its_spoofed_frames_the_drops_by_reason_and_the_cache_tiers()
    {
        _rig.Send(1, Frames.Udp(ethSrc: SpoofedMac));
        _rig.Send(1, Frames.Udp(ethSrc: SpoofedMac));
        var program = new NodeProgram([], [new PortConfig { Number = 1, Name = "vm1" }, new PortConfig { Number = 2, Name = "vm2" }], [], [], []);

        var report = EdgeCounterReport.Of(_rig.Switch, program);

        Assert.Equal(2ul, report.Ports.Single(p => p.Port == "vm1").RxSpoofed);
        Assert.Equal(0ul, report.Ports.Single(p => p.Port == "vm2").RxSpoofed);
        Assert.Equal(2ul, report.Drops["port_security"]);
        Assert.Equal(0ul, report.Drops["ttl_expired"]);
        Assert.Equal(2ul, report.Datapath["exact_hit"] + report.Datapath["megaflow_hit"] + report.Datapath["miss"]);
        Assert.Equal(_rig.Switch.Pipeline.Tables.Select(t => t.Id), report.TableEntries.Keys.Select(id => (byte)id).Order());
    }

    [Fact]
    public void The_compiled_flow_keeps_the_drop_as_an_action_after_any_mirror()
    {
        var pipeline = new EdgePipeline(1, TimeProvider.System);
        pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.Mirror(4), PipelineAction.DropSpoofed(), PipelineAction.Output(2));

        Assert.Equal("output:4,drop(port_security)", pipeline.Translate(Keys.Udp(1, 1, 2), out _).ToString());
    }
}
