using System.Collections.Immutable;
using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Paths;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// Keeps every node's program compiled as the model changes, recompiling only what each change touches.
///
/// <para><b>How.</b> An edge's flow table is a set of fragments (<see cref="FragmentKey"/>): its fixed entries, one
/// per local port, and, for every tenant it hosts, one per port and network for neighbour answers, forwarding and
/// routing, and one per ACL rule. A change names the fragments it can alter, on the edges that hold them; only those
/// are compiled again (<see cref="EdgeCompiler.Fragment"/>), and the edge's <see cref="EdgeFlowLedger"/> turns the
/// difference into flow mods, applied to the program it had (<see cref="NodeProgram.Apply"/>). So the programs after
/// each step equal those a full compile of the same state gives, with the numbers the previous step chose.</para>
///
/// <para><b>What a change touches.</b>
/// <list type="bullet">
/// <item>A port: its edge's port, local entries and numbers; on every edge hosting its tenant, its forwarding,
/// neighbour and route entries; and all of its tenant's fragments on its edge when it is the tenant's first or last
/// port there (its network's neighbour answers when the network's).</item>
/// <item>A network: its tenant's route entries on the edges hosting it, when it makes the tenant routed or unrouted
/// (a network with ports cannot be created or deleted).</item>
/// <item>An ACL rule: its fragment on the edges hosting its tenant. A tenant: the tenant numbers only.</item>
/// <item>An edge, a core node, a link, a link's admin or reported state, a node's address: paths, uplink groups,
/// LFIBs and link ends can change anywhere, so every node is compiled again, over paths updated incrementally.</item>
/// </list></para>
/// </summary>
public sealed class IncrementalCompiler
{
    private readonly CompileContext _context;
    private readonly PathComputer _paths;
    private readonly Func<Link, bool> _reportedDown;
    private readonly Dictionary<string, EdgeFlowLedger> _ledgers = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, NodeProgram> _edges = ImmutableDictionary<string, NodeProgram>.Empty;

    /// <summary>Compiles <paramref name="state"/> in full, keeping the numbers <paramref name="previous"/> chose.</summary>
    /// <param name="reportedDown">Whether an agent reports a link down, which takes it out of the paths as an admin down does.</param>
    public IncrementalCompiler(FabricState state, CompiledFabric? previous, Func<Link, bool>? reportedDown = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        _reportedDown = reportedDown ?? (_ => false);
        _context = new CompileContext(state, ImmutableDictionary<string, LspTree>.Empty, previous);
        _paths = new PathComputer(LiveGraph());
        Compiled = previous ?? new CompiledFabric(0, ImmutableDictionary<string, NodeProgram>.Empty, ImmutableDictionary<string, NodeProgram>.Empty, _context.Numberings);
        Recompile();
    }

    /// <summary>The programs and numbers as of the last step.</summary>
    public CompiledFabric Compiled { get; private set; }

