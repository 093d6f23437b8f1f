using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Core.Links.Liveness;
using Sdn.Fabric.Core.Lsr;

namespace Sdn.Cli.Hosting;

/// <summary>One core node: a <see cref="CoreSwitch"/> on its own thread, programmed with its link ends and LFIB by its own <see cref="CoreAgent"/>.</summary>
internal sealed class CoreHost : IAsyncDisposable
{
    // Between two core nodes only an exchange of hellos tells the agents (and so the controller) that a link
    // died; an edge's uplink reports its cut itself. 10 ms x 10 rides out a loaded machine's scheduling stalls.
    private static readonly LivenessOptions CoreLinkLiveness = new(TimeSpan.FromMilliseconds(10), 10);

    private readonly ProgramEquality _held = new();

    public CoreHost(string name, LinkEnds links, NodeConnection connection)
    {
        Switch = new CoreSwitch(name);
        Agent = new CoreAgent(Switch, new CoreLinks(name, links), CoreLinkLiveness, connection.Controller, retryDelay: TimeSpan.FromMilliseconds(50))
        {
            Underlay = connection.Underlay,
            Credentials = connection.Credentials,
        };
    }

    public CoreSwitch Switch { get; }

    public CoreAgent Agent { get; }

    public string Name => Switch.Name;

    public void Start()
    {
        Switch.Start();
        Agent.Start();
    }

    /// <summary>Whether every link end that is not cut (administratively down) is up, and the node holds exactly <paramref name="program"/>.</summary>
    public bool Holds(NodeProgram program) => Switch.Ports.All(p => p.IsUp || p.Link.IsForcedDown) && _held.Same(Agent.Program, program);

    public async ValueTask DisposeAsync()
    {
        await Agent.DisposeAsync().ConfigureAwait(false);
        Switch.Dispose();
    }
}
