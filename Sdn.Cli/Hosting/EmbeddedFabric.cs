using System.Diagnostics;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;
using Sdn.Fabric.Controller.Topology;
using Sdn.Fabric.Core.Links.Liveness;
using Sdn.Fabric.Core.Lsr;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Vmm.Guests;

namespace Sdn.Cli.Hosting;

/// <summary>
/// A whole topology in one process, as <c>sdn up</c> runs it: the controller with the topology as its model,
/// an in-memory link pair per link, a core node and an edge switch per node, each programmed by its own agent
/// over the real southbound gRPC on loopback, a micro-VM per VM and a namespace on a TAP port per host.
/// </summary>
/// <remarks>
/// Bring-up order: controller and model, links, core nodes, VMs (created, not booted) and hosts, then edges,
/// whose programs name the ports that bind the VMs' NICs and the hosts' TAPs. Once every node holds what the
/// controller compiled, the VMs boot: responders (echo, sink) first, so that senders find them up.
/// </remarks>
internal sealed class EmbeddedFabric : IAsyncDisposable
{
    // Between two core nodes only an exchange of hellos tells the agents (and so the controller) that a link
    // died; an edge's uplink reports its cut itself. 10 ms x 10 rides out a loaded machine's scheduling stalls.
    private static readonly LivenessOptions CoreLinkLiveness = new(TimeSpan.FromMilliseconds(10), 10);

    private readonly TeardownStack _teardown = new();
    private readonly EmbeddedFabricOptions _options;
    private readonly List<EdgeHost> _edges = [];
    private readonly List<(CoreSwitch Node, CoreAgent Agent)> _cores = [];
    private readonly Dictionary<string, GuestVm> _vms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinuxHost> _hosts = new(StringComparer.Ordinal);
    private ControllerServer _server = null!;
    private FabricLinks _links = null!;

    private EmbeddedFabric(TopologyDefinition topology, EmbeddedFabricOptions options)
    {
        Topology = topology;
        this._options = options;
    }

    public TopologyDefinition Topology { get; }

    /// <summary>The controller's gRPC address, northbound and southbound.</summary>
    public Uri Address => _server.Address;

    public FabricModel Model => _server.Model;

    /// <summary>Cancelled when a client calls the controller's Shutdown (`sdn down`).</summary>
    public CancellationToken ShutdownRequested => _server.ShutdownRequested;

    /// <summary>From the start to every node programmed and every application up.</summary>
    public TimeSpan UpTime { get; private set; }

    public IReadOnlyDictionary<string, GuestVm> Vms => _vms;

    public IReadOnlyDictionary<string, LinuxHost> Hosts => _hosts;

    /// <exception cref="HostingException">A stage did not finish in time, or a VM's parameters are wrong.</exception>
    /// <exception cref="Vmm.VmmException">KVM is missing or refused.</exception>
    /// <exception cref="Core.Interop.ExternalCommandException">A namespace could not be made (not root, or it exists already).</exception>
    public static async Task<EmbeddedFabric> StartAsync(TopologyDefinition topology, EmbeddedFabricOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(options);
        var fabric = new EmbeddedFabric(topology, options);
        try
        {
            await fabric.BringUpAsync(cancellationToken).ConfigureAwait(false);
            return fabric;
        }
        catch (Exception failure)
        {
            try
            {
                await fabric.DisposeAsync().ConfigureAwait(false);
            }
            catch (AggregateException teardownFailure)
            {
                throw new HostingException($"{failure.Message} (and tearing down what had started failed: {teardownFailure.InnerExceptions[0].Message})", failure);
            }

            throw;
        }
    }

    /// <summary>Cuts or mends both ends of a link's cable; the edges' fast-failover groups and the controller react as to a real cut.</summary>
    public void SetLinkCut(string link, bool cut) => _links.SetCut(link, cut);

    /// <summary>Whether the link's cable is cut, by <see cref="SetLinkCut"/> or because the link is administratively down.</summary>
    public bool IsLinkCut(string link) => _links.IsCut(link);

    /// <summary>Stops the VMs, the edges, the core nodes and the controller, and deletes the hosts' TAPs and namespaces.</summary>
    public ValueTask DisposeAsync() => _teardown.DisposeAsync();

    private async Task BringUpAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        _server = await ControllerServer.StartAsync(_options.Listen ?? Topology.Controller.Listen, new FabricModel(store: null), cancellationToken: cancellationToken).ConfigureAwait(false);
        _teardown.Push(_server.DisposeAsync);
        Topology.LoadInto(_server.Model);
        _options.Progress($"controller: serving on {_server.Address}, topology '{Topology.Name}' loaded");

