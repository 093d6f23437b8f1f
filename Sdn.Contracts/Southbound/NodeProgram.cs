using Google.Protobuf;
using Grpc.Core;
using Sdn.Contracts;

namespace Sdn.Contracts.Southbound;

/// <summary>
/// Everything the controller programs into one node, keyed the way batches address it: table settings, ports
/// and groups by number, flow entries by <see cref="FlowIdentity"/>, LFIB entries by in-label. The controller compiles one
/// per node and sends the difference between two of them; an agent keeps the one it applied and moves to the
/// next by <see cref="Apply"/>, so both sides agree on what a batch means. Immutable. Batches list their
/// mods in key order, so the same two programs always give the same bytes.
/// </summary>
public sealed class NodeProgram
{
    private readonly LayeredMap<uint, TableConfig> _tables;
    private readonly LayeredMap<uint, PortConfig> _ports;
    private readonly LayeredMap<uint, Group> _groups;
    private readonly LayeredMap<FlowIdentity, FlowEntry> _flows;
    private readonly LayeredMap<uint, LfibEntry> _lfib;

    /// <summary>A program of these items; throws <see cref="ProgramException"/> (AlreadyExists) when two share a key.</summary>
    public NodeProgram(IEnumerable<TableConfig> tables, IEnumerable<PortConfig> ports, IEnumerable<Group> groups, IEnumerable<FlowEntry> flows, IEnumerable<LfibEntry> lfib)
        : this(
            Keyed(tables, t => t.TableId, "table"),
            Keyed(ports, p => p.Number, "port"),
            Keyed(groups, g => g.GroupId, "group"),
            Keyed(flows, FlowIdentity.Of, "flow"),
            Keyed(lfib, e => e.InLabel, "LFIB in-label"))
    {
    }

    private NodeProgram(LayeredMap<uint, TableConfig> tables, LayeredMap<uint, PortConfig> ports, LayeredMap<uint, Group> groups, LayeredMap<FlowIdentity, FlowEntry> flows, LayeredMap<uint, LfibEntry> lfib)
    {
        _tables = tables;
        _ports = ports;
        _groups = groups;
        _flows = flows;
        _lfib = lfib;
    }

    /// <summary>The program and diff batch this one was made from by <see cref="Apply"/>; only the latest step is kept.</summary>
    private (NodeProgram Parent, ProgramBatch Batch)? _derivedFrom;

    public static NodeProgram Empty { get; } = new(Array.Empty<TableConfig>(), [], [], [], []);

    public IReadOnlyDictionary<uint, TableConfig> Tables => _tables;

    public IReadOnlyDictionary<uint, PortConfig> Ports => _ports;

    public IReadOnlyDictionary<uint, Group> Groups => _groups;

    public IReadOnlyDictionary<FlowIdentity, FlowEntry> Flows => _flows;

    public IReadOnlyDictionary<uint, LfibEntry> Lfib => _lfib;

    /// <summary>
    /// The program after <paramref name="batch"/>: a full-state batch replaces everything, a diff adds, modifies
    /// and deletes on top of this one. Throws <see cref="ProgramException"/> when a mod does not fit (adding what
    /// exists, changing or deleting what does not), leaving this program as it was. Table settings carry no
    /// operation: each one in the batch replaces the table's.
    /// </summary>
    public NodeProgram Apply(ProgramBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.FullState)
        {
            RequireAddsOnly(batch);
            return new NodeProgram(batch.Tables, batch.PortMods.Select(m => m.Port), batch.GroupMods.Select(m => m.Group), batch.FlowMods.Select(m => m.Entry), batch.LfibMods.Select(m => m.Entry));
        }

        // Each map's next version layers the batch's changes over this one's instead of copying it.
        var tables = _tables.BeginEdit(batch.Tables.Count);
        var ports = _ports.BeginEdit(batch.PortMods.Count);
        var groups = _groups.BeginEdit(batch.GroupMods.Count);
        var flows = _flows.BeginEdit(batch.FlowMods.Count);
        var lfib = _lfib.BeginEdit(batch.LfibMods.Count);
        new ProgramEdit(tables, ports, groups, flows, lfib).Apply(batch);
        var next = new NodeProgram(tables.Complete(), ports.Complete(), groups.Complete(), flows.Complete(), lfib.Complete());

