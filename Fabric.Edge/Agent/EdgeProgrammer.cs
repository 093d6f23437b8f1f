using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Pipeline.Groups;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// Applies the controller's program batches to one <see cref="EdgeSwitch"/>, all or nothing: a batch is first
/// checked and translated in full (versions, mods against the applied program, tables, groups and ports it
/// refers to) and only then installed, in an order where nothing refers to what is not there yet. Should the
/// switch still refuse a change half-way, or a port's device throw as it is added, the applied program is installed
/// again from scratch and the batch is refused, so the switch never holds part of one. (Should even that fail, the
/// next batch is installed from scratch.)
/// </summary>
/// <remarks>Not thread-safe: call it on the switch's thread, between polls.</remarks>
public sealed class EdgeProgrammer
{
    private readonly EdgeSwitch _switch;
    private readonly IPortBinder<IEdgePort> _binder;
    private readonly Dictionary<uint, IEdgePort> _ports = [];
    private readonly Dictionary<uint, bool> _reportedUp = [];
    private readonly HashSet<uint> _groups = [];
    private volatile NodeProgram _program = NodeProgram.Empty;

    /// <summary>True when a refused batch could not be undone, so the switch may hold part of it.</summary>
    private bool _damaged;

    /// <param name="binder">Realizes the device a port config names (a VM's vNIC, a host's TAP, an uplink) under the config's number, and takes it down when the port goes.</param>
    public EdgeProgrammer(EdgeSwitch edge, IPortBinder<IEdgePort> binder)
    {
        ArgumentNullException.ThrowIfNull(edge);
        ArgumentNullException.ThrowIfNull(binder);
        _switch = edge;
        _binder = binder;
    }

    /// <summary>The version of the last batch applied; 0 before any.</summary>
    public ulong Version { get; private set; }

    /// <summary>What the switch holds, as of the last batch applied; safe to read from any thread.</summary>
    public NodeProgram Program => _program;

    /// <summary>The bound port with this name, if any.</summary>
    public IEdgePort? Port(string name) => _ports.Values.FirstOrDefault(p => p.Name == name);

    /// <summary>
    /// The bound port the program calls <paramref name="name"/>: a model port or an uplink's interface. A TAP port's
    /// device has a name of its own, which this does not match.
    /// </summary>
    public IEdgePort? PortNamedByProgram(string name) => PortConfigNamed(name) is { } config ? _ports.GetValueOrDefault(config.Number) : null;

    /// <summary>The program's config of the port it calls <paramref name="name"/>, bound or not.</summary>
    public PortConfig? PortConfigNamed(string name) => Program.Ports.Values.FirstOrDefault(p => p.Name == name);

    /// <summary>
    /// Applies <paramref name="batch"/> whole, or throws having changed nothing: <see cref="ProgramException"/> for a
    /// batch the edge refuses, or whatever else the port binder threw.
    /// </summary>
    public void Apply(ProgramBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!batch.FullState && batch.BaseVersion != Version)
        {
            throw new ProgramException(StatusCode.FailedPrecondition, $"the batch applies to version {batch.BaseVersion} but this edge is at {Version}; send full state");
        }

        var held = Program;
        var next = held.Apply(batch);

