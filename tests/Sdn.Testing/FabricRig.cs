using System.Collections.Concurrent;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Lsr;
using Sdn.Fabric.Edge;
using Sdn.Fabric.Edge.Agent;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Testing;

/// <summary>
/// A whole fabric in one process: a real <see cref="EdgeSwitch"/> per edge and a real <see cref="CoreSwitch"/> per
/// core node, joined by in-memory links as the model's links say, programmed through the edge and core
/// programmers, and pumped by hand so that a test decides when frames move.
/// </summary>
public sealed class FabricRig : IDisposable
{
    private readonly Dictionary<(string Node, string Interface), InMemoryLink> _links = [];
    // Edge agents bind their ports on their own threads, all at once.
    private readonly ConcurrentDictionary<string, InternalPort> _vnics = new(StringComparer.Ordinal);

    public FabricRig(FabricState state)
    {
        foreach (var link in state.Links)
        {
            var (a, b) = InMemoryLink.CreatePair(link.A.Interface, link.B.Interface);
            _links[(link.A.Node, link.A.Interface)] = a;
            _links[(link.B.Node, link.B.Interface)] = b;
        }

        foreach (var edge in state.Edges)
        {
            var sw = new EdgeSwitch();
            Edges[edge.Name] = sw;
            var programmer = new EdgeProgrammer(sw, new EdgePorts(this, edge.Name));
            EdgeProgrammers[edge.Name] = programmer;
            EdgePollers[edge.Name] = () =>
            {
                programmer.RefreshLiveness();
                return sw.Poll();
            };
        }

        foreach (var core in state.CoreNodes)
        {
            var node = new CoreSwitch(core.Name);
            Cores[core.Name] = node;
            // No hellos: a test cuts a link by hand, and polls every node itself.
            CorePrograms[core.Name] = new CoreProgrammer(node, new CoreLinks(this, core.Name), hellos: null);
        }
    }

    public Dictionary<string, EdgeSwitch> Edges { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, EdgeProgrammer> EdgeProgrammers { get; } = new(StringComparer.Ordinal);

    /// <summary>How each edge is driven for one round; an agent's own poll takes the programmer's place when one runs the edge.</summary>
    public Dictionary<string, Func<int>> EdgePollers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, CoreSwitch> Cores { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// What <see cref="Bind"/> attaches for a port name in place of a new vNIC, set by a test before the port is
    /// bound: a binder that throws, or a device of its choosing such as a <see cref="FailingPort"/>.
    /// </summary>
    public ConcurrentDictionary<string, Func<PortConfig, IEdgePort>> Devices { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, CoreProgrammer> CorePrograms { get; } = new(StringComparer.Ordinal);

    /// <summary>Moves every node from what it runs to <paramref name="compiled"/>, by the diff the controller would send.</summary>
    public void Install(CompiledFabric compiled)
    {
        foreach (var (name, programmer) in EdgeProgrammers)
        {
            programmer.Apply(NodeProgram.Diff(programmer.Program, compiled.ProgramOf(name), programmer.Version, compiled.Version));
        }

        foreach (var (name, programmer) in CorePrograms)
        {
            programmer.Apply(NodeProgram.Diff(programmer.Program, compiled.ProgramOf(name), programmer.Version, compiled.Version));
        }
    }

    /// <summary>Both ends of a link are cut, as a pulled cable.</summary>
    public void Cut(string node, string iface, string peer, string peerIface)
    {
        _links[(node, iface)].IsForcedDown = true;
        _links[(peer, peerIface)].IsForcedDown = true;
    }

    /// <summary>Injects <paramref name="frame"/> at port <paramref name="from"/>, moves it through the fabric, and returns what every vNIC received.</summary>
    public Dictionary<string, IReadOnlyList<byte[]>> Send(string from, byte[] frame)
    {
        foreach (var vnic in _vnics.Values)
        {
            vnic.TakeTransmitted();
        }

        _vnics[from].Inject(frame);
        Pump();
        return _vnics.ToDictionary(v => v.Key, v => v.Value.TakeTransmitted(), StringComparer.Ordinal);
    }

    /// <summary>Polls every node a few rounds: enough for a frame to cross any fabric of a handful of hops.</summary>
    public void Pump(int rounds = 8)
    {
        for (var round = 0; round < rounds; round++)
        {
            foreach (var poll in EdgePollers.Values)
            {
                poll();
            }

            foreach (var core in Cores.Values)
            {
                core.PollOnce();
            }
        }
    }

    public void Dispose()
    {
        foreach (var core in Cores.Values)
        {
            core.Dispose();
        }

        foreach (var link in _links.Values)
        {
            link.Dispose();
        }
    }

    /// <summary>The rig's in-memory link end of <paramref name="node"/> on its interface <paramref name="iface"/>.</summary>
    public LinkEnd LinkEnd(string node, string iface) => _links[(node, iface)];

    /// <summary>Attaches what a port config names on <paramref name="edge"/>: a test's device for that name, the uplink on that link, or a new vNIC.</summary>
    public IEdgePort Bind(string edge, PortConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Devices.TryGetValue(config.Name, out var device))
        {
            return device(config);
        }

        if (_links.TryGetValue((edge, config.Name), out var link))
        {
            return new UplinkPort(config.Number, link);
        }

        var vnic = new InternalPort(config.Number, config.Name, keepTransmitted: true);
        _vnics[config.Name] = vnic;
        return vnic;
    }

    /// <summary>An edge's ports bound from the rig; they stay the rig's when they leave the edge.</summary>
    public sealed class EdgePorts(FabricRig rig, string edge) : IPortBinder<IEdgePort>
    {
        public IEdgePort Bind(PortConfig config) => rig.Bind(edge, config);

        public void Release(IEdgePort port)
        {
        }
    }

    /// <summary>A core node's link ends, taken from the rig's links; they stay the rig's when they leave the node.</summary>
    public sealed class CoreLinks(FabricRig rig, string core) : IPortBinder<LinkEnd>
    {
        public LinkEnd Bind(PortConfig config) => rig.LinkEnd(core, config.Name);

        public void Release(LinkEnd port)
        {
        }
    }
}
