using System.Diagnostics;
using Sdn.Cli.Hosting.Metrics;
using Sdn.Cli.Output;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Cli.Hosting;

/// <summary>
/// A whole fabric in one process, as <c>sdn up</c> runs it: the controller, and the hosts of its nodes
/// (<see cref="NodeHosts"/>), each programmed by its own agent over the real southbound gRPC on loopback and
/// realizing what its program names: link ends, micro-VMs, namespaces on TAP devices. Then the topology is applied
/// as `sdn apply` plans it, in one run on the model, and from then on the fabric follows the model, whoever changes it.
/// </summary>
/// <remarks>
/// While the topology is first applied the VMs do not boot: once every node holds what the controller compiled, they
/// boot together, responders (echo, sink) first, so that senders find them up. VMs added later boot at once.
/// </remarks>
internal sealed class EmbeddedFabric : IAsyncDisposable
{
    // How often a stage looks whether it is done: each look walks every node, or every VM, of the fabric.
    private static readonly TimeSpan StagePoll = TimeSpan.FromMilliseconds(20);

    private readonly TeardownStack _teardown = new();
    private readonly EmbeddedFabricOptions _options;
    private readonly BootGate _boot = new(open: false);
    private ControllerServer _server = null!;
    private NodeHosts _hosts = null!;

    private EmbeddedFabric(TopologyDefinition topology, EmbeddedFabricOptions options)
    {
        Topology = topology;
        _options = options;
    }

    public TopologyDefinition Topology { get; }

    /// <summary>The controller's gRPC address, northbound and southbound.</summary>
    public Uri Address => _server.Address;

    /// <summary>The Prometheus endpoint, when <see cref="EmbeddedFabricOptions.Metrics"/> asked for one.</summary>
    public MetricsServer? Metrics => _server.Metrics;

    public FabricModel Model => _server.Model;

    /// <summary>Cancelled when a client calls the controller's Shutdown (`sdn down`).</summary>
    public CancellationToken ShutdownRequested => _server.ShutdownRequested;

    /// <summary>From the start to every node programmed and every application up.</summary>
    public TimeSpan UpTime { get; private set; }

    /// <summary>The VMs the edges run now, by name.</summary>
    public IReadOnlyDictionary<string, GuestVm> Vms => _hosts.Edges.SelectMany(e => e.Ports.Vms).ToDictionary(v => v.Name, StringComparer.Ordinal);

    /// <summary>The Linux hosts the edges run now, by name.</summary>
    public IReadOnlyDictionary<string, LinuxHost> Hosts => _hosts.Edges.SelectMany(e => e.Ports.Hosts).ToDictionary(h => h.Name, StringComparer.Ordinal);

    public NodeHosts Nodes => _hosts;

    /// <exception cref="HostingException">A stage did not finish in time, or a VM or host failed.</exception>
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
    public void SetLinkCut(string link, bool cut) => _hosts.Links.SetCut(link, cut);

    /// <summary>Whether the link's cable is cut, by <see cref="SetLinkCut"/> or because the link is administratively down.</summary>
    public bool IsLinkCut(string link) => _hosts.Links.IsCut(link);

    /// <summary>Stops the VMs, the edges, the core nodes and the controller, and deletes the hosts' TAPs and namespaces.</summary>
    public ValueTask DisposeAsync() => _teardown.DisposeAsync();

