using System.Runtime.InteropServices;
using Google.Protobuf.Collections;
using Sdn.Fabric.Core.Protos;
using Sdn.Fabric.Core.Rpc;

namespace Sdn.Fabric.Core.Southbound;

/// <summary>
/// The maps a program is made of, keyed as batches address them, and how a diff batch changes them in place:
/// what <see cref="NodeProgram"/> (on a copy) and <see cref="HeldProgram"/> (with an undo log) share.
/// </summary>
internal sealed record ProgramMaps(
    Dictionary<uint, TableConfig> Tables,
    Dictionary<uint, PortConfig> Ports,
    Dictionary<uint, Group> Groups,
    Dictionary<FlowIdentity, FlowEntry> Flows,
    Dictionary<uint, LfibEntry> Lfib)
{
    public ProgramMaps Copy() => new(new(Tables), new(Ports), new(Groups), new(Flows), new(Lfib));

    /// <summary>
    /// A copy with room for what <paramref name="batch"/> adds: a copy of a large map sized to what it holds would grow
    /// at the batch's first add, to twice its size, so that growing a program of 200,000 flows by 10,000 allocated
    /// three maps' worth each time.
    /// </summary>
    public ProgramMaps CopyWithRoomFor(ProgramBatch batch) => new(
        WithRoom(Tables, batch.Tables.Count),
        WithRoom(Ports, batch.PortMods.Count),
        WithRoom(Groups, batch.GroupMods.Count),
        WithRoom(Flows, batch.FlowMods.Count),
        WithRoom(Lfib, batch.LfibMods.Count));

    /// <summary>
    /// Applies a diff: each table setting replaces the table's, then ports, groups, flows and LFIB entries are added,
    /// modified and deleted in order, each change recorded in <paramref name="undo"/> when there is one. Throws
    /// <see cref="ProgramException"/> at the first mod that does not fit (adding what exists, changing or deleting
    /// what does not), with the changes before it made: revert them, or work on a copy.
    /// </summary>
    public void ApplyDiff(ProgramBatch batch, ProgramUndo? undo)
    {
        foreach (var table in batch.Tables)
        {
            undo?.Tables.Record(table.TableId, Tables.GetValueOrDefault(table.TableId));
            Tables[table.TableId] = table;
        }

        Change(Ports, batch.PortMods, static m => (m.Op, m.Port), static p => p.Number, "port", undo?.Ports);
        Change(Groups, batch.GroupMods, static m => (m.Op, m.Group), static g => g.GroupId, "group", undo?.Groups);
        Change(Flows, batch.FlowMods, static m => (m.Op, m.Entry), FlowIdentity.Of, "flow", undo?.Flows);
        Change(Lfib, batch.LfibMods, static m => (m.Op, m.Entry), static e => e.InLabel, "LFIB in-label", undo?.Lfib);
    }

    private static Dictionary<TKey, T> WithRoom<TKey, T>(Dictionary<TKey, T> map, int room)
        where TKey : notnull
    {
        if (room == 0)
        {
            return new(map);
        }

        var copy = new Dictionary<TKey, T>(map.Count + room, map.Comparer);
        foreach (var (key, item) in map)
        {
            copy.Add(key, item);
        }

        return copy;
    }

    private static void Change<TMod, TKey, T>(Dictionary<TKey, T> map, RepeatedField<TMod> mods, Func<TMod, (ModOp Op, T Item)> modOf, Func<T, TKey> keyOf, string what, MapUndo<TKey, T>? undo)
        where TKey : notnull
        where T : class
    {
        foreach (var mod in mods)
        {
            var (op, item) = modOf(mod);
            if (item is null)
            {
                throw new ProgramException($"a {what} mod carries no {what}");
            }

            var key = keyOf(item);
            switch (op)
            {
                // One hash of the key per add: a batch may carry 10,000 flows.
                case ModOp.Add:
                    ref var added = ref CollectionsMarshal.GetValueRefOrAddDefault(map, key, out var exists);
                    if (exists)
                    {
                        throw new ProgramException(StatusCode.AlreadyExists, $"{what} {key} already exists; modify it instead");
                    }

                    added = item;
                    undo?.Record(key, null);
                    break;
                case ModOp.Modify:
                    // Removed and added rather than overwritten: a flow's key holds its entry, which must be the new one.
                    if (!map.Remove(key, out var modified))
                    {
                        throw new ProgramException(StatusCode.NotFound, $"{what} {key} does not exist");
                    }

                    map.Add(key, item);
                    undo?.Record(key, modified);
                    break;
                case ModOp.Delete:
                    if (!map.Remove(key, out var deleted))
                    {
                        throw new ProgramException(StatusCode.NotFound, $"{what} {key} does not exist");
                    }

                    undo?.Record(key, deleted);
                    break;
                default:
                    throw new ProgramException($"{what} {key}: mod op {op} is not add, modify or delete");
            }
        }
    }
}
