using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>A switch with four internal ports that keep what they are sent, for frame-level tests.</summary>
public sealed class SwitchRig
{
    public SwitchRig(TimeProvider? time = null, int conntrackCapacity = ConnectionTracker.DefaultCapacity)
    {
        Switch = new EdgeSwitch(4, time, conntrackCapacity);
        Ports = Enumerable.Range(1, 4).Select(n => new InternalPort((uint)n, $"p{n}", keepTransmitted: true)).ToArray();
        foreach (var port in Ports)
        {
            Switch.AddPort(port);
        }
    }

    public EdgeSwitch Switch { get; }

    public EdgePipeline Pipeline => Switch.Pipeline;

    public InternalPort[] Ports { get; }

    public InternalPort Port(int number) => Ports[number - 1];

    /// <summary>Installs one table-0 entry matching everything that runs <paramref name="actions"/>.</summary>
    public SwitchRig WithActions(params PipelineAction[] actions)
    {
        Pipeline.Add(0, 10, FlowMatch.Any, actions);
        return this;
    }

    /// <summary>Sends <paramref name="frame"/> in on <paramref name="inPort"/> and polls the switch once.</summary>
    public void Send(int inPort, byte[] frame)
    {
        Port(inPort).Inject(frame);
        Switch.Poll();
    }

    /// <summary>The one frame port <paramref name="number"/> sent since the last call.</summary>
    public byte[] SingleOut(int number) => Assert.Single(Port(number).TakeTransmitted());
}
