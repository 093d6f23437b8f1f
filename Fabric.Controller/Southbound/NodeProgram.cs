using Google.Protobuf;
using Sdn.Fabric.Core.Protos;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// Everything one node should hold: table settings, port bindings, groups, flow entries and LFIB
/// entries, each keyed by its identity (a flow's is its table, priority and match, as in OpenFlow).
/// Two programs diff into the batch that turns one into the other.
/// </summary>
internal sealed class NodeProgram
{
    public static readonly NodeProgram Empty = new([], [], [], [], []);

    public NodeProgram(IEnumerable<TableConfig> tables, IEnumerable<PortConfig> ports, IEnumerable<Group> groups, IEnumerable<FlowEntry> flows, IEnumerable<LfibEntry> lfib)
    {
        Tables = tables.ToDictionary(t => t.TableId);
        Ports = ports.ToDictionary(p => p.Number);
        Groups = groups.ToDictionary(g => g.GroupId);
        Flows = flows.ToDictionary(FlowIdentity, StringComparer.Ordinal);
        Lfib = lfib.ToDictionary(e => e.InLabel);
    }

    public IReadOnlyDictionary<uint, TableConfig> Tables { get; }

    public IReadOnlyDictionary<uint, PortConfig> Ports { get; }

    public IReadOnlyDictionary<uint, Group> Groups { get; }

    public IReadOnlyDictionary<string, FlowEntry> Flows { get; }

    public IReadOnlyDictionary<uint, LfibEntry> Lfib { get; }

    /// <summary>A batch that replaces whatever the node holds with this program.</summary>
    public ProgramBatch FullState(ulong version) => new()
    {
        Version = version,
        FullState = true,
        Tables = { Tables.Values },
        PortMods = { Ports.Values.Select(p => new PortMod { Op = ModOp.Add, Port = p }) },
        GroupMods = { Groups.Values.Select(g => new GroupMod { Op = ModOp.Add, Group = g }) },
        FlowMods = { Flows.Values.Select(f => new FlowMod { Op = ModOp.Add, Entry = f }) },
        LfibMods = { Lfib.Values.Select(e => new LfibMod { Op = ModOp.Add, Entry = e }) },
    };

    /// <summary>The batch that turns a node holding <paramref name="from"/> into one holding <paramref name="to"/>: only what differs.</summary>
    public static ProgramBatch Diff(NodeProgram from, NodeProgram to, ulong baseVersion, ulong version)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return new()
        {
            Version = version,
            BaseVersion = baseVersion,
            Tables = { to.Tables.Where(t => !from.Tables.TryGetValue(t.Key, out var was) || !was.Equals(t.Value)).Select(t => t.Value) },
            PortMods = { Changes(from.Ports, to.Ports, (op, p) => new PortMod { Op = op, Port = p }) },
            GroupMods = { Changes(from.Groups, to.Groups, (op, g) => new GroupMod { Op = op, Group = g }) },
            FlowMods = { Changes(from.Flows, to.Flows, (op, f) => new FlowMod { Op = op, Entry = f }) },
            LfibMods = { Changes(from.Lfib, to.Lfib, (op, e) => new LfibMod { Op = op, Entry = e }) },
        };
    }

    /// <summary>A flow's identity: table, priority and its match with the fields in a canonical order.</summary>
    private static string FlowIdentity(FlowEntry flow)
    {
        var match = new FlowEntry { Match = { flow.Match.OrderBy(m => m.Field).ThenBy(m => m.Value.ToBase64(), StringComparer.Ordinal) } };
        return $"{flow.TableId}/{flow.Priority}/{match.ToByteString().ToBase64()}";
    }

    private static IEnumerable<TMod> Changes<TKey, T, TMod>(IReadOnlyDictionary<TKey, T> from, IReadOnlyDictionary<TKey, T> to, Func<ModOp, T, TMod> mod)
        where T : IMessage<T>
    {
        foreach (var (key, entry) in from)
        {
            if (!to.ContainsKey(key))
            {
                yield return mod(ModOp.Delete, entry);
            }
        }

        foreach (var (key, entry) in to)
        {
            if (!from.TryGetValue(key, out var was))
            {
                yield return mod(ModOp.Add, entry);
            }
            else if (!was.Equals(entry))
            {
                yield return mod(ModOp.Modify, entry);
            }
        }
    }
}
