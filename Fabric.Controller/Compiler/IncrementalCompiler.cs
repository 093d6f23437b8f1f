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
/// port there (its network's neighbour answers when the network's); when its tenant has an external network, its way
/// in on the gateway edge, with the gateway edge's labels and ARP answers when it has a floating IP.</item>
/// <item>A network: its tenant's route entries on the edges hosting it, when it makes the tenant routed or unrouted
/// (a network with ports cannot be created or deleted), and its tenant's way out, which must not take its subnet.</item>
/// <item>An ACL rule: its fragment on the edges hosting its tenant. A tenant: the tenant numbers, and, when it has an
/// external network, its fragments and labels on the gateway edge, which hosts it as if it had a port there.</item>
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

    /// <summary>The numbering scopes the last step assigned again, the only ones whose numbers it can have changed; null after a full compile, which assigns them all.</summary>
    public IReadOnlyCollection<string>? RenumberedScopes { get; private set; }

    /// <summary>
    /// Takes accepted model changes, in the order they were accepted, as one step; returns the nodes whose programs
    /// changed (or may have). The programs after it are a full compile's of the state after the last change, with the
    /// numbers the previous step chose: new names are numbered in name order, as a full compile numbers them. When
    /// any of the changes needs a full compile (see <see cref="IncrementalCompiler"/>), they are taken in together
    /// and compiled in full.
    /// </summary>
    public IReadOnlyCollection<string> ApplyAll(IReadOnlyList<(EventType Type, IMessage Item)> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (!changes.Any(c => NeedsFullCompile(c.Type, c.Item)))
        {
            return Step(changes);
        }

        foreach (var (type, item) in changes)
        {
            _context.Apply(type, item);
        }

        return Recompile();
    }

    /// <summary>Whether a change needs every node compiled in full: a topology change, or an update in place of an object the model offers no update of.</summary>
    public static bool NeedsFullCompile(EventType type, IMessage item) => CompileContext.IsTopology(item) || type == EventType.Updated;

    /// <summary>Takes one accepted model change; returns the nodes whose programs changed (or may have).</summary>
    public IReadOnlyCollection<string> Apply(EventType type, IMessage item) => ApplyAll([(type, item)]);

    /// <summary>Computes paths again (after a link is reported up or down) and compiles every node; returns them all.</summary>
    public IReadOnlyCollection<string> Recompile()
    {
        _paths.Update(LiveGraph());
        _context.Trees = _paths.Trees;
        _context.NumberAll(Compiled.Numberings);
        _ledgers.Clear();
        var edges = ImmutableDictionary.CreateBuilder<string, NodeProgram>(StringComparer.Ordinal);
        var shared = new Dictionary<FragmentKey, FlowEntry[]>();
        foreach (var edge in _context.EdgeNames)
        {
            var ledger = new EdgeFlowLedger();
            foreach (var key in EdgeCompiler.FragmentsOf(_context, edge))
            {
                ledger.Set(key, EdgeCompiler.Fragment(_context, edge, key, shared));
            }

            ledger.TakeChanges();
            _ledgers[edge] = ledger;
            edges[edge] = new NodeProgram(EdgeTables.Configs(), EdgeCompiler.PortConfigs(_context, edge), EdgeCompiler.Groups(_context, edge), ledger.Flows, []);
        }

        var cores = _context.CoreNames.ToImmutableDictionary(c => c, c => CoreCompiler.Compile(_context, c), StringComparer.Ordinal);
        var before = Compiled;
        _edges = edges.ToImmutable();
        Compiled = new CompiledFabric(before.Version + 1, _edges, cores, _context.Numberings);
        RenumberedScopes = null;
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

    /// <summary>Compiles changes none of which needs a full compile: only the fragments and ports they touch.</summary>
    private List<string> Step(IReadOnlyList<(EventType Type, IMessage Item)> changes)
    {
        var touched = new Dictionary<string, HashSet<FragmentKey>>(StringComparer.Ordinal);
        var ports = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var (tenants, networks) = (false, false);
        foreach (var (type, item) in changes)
        {
            // What a change can alter is found while its object is in the model: after a create, before a delete.
            var present = type != EventType.Deleted;
            if (present)
            {
                _context.Apply(type, item);
            }

            Touch(touched, item);
            if (GatewayLabelsOf(item) is { } gateway)
            {
                // A tenant's or a floating IP's ways out are labels of the gateway edge.
                Set(ports, gateway);
            }

            if (!present)
            {
                _context.Apply(type, item);
            }

            tenants |= item is Tenant;
            networks |= item is Network;
            if (item is Port port)
            {
                Set(ports, port.Edge).Add(port.Name);
            }
        }

        var renumbered = new List<string>();
        if (tenants)
        {
            _context.NumberTenants();
            renumbered.Add(CompiledFabric.TenantScope);
        }

        if (networks)
        {
            _context.NumberNetworks();
            renumbered.Add(CompiledFabric.NetworkScope);
        }

        foreach (var edge in ports.Keys)
        {
            _context.NumberPortsOf(edge);
            renumbered.AddRange([CompiledFabric.LabelScope(edge), CompiledFabric.PortScope(edge)]);
        }

        var before = Compiled;
        var edges = _edges.ToBuilder();
        var changed = new List<string>();
        var shared = new Dictionary<FragmentKey, FlowEntry[]>();
        foreach (var edge in touched.Keys.Union(ports.Keys))
        {
            var ledger = _ledgers[edge];
            foreach (var key in touched.GetValueOrDefault(edge) ?? [])
            {
                ledger.Set(key, EdgeCompiler.Fragment(_context, edge, key, shared));
            }

            var batch = new ProgramBatch();
            batch.FlowMods.AddRange(ledger.TakeChanges());
            batch.PortMods.AddRange(PortChanges(before, edge, ports.GetValueOrDefault(edge) ?? []));
            if (!NodeProgram.IsEmpty(batch))
            {
                edges[edge] = edges[edge].Apply(batch);
                changed.Add(edge);
            }
        }

        _edges = edges.ToImmutable();
        Compiled = new CompiledFabric(before.Version + 1, _edges, before.Cores, _context.Numberings);
        RenumberedScopes = renumbered;
        return changed;
    }

    /// <summary>
    /// The port mods for local ports created or deleted on <paramref name="edge"/>, by port number as
    /// <see cref="NodeProgram.Diff"/> gives them: deletes first, then adds and modifies (a number another port took
    /// over), each in number order.
    /// </summary>
    private List<PortMod> PortChanges(CompiledFabric before, string edge, IEnumerable<string> names)
    {
        var scope = CompiledFabric.PortScope(edge);
        var (was, now) = (before.Numberings[scope].Numbers, _context.Numberings[scope].Numbers);
        var numbers = new SortedDictionary<uint, PortConfig?>();
        foreach (var name in names)
        {
            var key = CompiledFabric.VnicKey(name);
            if (was.TryGetValue(key, out var old))
            {
                numbers.TryAdd(old, null);
            }

            if (now.TryGetValue(key, out var number))
            {
                numbers[number] = PortRealizations.Endpoint(_context, _context.Ports[name], number);
            }
        }

        var program = before.Edges[edge];
        var deletes = new List<PortMod>();
        var changes = new List<PortMod>();
        foreach (var (number, config) in numbers)
        {
            var old = program.Ports.GetValueOrDefault(number);
            if (config is null)
            {
                deletes.Add(new PortMod { Op = ModOp.Delete, Port = old });
            }
            else if (old is null)
            {
                changes.Add(new PortMod { Op = ModOp.Add, Port = config });
            }
            else if (!old.Equals(config))
            {
                changes.Add(new PortMod { Op = ModOp.Modify, Port = config });
            }
        }

        return [.. deletes, .. changes];
    }

    private static HashSet<string> Set(Dictionary<string, HashSet<string>> index, string key)
    {
        if (!index.TryGetValue(key, out var names))
        {
            index[key] = names = new HashSet<string>(StringComparer.Ordinal);
        }

        return names;
    }

    /// <summary>The gateway edge whose labels a change adds or removes: a tenant's with an external network, or a floating IP's; null for any other.</summary>
    private string? GatewayLabelsOf(IMessage item) => item switch
    {
        Tenant tenant => _context.ExternalOfTenant(tenant.Name)?.Edge,
        Port port when port.FloatingIpv4.Length > 0 || port.FloatingIpv6.Length > 0 => _context.ExternalOf(port)?.Edge,
        _ => null,
    };

    /// <summary>Adds the fragments a change can alter to <paramref name="touched"/>, by edge; the changed object must be in the model.</summary>
    private void Touch(Dictionary<string, HashSet<FragmentKey>> touched, IMessage item)
    {
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
            case Tenant attached when _context.ExternalOfTenant(attached.Name) is { } external:
                Touch(external.Edge, EdgeCompiler.TenantFragments(_context, external.Edge, attached.Name));
                break;
            case Network network:
                var outside = _context.ExternalOfTenant(network.Tenant) is not null;
                foreach (var edge in _context.EdgesHosting(network.Tenant))
                {
                    if (_context.NetworkCount(network.Tenant) == 2)
                    {
                        Touch(edge, _context.NetworksOf(network.Tenant).SelectMany(n => _context.PortsOf(n.Name).Select(p => FragmentKey.Route(network.Tenant, n.Name, p.Name))));
                    }

                    if (outside)
                    {
                        // Its subnet joins or leaves those the tenant's way out must not take.
                        Touch(edge, [FragmentKey.Outside(network.Tenant)]);
                    }
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

                if (_context.ExternalOf(port) is { } gateway)
                {
                    // A floating IP is answered on the external port, and every attached tenant's packets to it hairpin.
                    Touch(gateway.Edge, port.FloatingIpv4.Length > 0 || port.FloatingIpv6.Length > 0
                        ? [FragmentKey.Inbound(port.Name), FragmentKey.External(gateway.Name), .. _context.TenantsOf(gateway.Name).Select(t => FragmentKey.Outside(t.Name))]
                        : [FragmentKey.Inbound(port.Name)]);
                }

                break;
            case AclRule rule:
                foreach (var edge in _context.EdgesHosting(rule.Tenant))
                {
                    Touch(edge, [FragmentKey.Acl(rule.Name)]);
                    if (rule.Stateful)
                    {
                        // The tenant may start or stop going through the tracker: its tracking entries and its ports' egress.
                        Touch(edge, _context.LocalPorts(edge).Where(p => _context.Networks[p.Network].Tenant == rule.Tenant).Select(p => FragmentKey.LocalPort(p.Name)).Append(FragmentKey.Tracking(rule.Tenant)));
                    }
                }

                break;
        }
    }

}
