using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge;
using Sdn.Fabric.Edge.Agent;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Cli.Hosting;

/// <summary>
/// One edge of the embedded fabric: an <see cref="EdgeSwitch"/> programmed by its own <see cref="EdgeAgent"/>
/// over the controller's southbound gRPC, and polled on a thread of its own.
/// </summary>
internal sealed class EdgeHost : IAsyncDisposable
{
    // Busy-poll this many empty rounds before parking on the datapath's doorbell, as the core nodes do: low
    // latency under traffic, and an idle edge sleeps until a port has frames, or at most 1 ms for the agent.
    private const int IdleRoundsBeforeParking = 20;
    private const int ParkMilliseconds = 1;

    private readonly Thread _thread;
    private volatile bool _stopping;

    public EdgeHost(string name, Func<PortConfig, IEdgePort> bindPort, Uri controller)
    {
        Agent = new EdgeAgent(name, Switch, bindPort, controller, retryDelay: TimeSpan.FromMilliseconds(50));
        _thread = new Thread(Run) { IsBackground = true, Name = $"edge {name}" };
    }

    public EdgeSwitch Switch { get; } = new();

    public EdgeAgent Agent { get; }

    public string Name => Agent.NodeName;

    public void Start()
    {
        Agent.Start();
        _thread.Start();
    }

    /// <summary>Whether the switch holds exactly <paramref name="program"/>.</summary>
    public bool Holds(NodeProgram program)
    {
        lock (Agent.SwitchLock)
        {
            return ProgramEquality.Same(Agent.Programmer.Program, program);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        await Agent.DisposeAsync().ConfigureAwait(false);
    }

    private void Run()
    {
        var idleRounds = 0;
        Func<int> poll = Agent.Poll;
        while (!_stopping)
        {
            if (Agent.Poll() > 0)
            {
                idleRounds = 0;
            }
            else if (++idleRounds < IdleRoundsBeforeParking)
            {
                Thread.Yield();
            }
            else
            {
                Switch.Datapath.Doorbell.Park(poll, ParkMilliseconds);
            }
        }
    }
}