        // A controller that grows a program batch by batch gets each diff back without comparing whole programs.
        next._derivedFrom = (this, batch);
        _derivedFrom = null;
        return next;
    }

    /// <summary>The batch that replaces whatever a node holds with this program.</summary>
    public ProgramBatch FullState(ulong version)
    {
        var batch = new ProgramBatch { Version = version, FullState = true };
        batch.Tables.AddRange(Tables.OrderBy(t => t.Key).Select(t => t.Value));
        batch.PortMods.AddRange(Ports.OrderBy(p => p.Key).Select(p => new PortMod { Op = ModOp.Add, Port = p.Value }));
        batch.GroupMods.AddRange(Groups.OrderBy(g => g.Key).Select(g => new GroupMod { Op = ModOp.Add, Group = g.Value }));
        batch.FlowMods.AddRange(Flows.OrderBy(f => f.Key).Select(f => new FlowMod { Op = ModOp.Add, Entry = f.Value }));
        batch.LfibMods.AddRange(Lfib.OrderBy(e => e.Key).Select(e => new LfibMod { Op = ModOp.Add, Entry = e.Value }));
        return batch;
    }

    /// <summary>The batch that takes a node holding <paramref name="from"/> (at <paramref name="baseVersion"/>) to <paramref name="to"/>: only what differs, deletes first.</summary>
    public static ProgramBatch Diff(NodeProgram from, NodeProgram to, ulong baseVersion, ulong version)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ProgramBatch batch;
        if (to._derivedFrom is var (parent, applied) && parent == from)
        {
            // The same mods in a new envelope: messages are never changed once built, so sharing them is safe.
            batch = new ProgramBatch { Version = version, BaseVersion = baseVersion };
            batch.Tables.AddRange(applied.Tables);
            batch.PortMods.AddRange(applied.PortMods);
            batch.GroupMods.AddRange(applied.GroupMods);
            batch.FlowMods.AddRange(applied.FlowMods);
            batch.LfibMods.AddRange(applied.LfibMods);
            return batch;
        }

        batch = new ProgramBatch { Version = version, BaseVersion = baseVersion };
        batch.Tables.AddRange(to.Tables.Values.Where(t => !from.Tables.TryGetValue(t.TableId, out var was) || !was.Equals(t)).OrderBy(t => t.TableId));
        batch.PortMods.AddRange(Changes(from.Ports, to.Ports, Comparer<uint>.Default).Select(d => new PortMod { Op = d.Op, Port = d.Item }));
        batch.GroupMods.AddRange(Changes(from.Groups, to.Groups, Comparer<uint>.Default).Select(d => new GroupMod { Op = d.Op, Group = d.Item }));
        batch.FlowMods.AddRange(Changes(from.Flows, to.Flows, Comparer<FlowIdentity>.Default).Select(d => new FlowMod { Op = d.Op, Entry = d.Item }));
        batch.LfibMods.AddRange(Changes(from.Lfib, to.Lfib, Comparer<uint>.Default).Select(d => new LfibMod { Op = d.Op, Entry = d.Item }));
        return batch;
    }

    /// <summary>True when the batch changes nothing.</summary>
    public static bool IsEmpty(ProgramBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return !batch.FullState && batch.Tables.Count == 0 && batch.PortMods.Count == 0 && batch.GroupMods.Count == 0 && batch.FlowMods.Count == 0 && batch.LfibMods.Count == 0;
    }

    private static void RequireAddsOnly(ProgramBatch batch)
    {
        var ops = batch.PortMods.Select(m => m.Op).Concat(batch.GroupMods.Select(m => m.Op))
            .Concat(batch.FlowMods.Select(m => m.Op)).Concat(batch.LfibMods.Select(m => m.Op));
        if (ops.Any(op => op != ModOp.Add))
        {
            throw new ProgramException("a full-state batch may only add; send modifies and deletes in a diff");
        }
    }

    private static LayeredMap<TKey, T> Keyed<TKey, T>(IEnumerable<T> items, Func<T, TKey> keyOf, string what)
        where TKey : notnull
        where T : class
    {
        var keyed = new Dictionary<TKey, T>();
        foreach (var item in items)
        {
            if (item is null)
            {
                throw new ProgramException($"a {what} mod carries no {what}");
            }

            if (!keyed.TryAdd(keyOf(item), item))
            {
                throw new ProgramException(StatusCode.AlreadyExists, $"{what} {keyOf(item)} appears twice in one program");
            }
        }

        return LayeredMap<TKey, T>.Of(keyed);
    }

    /// <summary>Deletes, then adds and modifies, each in key order.</summary>
    private static List<(ModOp Op, T Item)> Changes<TKey, T>(IReadOnlyDictionary<TKey, T> before, IReadOnlyDictionary<TKey, T> after, IComparer<TKey> order)
        where T : IMessage<T>
    {
        var deleted = before.Where(b => !after.ContainsKey(b.Key)).OrderBy(b => b.Key, order).Select(b => (ModOp.Delete, b.Value));
        var changed = new List<(TKey Key, ModOp Op, T Item)>();
        foreach (var (key, item) in after)
        {
            if (!before.TryGetValue(key, out var old))
            {
                changed.Add((key, ModOp.Add, item));
            }
            else if (!old.Equals(item))
            {
                changed.Add((key, ModOp.Modify, item));
            }
        }

        return deleted.Concat(changed.OrderBy(c => c.Key, order).Select(c => (c.Op, c.Item))).ToList();
    }
}
