using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline.Groups;
using Sdn.Fabric.Edge.Pipeline.Revalidation;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// The OpenFlow side of the switch: numbered flow tables, the group table and port liveness, the flow-mod
/// and group-mod entry points, timeouts, and translation of a flow key into a compiled flow.
/// </summary>
/// <remarks>Not thread-safe: the switch applies changes and translates packets on one thread.</remarks>
public sealed class EdgePipeline
{
    public const int MaxTables = 255;

    private readonly FlowTable[] _tables;
    private readonly TimeProvider _time;
    private readonly FlowCompiler _translator;
    private readonly List<FlowRemoved> _removedScratch = [];
    private readonly Queue<FlowRemoved> _flowRemoved = new();

    public EdgePipeline(int tableCount, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tableCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tableCount, MaxTables);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        var now = time.GetTimestamp();
        _tables = new FlowTable[tableCount];
        for (var i = 0; i < tableCount; i++)
        {
            _tables[i] = new FlowTable((byte)i, now);
        }

        Groups = new GroupTable();
        Liveness = new PortLiveness();
        _translator = new FlowCompiler(_tables, Groups, Liveness);
    }

    public IReadOnlyList<FlowTable> Tables => _tables;

    public GroupTable Groups { get; }

    public PortLiveness Liveness { get; }

    /// <summary>What the cached flows read, where changes find the flows they retire.</summary>
    internal DependencyStore Dependencies => _translator.Dependencies;

    /// <summary>Applies one flow-mod; throws <see cref="FlowEditException"/> (changing nothing) when it is refused.</summary>
    public void Apply(FlowEdit mod)
    {
        ArgumentNullException.ThrowIfNull(mod);
        var table = Table(mod.TableId);
        if (mod.Command is FlowEditCommand.Add or FlowEditCommand.Modify or FlowEditCommand.ModifyStrict)
        {
            Validate(mod);
        }

        table.Apply(mod, _time.GetTimestamp(), _removedScratch);
        PublishRemoved();
    }

    /// <summary>Sets what table <paramref name="tableId"/> does with packets no other entry matches.</summary>
    public void SetTableMiss(byte tableId, FlowInstructions instructions) =>
        Apply(FlowEdit.Add(tableId, 0, FlowMatch.Any, instructions));

    /// <summary>Names table <paramref name="tableId"/> in traces and dumps; an empty name unnames it.</summary>
    public void NameTable(byte tableId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Table(tableId).Name = name;
    }

    /// <summary>Deletes a group, and (as OpenFlow requires) every flow entry that sends to it.</summary>
    public bool DeleteGroup(uint groupId)
    {
        if (!Groups.Remove(groupId))
        {
            return false;
        }

        foreach (var table in _tables)
        {
            table.RemoveUsersOfGroup(groupId, _removedScratch);
        }

        PublishRemoved();
        return true;
    }

    /// <summary>Removes every entry whose idle or hard timeout has passed; call it periodically.</summary>
    public void ExpireFlows()
    {
        var now = _time.GetTimestamp();
        foreach (var table in _tables)
        {
            table.Expire(now, _time, _removedScratch);
        }

        PublishRemoved();
    }

    /// <summary>Takes the next flow-removed notification, oldest first.</summary>
    public bool TryTakeFlowRemoved([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FlowRemoved? notification) =>
        _flowRemoved.TryDequeue(out notification);

    /// <summary>Runs the key through the tables without the cache, for the datapath's misses.</summary>
    public CompiledFlow Translate(in FlowKey key, out FlowKey megaflowMask) => _translator.Translate(key, out megaflowMask);

    /// <summary>
    /// Runs the key through the tables, recording every step; touches no counter. A ct lookup gives what
    /// <paramref name="ctStateOf"/> says for its zone, or trk|new without it.
    /// </summary>
    public PipelineTrace Trace(in FlowKey key, Func<ushort, CtState>? ctStateOf = null)
    {
        var trace = new PipelineTrace();
        _translator.Translate(key, out _, trace, ctStateOf);
        return trace;
    }

    private FlowTable Table(byte tableId) =>
        tableId < _tables.Length
            ? _tables[tableId]
            : throw new FlowEditException(FlowEditError.BadTableId, $"table {tableId} does not exist; this pipeline has tables 0 to {_tables.Length - 1}");

    private void Validate(FlowEdit mod)
    {
        if (mod.Priority is < 0 or > ushort.MaxValue)
        {
            throw new FlowEditException(FlowEditError.BadPriority, $"priority {mod.Priority} is outside 0..65535");
        }

        if (mod.Instructions.GotoTable is { } next && (next <= mod.TableId || next >= _tables.Length))
        {
            throw new FlowEditException(FlowEditError.GotoNotForward, $"table {mod.TableId} cannot go to table {next}: goto only moves forward, to an existing table");
        }

        // Indexed: a foreach over the list interface allocates an enumerator for every flow-mod.
        var actions = mod.Instructions.ApplyActions;
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            if (action.Kind == PipelineActionKind.Group && !Groups.TryGet(action.Operand, out _))
            {
                throw new FlowEditException(FlowEditError.UnknownGroup, $"group {action.Operand} does not exist; add the group before the flows that use it");
            }

            if (action.CtTable is { } ctTable && action.Kind == PipelineActionKind.Ct && (ctTable < mod.TableId || ctTable >= _tables.Length))
            {
                throw new FlowEditException(FlowEditError.GotoNotForward, $"table {mod.TableId} cannot go on in table {ctTable} after ct: it must be this table or a later one that exists");
            }
        }
    }

    private void PublishRemoved()
    {
        foreach (var removed in _removedScratch)
        {
            _flowRemoved.Enqueue(removed);
        }

        _removedScratch.Clear();
    }
}