    /// <summary>
    /// Takes accepted model changes in order; returns the nodes whose programs changed (or may have). Changes that
    /// include a topology change are taken together into one full compile, as each would need one.
    /// </summary>
    public IReadOnlyCollection<string> ApplyAll(IReadOnlyList<(EventType Type, IMessage Item)> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Any(c => CompileContext.IsTopology(c.Item)))
        {
            foreach (var (type, item) in changes)
            {
                _context.Apply(type, item);
            }

            return Recompile();
        }

        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (type, item) in changes)
        {
            changed.UnionWith(Apply(type, item));
        }

        return changed;
    }

    /// <summary>Takes one accepted model change; returns the nodes whose programs changed (or may have).</summary>
    public IReadOnlyCollection<string> Apply(EventType type, IMessage item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (CompileContext.IsTopology(item))
        {
            _context.Apply(type, item);
            return Recompile();
        }

        var present = type != EventType.Deleted;
        if (present)
        {
            _context.Apply(type, item);
        }

        var touched = Touched(item);
        if (!present)
        {
            _context.Apply(type, item);
        }

        switch (item)
        {
            case Tenant:
                _context.NumberTenants();
                break;
            case Network:
                _context.NumberNetworks();
                break;
            case Port port:
                _context.NumberPortsOf(port.Edge);
                break;
        }

        var edges = _edges.ToBuilder();
        var changed = new List<string>();
        foreach (var (edge, keys) in touched)
        {
            var ledger = _ledgers[edge];
            foreach (var key in keys)
            {
                ledger.Set(key, EdgeCompiler.Fragment(_context, edge, key));
            }

            var batch = new ProgramBatch();
            batch.FlowMods.AddRange(ledger.TakeChanges());
            if (item is Port local && local.Edge == edge)
            {
                batch.PortMods.Add(PortChange(edge, local, present));
            }

            if (!NodeProgram.IsEmpty(batch))
            {
                edges[edge] = edges[edge].Apply(batch);
                changed.Add(edge);
            }
        }

        _edges = edges.ToImmutable();
        Compiled = new CompiledFabric(Compiled.Version + 1, _edges, Compiled.Cores, _context.Numberings);
        return changed;
    }

    /// <summary>Computes paths again (after a link is reported up or down) and compiles every node; returns them all.</summary>
    public IReadOnlyCollection<string> Recompile()
    {
        _paths.Update(LiveGraph());
        _context.Trees = _paths.Trees;
        _context.NumberAll(Compiled.Numberings);
        _ledgers.Clear();
        var edges = ImmutableDictionary.CreateBuilder<string, NodeProgram>(StringComparer.Ordinal);
        foreach (var edge in _context.EdgeNames)
        {
            var ledger = new EdgeFlowLedger();
            foreach (var key in EdgeCompiler.FragmentsOf(_context, edge))
            {
                ledger.Set(key, EdgeCompiler.Fragment(_context, edge, key));
            }

            ledger.TakeChanges();
            _ledgers[edge] = ledger;
            edges[edge] = new NodeProgram(EdgeTables.Configs(), EdgeCompiler.PortConfigs(_context, edge), EdgeCompiler.Groups(_context, edge), ledger.Flows, []);
        }

        var cores = _context.CoreNames.ToImmutableDictionary(c => c, c => CoreCompiler.Compile(_context, c), StringComparer.Ordinal);
        var before = Compiled;
        _edges = edges.ToImmutable();
        Compiled = new CompiledFabric(before.Version + 1, _edges, cores, _context.Numberings);
        return [.. before.Edges.Keys.Union(before.Cores.Keys).Union(edges.Keys).Union(cores.Keys)];
    }

    private PathGraph LiveGraph()
    {
        var graph = _context.Graph();
        foreach (var link in _context.Links.Values.Where(_reportedDown))
        {
            graph = graph.WithLink(link.Name, up: false);
        }

        return graph;
    }

    /// <summary>The fragments a change can alter, by edge, found while the changed object is in the model.</summary>
    private Dictionary<string, HashSet<FragmentKey>> Touched(IMessage item)
    {
        var touched = new Dictionary<string, HashSet<FragmentKey>>(StringComparer.Ordinal);
        void Touch(string edge, IEnumerable<FragmentKey> keys)
        {
            if (!touched.TryGetValue(edge, out var set))
            {
                touched[edge] = set = [];
            }

            set.UnionWith(keys);
        }

        switch (item)
        {
            case Network network when _context.NetworkCount(network.Tenant) == 2:
                foreach (var edge in _context.EdgesHosting(network.Tenant))
                {
                    Touch(edge, _context.NetworksOf(network.Tenant).SelectMany(n => _context.PortsOf(n.Name).Select(p => FragmentKey.Route(network.Tenant, n.Name, p.Name))));
                }

                break;
            case Port port:
                var tenant = _context.Networks[port.Network].Tenant;
                foreach (var edge in _context.EdgesHosting(tenant))
                {
                    Touch(edge, [FragmentKey.Forward(port.Network, port.Name), FragmentKey.Neighbour(port.Network, port.Name), FragmentKey.Route(tenant, port.Network, port.Name)]);
                }

                Touch(port.Edge, [FragmentKey.LocalPort(port.Name)]);
                if (_context.PortsOfTenantOn(port.Edge, tenant) == 1)
                {
                    Touch(port.Edge, EdgeCompiler.TenantFragments(_context, port.Edge, tenant));
                }
                else if (_context.PortsOfNetworkOn(port.Edge, port.Network) == 1)
                {
                    Touch(port.Edge, EdgeCompiler.NetworkFragments(_context, port.Edge, port.Network));
                }

                break;
            case AclRule rule:
                foreach (var edge in _context.EdgesHosting(rule.Tenant))
                {
                    Touch(edge, [FragmentKey.Acl(rule.Name)]);
                }

                break;
        }

        return touched;
    }

    private PortMod PortChange(string edge, Port port, bool present)
    {
        if (present)
        {
            return new PortMod { Op = ModOp.Add, Port = PortRealizations.Endpoint(_context, port, _context.Number(CompiledFabric.PortScope(edge), CompiledFabric.VnicKey(port.Name))) };
        }

        var number = Compiled.Numberings[CompiledFabric.PortScope(edge)][CompiledFabric.VnicKey(port.Name)];
        return new PortMod { Op = ModOp.Delete, Port = Compiled.Edges[edge].Ports[number] };
    }
}
