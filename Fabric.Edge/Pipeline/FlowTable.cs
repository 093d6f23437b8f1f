using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Pipeline.Revalidation;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// One numbered flow table: its entries, OpenFlow 1.3 flow-mod semantics, and timeouts.
/// </summary>
/// <remarks>
/// A new table holds a table-miss entry (priority 0, match anything) that drops; replace it with an add at
/// priority 0 to choose another miss behaviour, such as sending to the controller or going to a later table.
/// </remarks>
public sealed class FlowTable
{
    private readonly TupleSpaceClassifier _classifier;

    internal FlowTable(byte id, long createdTimestamp)
    {
        Id = id;
        _classifier = new TupleSpaceClassifier();
        _classifier.Insert(new TableEntry(id, FlowEdit.Add(id, 0, FlowMatch.Any, FlowInstructions.DropPacket), createdTimestamp));
    }

    public byte Id { get; }

    /// <summary>What the controller calls the table ("classify", "port-security", ...), for traces and dumps; empty when unnamed.</summary>
    public string Name { get; internal set; } = string.Empty;

    public int Count => _classifier.Count;

    /// <summary>How many distinct masks (tuple-space subtables) the entries use.</summary>
    public int SubtableCount => _classifier.SubtableCount;

    public IEnumerable<TableEntry> Entries => _classifier.Entries;

    public TableEntry? FindStrict(in FlowMatch match, int priority) => _classifier.FindStrict(match, priority);

    /// <summary>Looks <paramref name="key"/> up, and notes in <paramref name="record"/> what the lookup read.</summary>
    internal TableEntry? Lookup(in FlowKey key, ref FlowKey unwildcard, FlowDependencyRecord record)
    {
        var entry = _classifier.Lookup(key, ref unwildcard, out var probes);
        record.Visited(_classifier, key, entry, probes);
        return entry;
    }

    internal void Apply(FlowEdit mod, long now, List<FlowRemoved> removed)
    {
        switch (mod.Command)
        {
            case FlowEditCommand.Add:
                Add(mod, now);
                break;
            case FlowEditCommand.Modify:
                ModifyAll(Covered(mod), mod);
                break;
            case FlowEditCommand.ModifyStrict:
                ModifyAll(Strict(mod), mod);
                break;
            case FlowEditCommand.Delete:
                RemoveAll(Covered(mod), FlowRemovedReason.Delete, removed);
                break;
            case FlowEditCommand.DeleteStrict:
                RemoveAll(Strict(mod), FlowRemovedReason.Delete, removed);
                break;
            default:
                throw new FlowEditException(FlowEditError.BadCommand, $"unknown flow-mod command {mod.Command}; use one of {string.Join(", ", Enum.GetNames<FlowEditCommand>())}");
        }
    }

    /// <summary>Removes entries whose idle or hard timeout has passed at <paramref name="now"/>.</summary>
    internal void Expire(long now, TimeProvider time, List<FlowRemoved> removed)
    {
        List<(TableEntry, FlowRemovedReason)>? expired = null;
        foreach (var entry in _classifier.Entries)
        {
            if (ExpiryReason(entry, now, time) is { } reason)
            {
                (expired ??= []).Add((entry, reason));
            }
        }

        foreach (var (entry, reason) in expired ?? [])
        {
            Remove(entry, reason, removed);
        }
    }

    /// <summary>Removes every entry whose instructions send to group <paramref name="groupId"/>.</summary>
    internal void RemoveUsersOfGroup(uint groupId, List<FlowRemoved> removed)
    {
        var users = _classifier.Entries.Where(e => e.Instructions.Has(PipelineActionKind.Group, groupId)).ToList();
        RemoveAll(users, FlowRemovedReason.GroupDelete, removed);
    }

    private static FlowRemovedReason? ExpiryReason(TableEntry entry, long now, TimeProvider time)
    {
        if (entry.HardTimeout > TimeSpan.Zero && time.GetElapsedTime(entry.CreatedTimestamp, now) >= entry.HardTimeout)
        {
            return FlowRemovedReason.HardTimeout;
        }

        var lastActive = Math.Max(entry.CreatedTimestamp, entry.Counters.LastHitTimestamp);
        if (entry.IdleTimeout > TimeSpan.Zero && time.GetElapsedTime(lastActive, now) >= entry.IdleTimeout)
        {
            return FlowRemovedReason.IdleTimeout;
        }

        return null;
    }

    private void Add(FlowEdit mod, long now)
    {
        var existing = _classifier.FindStrict(mod.Match, mod.Priority);
        if ((mod.Flags & FlowEditOptions.CheckOverlap) != 0 && Overlaps(mod))
        {
            throw new FlowEditException(FlowEditError.Overlap, $"table {Id}: the entry overlaps one of priority {mod.Priority}; change its priority or match, or drop CheckOverlap");
        }

        var entry = new TableEntry(Id, mod, now);
        if (existing is not null)
        {
            // OpenFlow 1.3: an add with identical match and priority replaces the entry, keeping its counters unless told not to.
            if ((mod.Flags & FlowEditOptions.ResetCounts) == 0)
            {
                entry.Counters.CopyFrom(existing.Counters);
            }

            _classifier.Remove(existing);
        }

        _classifier.Insert(entry);
    }

    /// <summary>Whether an entry of the add's priority overlaps its match; apart from <see cref="Add"/>, whose every call would otherwise allocate the lambda's closure.</summary>
    private bool Overlaps(FlowEdit mod) => _classifier.Entries.Any(e => e.Priority == mod.Priority && e.Match.Overlaps(mod.Match));

    private List<TableEntry> Covered(FlowEdit mod) =>
        _classifier.Entries.Where(e => e.Match.IsCoveredBy(mod.Match) && mod.Selects(e)).ToList();

    private List<TableEntry> Strict(FlowEdit mod) =>
        _classifier.FindStrict(mod.Match, mod.Priority) is { } entry && mod.Selects(entry) ? [entry] : [];

    private static void ModifyAll(List<TableEntry> entries, FlowEdit mod)
    {
        foreach (var entry in entries)
        {
            entry.Instructions = mod.Instructions;
            if ((mod.Flags & FlowEditOptions.ResetCounts) != 0)
            {
                entry.Counters.Reset();
            }

            entry.RetireUsers();
        }
    }

    private void RemoveAll(List<TableEntry> entries, FlowRemovedReason reason, List<FlowRemoved> removed)
    {
        foreach (var entry in entries)
        {
            Remove(entry, reason, removed);
        }
    }

    private void Remove(TableEntry entry, FlowRemovedReason reason, List<FlowRemoved> removed)
    {
        if (_classifier.Remove(entry) && entry.SendFlowRemoved)
        {
            removed.Add(new FlowRemoved(entry, reason, entry.Counters.Packets, entry.Counters.Bytes));
        }
    }
}