        // Full state is planned as the difference from what the switch holds; a diff is its own plan. A switch that
        // may hold part of a refused batch gets the whole program again instead.
        var plan = _damaged
            ? FromScratch(next, batch.Version)
            : Plan(batch.FullState ? NodeProgram.Diff(held, next, Version, batch.Version) : batch, next);
        InstallOrRestore(plan, batch.Version);
        _program = next;
        Version = batch.Version;
    }

    /// <summary>
    /// Feeds the liveness of every uplink into the fast-failover groups, and returns the uplinks whose state
    /// changed since the controller was last told, for the controller.
    /// </summary>
    public IReadOnlyList<LinkStatus> RefreshLiveness()
    {
        List<LinkStatus>? changes = null;
        foreach (var (number, port) in _ports)
        {
            if (port is not UplinkPort uplink || (_reportedUp.TryGetValue(number, out var was) && was == uplink.IsUp))
            {
                continue;
            }

            _reportedUp[number] = uplink.IsUp;
            _switch.Pipeline.Liveness.SetPortLive(number, uplink.IsUp);
            (changes ??= []).Add(new LinkStatus { Interface = uplink.Name, Up = uplink.IsUp });
        }

        return changes ?? [];
    }

    /// <summary>
    /// Feeds the liveness of every uplink into the fast-failover groups after an install, leaving what changed for
    /// <see cref="RefreshLiveness"/> to tell the controller.
    /// </summary>
    private void FeedLivenessToGroups()
    {
        foreach (var (number, port) in _ports)
        {
            if (port is UplinkPort uplink)
            {
                _switch.Pipeline.Liveness.SetPortLive(number, uplink.IsUp);
            }
        }
    }

    /// <summary>
    /// Installs <paramref name="plan"/>; should anything fail half-way (the switch refusing an entry, a device throwing
    /// as it is added), installs the applied program again from scratch and refuses the batch. Should that fail too,
    /// the next batch is installed from scratch.
    /// </summary>
    private void InstallOrRestore(InstallPlan plan, ulong version)
    {
        try
        {
            Install(plan);
            _damaged = false;
        }
        catch (Exception e)
        {
            var failure = e is FlowEditException or ArgumentException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            try
            {
                Install(FromScratch(Program, Version));
                ReleaseAll(plan.PortsAdded.Where(p => !_ports.ContainsValue(p)));
            }
            catch (Exception restoring)
            {
                _damaged = true;
                throw new ProgramException(StatusCode.Internal, $"the switch refused version {version} ({failure}), and reinstalling version {Version} failed too ({restoring.GetType().Name}: {restoring.Message}); the next batch is installed from scratch");
            }

            throw new ProgramException(StatusCode.Internal, $"the switch refused version {version} ({failure}); it still runs version {Version}");
        }
    }

    /// <summary>The plan that empties the switch and installs <paramref name="program"/> whole, on the devices already bound.</summary>
    private InstallPlan FromScratch(NodeProgram program, ulong version) =>
        Plan(NodeProgram.Diff(NodeProgram.Empty, program, 0, version), program, clearFirst: true);

    /// <summary>
    /// Checks and translates <paramref name="diff"/> against the ports and groups of <paramref name="next"/>, the program
    /// it leads to; should it refuse, takes down again the ports it had bound.
    /// </summary>
    private InstallPlan Plan(ProgramBatch diff, NodeProgram next, bool clearFirst = false)
    {
        var plan = new InstallPlan(clearFirst);
        try
        {
            Plan(diff, next, plan);
            return plan;
        }
        catch
        {
            ReleaseAll(plan.PortsAdded.Where(p => !_ports.ContainsValue(p)));
            throw;
        }
    }

    private void Plan(ProgramBatch diff, NodeProgram next, InstallPlan plan)
    {
        var clearFirst = plan.ClearFirst;
        var tableCount = _switch.Pipeline.Tables.Count;
        var numbers = next.Ports.Values.ToDictionary(p => p.Name, p => p.Number, StringComparer.Ordinal);
        uint? PortOf(string name) => numbers.TryGetValue(name, out var number) ? number : null;

        foreach (var mod in diff.PortMods)
        {
            if (mod.Op != ModOp.Add)
            {
                plan.PortsRemoved.Add(mod.Port.Number);
            }

            if (mod.Op != ModOp.Delete)
            {
                if (mod.Port.Number is 0 or >= EdgeDatapath.MaxPorts)
                {
                    throw new ProgramException($"port '{mod.Port.Name}': number {mod.Port.Number} is outside 1..{EdgeDatapath.MaxPorts - 1}");
                }

                plan.PortsAdded.Add(clearFirst && _ports.TryGetValue(mod.Port.Number, out var bound) ? bound : Bind(mod.Port));
            }
        }

        foreach (var mod in diff.GroupMods)
        {
            if (mod.Op == ModOp.Delete)
            {
                plan.GroupsRemoved.Add(mod.Group.GroupId);
                continue;
            }

            var group = ProgramTranslator.Group(mod.Group, PortOf);
            foreach (var bucket in group.Buckets)
            {
                if (MissingReference(bucket.Actions, next) is { } missing)
                {
                    throw new ProgramException(StatusCode.FailedPrecondition, $"group {group.Id} {missing}");
                }
            }

            (mod.Op == ModOp.Add ? plan.GroupsAdded : plan.GroupsModified).Add(group);
        }

        // A table's miss setting is its priority-0 match-anything entry, so it is planned as one.
        foreach (var table in diff.Tables)
        {
            var id = ProgramTranslator.Table(table.TableId, tableCount);
            plan.Flows.Add(FlowEdit.Add(id, 0, FlowMatch.Any, ProgramTranslator.Miss(table, tableCount)));
            plan.TableNames.Add((id, table.Name));
        }

        var translated = new Dictionary<Instruction, FlowInstructions>(ReferenceEqualityComparer.Instance);
        foreach (var mod in diff.FlowMods)
        {
            var flow = ProgramTranslator.Add(mod.Entry, tableCount, translated);
            switch (mod.Op)
            {
                case ModOp.Delete:
                    plan.FlowsDeleted.Add(FlowEdit.DeleteStrict(flow.TableId, flow.Priority, flow.Match));
                    continue;
                case ModOp.Modify:
                    plan.Flows.Add(FlowEdit.ModifyStrict(flow.TableId, flow.Priority, flow.Match, flow.Instructions));
                    break;
                default:
                    plan.Flows.Add(flow);
                    break;
            }

            if (MissingReference(flow.Instructions.ApplyActions, next) is { } missing)
            {
                throw new ProgramException(StatusCode.FailedPrecondition, $"flow {FlowIdentity.Of(mod.Entry)} {missing}");
            }
        }
    }

    private IEdgePort Bind(PortConfig config)
    {
        var port = _binder.Bind(config);
        if (port.Number != config.Number)
        {
            _binder.Release(port);
            throw new ProgramException($"port '{config.Name}' was bound as number {port.Number}, not {config.Number}");
        }

        return port;
    }

    private void ReleaseAll(IEnumerable<IEdgePort> ports)
    {
        foreach (var port in ports.ToList())
        {
            _binder.Release(port);
        }
    }

    /// <summary>What the first action that refers to a port or group <paramref name="next"/> lacks does, or null when all is there.</summary>
    private static string? MissingReference(IReadOnlyList<PipelineAction> actions, NodeProgram next)
    {
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            if (action.Kind == PipelineActionKind.Group && !next.Groups.ContainsKey(action.Operand))
            {
                return $"sends to group {action.Operand}, which the program does not hold";
            }

            if (action.Kind is PipelineActionKind.Output or PipelineActionKind.Mirror && action.Operand != PortNumbers.InPort && !next.Ports.ContainsKey(action.Operand))
            {
                return $"outputs to port {action.Operand}, which the program does not hold";
            }
        }

        return null;
    }

    private void Install(InstallPlan plan)
    {
        var pipeline = _switch.Pipeline;
        if (plan.ClearFirst)
        {
            // Back to what a new table holds, its table-miss entry included; the plan then adds the program's entries.
            foreach (var table in pipeline.Tables)
            {
                pipeline.Apply(FlowEdit.Delete(table.Id, FlowMatch.Any));
                pipeline.SetTableMiss(table.Id, FlowInstructions.DropPacket);
                pipeline.NameTable(table.Id, string.Empty);
            }

            foreach (var id in _groups)
            {
                pipeline.DeleteGroup(id);
            }

            _groups.Clear();

            foreach (var number in _ports.Keys)
            {
                _switch.Datapath.RemovePort(number);
            }

            // The plan holds the bound ports it re-adds; the others are taken down.
            ReleaseAll(_ports.Values.Except(plan.PortsAdded));
            _ports.Clear();
            _reportedUp.Clear();
        }

        foreach (var number in plan.PortsRemoved)
        {
            _switch.Datapath.RemovePort(number);
            if (_ports.Remove(number, out var removed))
            {
                _binder.Release(removed);
            }

            _reportedUp.Remove(number);
        }

        foreach (var port in plan.PortsAdded)
        {
            _switch.AddPort(port);
            _ports[port.Number] = port;
        }

        foreach (var group in plan.GroupsAdded)
        {
            pipeline.Groups.Add(group);
            _groups.Add(group.Id);
        }

        plan.GroupsModified.ForEach(pipeline.Groups.Modify);

        // Deletes first, so an add may reuse what a delete frees.
        plan.FlowsDeleted.ForEach(pipeline.Apply);
        plan.Flows.ForEach(pipeline.Apply);
        foreach (var (id, name) in plan.TableNames)
        {
            pipeline.NameTable(id, name);
        }

        foreach (var id in plan.GroupsRemoved)
        {
            pipeline.DeleteGroup(id);
            _groups.Remove(id);
        }

        FeedLivenessToGroups();
    }

    private sealed record InstallPlan(bool ClearFirst)
    {
        public List<uint> PortsRemoved { get; } = [];

        public List<IEdgePort> PortsAdded { get; } = [];

        public List<GroupEntry> GroupsAdded { get; } = [];

        public List<uint> GroupsRemoved { get; } = [];

        public List<GroupEntry> GroupsModified { get; } = [];

        public List<FlowEdit> FlowsDeleted { get; } = [];

        /// <summary>Adds and modifies, table-miss settings included.</summary>
        public List<FlowEdit> Flows { get; } = [];

        public List<(byte Table, string Name)> TableNames { get; } = [];
    }
}