    private async Task BringUpAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        _server = await ControllerServer.StartAsync(
            _options.Listen ?? Topology.Controller.Listen,
            new FabricModel(store: null),
            access: new ControllerAccess(Insecure: _options.Insecure),
            metrics: _options.Metrics,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        _teardown.Push(_server.DisposeAsync);

        _hosts = new NodeHosts(_server.Model, _server.Address, _boot, _options with { Progress = _ => { } }, _server.Metrics?.Latencies);
        _teardown.Push(_hosts.DisposeAsync);
        var adminState = new AdminLinkState(_server.Model, _hosts.Links);
        _teardown.Push(adminState.DisposeAsync);

        ApplyTopology();
        _options.Progress(
            $"controller: serving on {_server.Address}, topology '{Topology.Name}' applied: {Topology.State.Edges.Count} edges, " +
            $"{Topology.State.CoreNodes.Count} core nodes, {Topology.State.Links.Count} links");

        await UntilAsync(Unprogrammed, Topology.State.Edges.Count + Topology.State.CoreNodes.Count, "nodes programmed", cancellationToken).ConfigureAwait(false);
        _options.Progress($"nodes: every node programmed (version {_server.Compiled.Version}) in {clock.ElapsedMilliseconds} ms");

        _boot.Open(_options.StageTimeout);
        await UntilAsync(NotUp, Topology.State.Ports.Count(p => p.Kind == PortKind.Vnic), "VMs up", cancellationToken).ConfigureAwait(false);
        UpTime = clock.Elapsed;
        _options.Progress($"vms: {Vms.Count} booted and up, {Hosts.Count} hosts; the fabric is up in {UpTime.TotalMilliseconds:F0} ms");
    }

    /// <summary>
    /// Applies the topology as `sdn apply` plans it, from the state the model holds (empty, so every object is an
    /// addition), but on the controller's model in this process as one run (<see cref="TopologyPlan.ApplyTo"/>):
    /// the same checks as the northbound calls, without a call per object, and the controller compiles the whole
    /// topology at once instead of once per object.
    /// </summary>
    private void ApplyTopology()
    {
        try
        {
            var plan = Topology.PlanFrom(_server.Model.Snapshot());
            _options.Stages?.Report(new ProgressReport("applying the topology", 0, plan.Steps.Count, plan.Summary));
            plan.ApplyTo(_server.Model);
        }
        catch (PlanStepException refused)
        {
            throw new HostingException($"applying topology '{Topology.Name}': {refused.Message}", refused);
        }
    }

    /// <param name="total">How many there are to wait for, of which <paramref name="waiting"/> names those not done yet.</param>
    private async Task UntilAsync(Func<List<string>> waiting, int total, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.StageTimeout.TotalSeconds * Stopwatch.Frequency);
        while (waiting() is { Count: > 0 } names)
        {
            _options.Stages?.Report(new ProgressReport(what, Math.Max(total - names.Count, 0), total, string.Join(", ", names.Take(5)) + (names.Count > 5 ? ", ..." : "")));
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new HostingException($"not all {what} after {_options.StageTimeout.TotalSeconds:F0} s: {string.Join(", ", names)}; is another process using {_server.Address}?");
            }

            await Task.Delay(StagePoll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The nodes of the model that have no host yet, whose links are not all up, or that do not hold what the controller compiled last.</summary>
    private List<string> Unprogrammed()
    {
        var compiled = _server.Compiled;
        var edges = _hosts.Edges.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var cores = _hosts.Cores.ToDictionary(c => c.Name, StringComparer.Ordinal);
        return _server.Model.List(ResourceKinds.Edges).Where(e => !edges.TryGetValue(e.Name, out var host) || !host.Holds(compiled.ProgramOf(e.Name))).Select(e => e.Name)
            .Concat(_server.Model.List(ResourceKinds.CoreNodes).Where(c => !cores.TryGetValue(c.Name, out var host) || !host.Holds(compiled.ProgramOf(c.Name))).Select(c => c.Name))
            .ToList();
    }

    /// <summary>The VMs not made yet or whose application is not up yet; throws for a VM or host that failed.</summary>
    private List<string> NotUp()
    {
        var vms = Vms.Values.ToList();
        if (vms.FirstOrDefault(v => v.Failure is not null) is { } failed)
        {
            throw new HostingException($"vm {failed.Name} did not come up: {failed.Failure}");
        }

        if (_hosts.Edges.SelectMany(e => e.Ports.Unrealized).FirstOrDefault() is { } unrealized)
        {
            throw new HostingException($"{unrealized.Name}: {unrealized.Failure}");
        }

        var made = vms.ToDictionary(v => v.Name, StringComparer.Ordinal);
        return [.. _server.Model.List(ResourceKinds.Ports).Where(p => p.Kind == PortKind.Vnic && !(made.TryGetValue(p.Name, out var vm) && vm.IsUp)).Select(p => p.Name)];
    }
}
