using Sdn.Fabric.Edge;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.EndToEnd.Support;

/// <summary>An edge switch whose two ports are cross-connected, polled on its own thread until disposed.</summary>
internal sealed class PolledSwitch : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public PolledSwitch(IEdgePort first, IEdgePort second)
    {
        Switch.AddPort(first);
        Switch.AddPort(second);
        Switch.Pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any.InPort(first.Number), FlowInstructions.Apply([PipelineAction.Output(second.Number)])));
        Switch.Pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any.InPort(second.Number), FlowInstructions.Apply([PipelineAction.Output(first.Number)])));
        _thread = new Thread(Run) { IsBackground = true, Name = "edge switch" };
        _thread.Start();
    }

    public EdgeSwitch Switch { get; } = new();

    /// <summary>Stops polling, so the switch's counters can be read from the test thread.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _thread.Join();
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (Switch.Poll() == 0)
            {
                Thread.Yield();
            }
        }
    }
}
