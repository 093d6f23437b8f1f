using Google.Protobuf.Collections;
using Grpc.Core;
using Sdn.Contracts;

namespace Sdn.Contracts.Southbound;

/// <summary>
/// The next versions of the maps a <see cref="NodeProgram"/> is made of, keyed as batches address them, while a
/// diff batch changes them.
/// </summary>
internal sealed record ProgramEdit(
    LayeredMap<uint, TableConfig>.Edit Tables,
    LayeredMap<uint, PortConfig>.Edit Ports,
    LayeredMap<uint, Group>.Edit Groups,
    LayeredMap<FlowIdentity, FlowEntry>.Edit Flows,
    LayeredMap<uint, LfibEntry>.Edit Lfib)
{
    /// <summary>
    /// Applies a diff: each table setting replaces the table's, then ports, groups, flows and LFIB entries are added,
    /// modified and deleted in order. Throws <see cref="ProgramException"/> at the first mod that does not fit (adding
    /// what exists, changing or deleting what does not), with the changes before it made: drop the edit.
    /// </summary>
    public void Apply(ProgramBatch batch)
    {
        foreach (var table in batch.Tables)
        {
            Tables.Remove(table.TableId, out _);
            Tables.TryAdd(table.TableId, table);
        }

        Change(Ports, batch.PortMods, static m => (m.Op, m.Port), static p => p.Number, "port");
        Change(Groups, batch.GroupMods, static m => (m.Op, m.Group), static g => g.GroupId, "group");
        Change(Flows, batch.FlowMods, static m => (m.Op, m.Entry), FlowIdentity.Of, "flow");
        Change(Lfib, batch.LfibMods, static m => (m.Op, m.Entry), static e => e.InLabel, "LFIB in-label");
    }

    private static void Change<TMod, TKey, T>(LayeredMap<TKey, T>.Edit map, RepeatedField<TMod> mods, Func<TMod, (ModOp Op, T Item)> modOf, Func<T, TKey> keyOf, string what)
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
                case ModOp.Add:
                    if (!map.TryAdd(key, item))
                    {
                        throw new ProgramException(StatusCode.AlreadyExists, $"{what} {key} already exists; modify it instead");
                    }

                    break;
                case ModOp.Modify:
                    // Removed and added rather than overwritten: a flow's key holds its entry, which must be the new one.
                    if (!map.Remove(key, out _))
                    {
                        throw new ProgramException(StatusCode.NotFound, $"{what} {key} does not exist");
                    }

                    map.TryAdd(key, item);
                    break;
                case ModOp.Delete:
                    if (!map.Remove(key, out _))
                    {
                        throw new ProgramException(StatusCode.NotFound, $"{what} {key} does not exist");
                    }

                    break;
                default:
                    throw new ProgramException($"{what} {key}: mod op {op} is not add, modify or delete");
            }
        }
    }
}