        var state = _server.Model.Snapshot();
        _links = new FabricLinks(state.Links);
        var adminState = new AdminLinkState(_server.Model, _links);
        _teardown.Push(adminState.DisposeAsync);
        var coreNames = state.CoreNodes.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var core in coreNames)
        {
            StartCore(core, coreNames);
        }

        _options.Progress($"core: {state.CoreNodes.Count} nodes and {state.Links.Count} links");

        CreateEndpoints(state);

        foreach (var edge in state.Edges)
        {
            var host = new EdgeHost(edge.Name, config => Bind(edge.Name, config), _server.Address);
            _edges.Add(host);
            _teardown.Push(host.DisposeAsync);
            host.Start();
        }

        await UntilProgrammedAsync(cancellationToken).ConfigureAwait(false);
        _options.Progress($"edges: {_edges.Count} switches; every node programmed (version {_server.Compiled.Version}) in {clock.ElapsedMilliseconds} ms");

        BootAll(_vms.Values.Where(v => v.Launch.App is GuestApp.Echo or GuestApp.Sink).ToList(), cancellationToken);
        BootAll(_vms.Values.Where(v => v.Launch.App is GuestApp.Ping or GuestApp.Pktgen).ToList(), cancellationToken);
        UpTime = clock.Elapsed;
        _options.Progress($"vms: {_vms.Count} booted and up; the fabric is up in {UpTime.TotalMilliseconds:F0} ms");
    }

    /// <summary>A VM per topology VM, created but not booted, and a namespace on a TAP per host, each with its port's MAC and address.</summary>
    private void CreateEndpoints(FabricState state)
    {
        var ports = state.Ports.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var networks = state.Networks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var port in state.Ports.Where(p => p.Kind == PortKind.Vnic))
        {
            var guest = _teardown.Own(new GuestVm(port, networks[port.Network], GuestLaunch.For(port, name => ports.GetValueOrDefault(name))));
            _vms[port.Name] = guest;
            if (_options.GuestOutput is { } print && guest.Launch.App != GuestApp.Echo)
            {
                _teardown.Own(guest.Machine.Serial.Subscribe(line => print(port.Name, line)));
            }

            if (port.Vm.Vcpus > 1)
            {
                _options.Progress($"vm {port.Name}: asks for {port.Vm.Vcpus} vCPUs; micro-VMs run on one");
            }
        }

        foreach (var port in state.Ports.Where(p => p.Kind == PortKind.Tap))
        {
            _hosts[port.Name] = _teardown.Own(new LinuxHost(port, networks[port.Network], _options.NamePrefix));
        }

        _options.Progress($"endpoints: {_vms.Count} VMs created, {_hosts.Count} hosts in namespaces on TAP devices");
    }

    private void StartCore(string name, HashSet<string> coreNames)
    {
        var node = new CoreSwitch(name);
        _teardown.Own(node);
        foreach (var (end, peer) in _links.EndsOf(name))
        {
            node.AddPort(end, coreNames.Contains(peer) ? CoreLinkLiveness : null);
        }

        node.Start();
        var agent = new CoreAgent(node, _server.Address, retryDelay: TimeSpan.FromMilliseconds(50));
        _cores.Add((node, agent));
        _teardown.Push(agent.DisposeAsync);
        agent.Start();
    }

    /// <summary>Attaches what a port of <paramref name="edge"/>'s program names: the uplink on that interface, a VM's NIC or a host's TAP.</summary>
    private IEdgePort Bind(string edge, PortConfig config)
    {
        if (_links.EndAt(edge, config.Name) is { } link)
        {
            return new UplinkPort(config.Number, link);
        }

        if (_vms.TryGetValue(config.Name, out var vm))
        {
            return vm.Attach(config.Number);
        }

        return _hosts.TryGetValue(config.Name, out var host)
            ? host.Attach(config.Number)
            : throw new HostingException($"edge {edge}: the controller names port '{config.Name}', which is no link, VM or host of this topology");
    }

    private async Task UntilProgrammedAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.StageTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Unprogrammed() is { Count: > 0 } waiting)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new HostingException(
                    $"nodes not programmed after {_options.StageTimeout.TotalSeconds:F0} s: {string.Join(", ", waiting)}; is another process using {_server.Address}?");
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The nodes whose links are not all up yet or that do not hold what the controller compiled last.</summary>
    private List<string> Unprogrammed()
    {
        var compiled = _server.Compiled;
        return _edges.Where(e => !e.Holds(compiled.ProgramOf(e.Name))).Select(e => e.Name)
            .Concat(_cores.Where(c => !c.Node.Ports.All(p => p.IsUp) || !ProgramEquality.Same(c.Agent.Program, compiled.ProgramOf(c.Node.Name))).Select(c => c.Node.Name))
            .ToList();
    }

    private void BootAll(List<GuestVm> group, CancellationToken cancellationToken)
    {
        var images = group.Select(v => v.Launch.App).Distinct().ToDictionary(app => app, MicroGuest.Build);
        foreach (var vm in group)
        {
            vm.Boot(images[vm.Launch.App]);
        }

        foreach (var vm in group)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!vm.WaitUntilUp(_options.StageTimeout))
            {
                throw new HostingException($"vm {vm.Name} did not come up ({vm.Machine.State}): {vm.Machine.Fault?.ToString() ?? vm.Machine.Serial.Log}");
            }
        }
    }
}
