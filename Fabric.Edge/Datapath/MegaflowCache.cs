using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The second cache tier: compiled flows stored under the megaflow mask the slow path reported, so one
/// entry serves every packet that agrees on the bits the decision read. Searched like the classifier,
/// one hash probe per distinct mask, but without priorities: any current entry that matches is right.
/// </summary>
/// <remarks>
/// The megaflow tier owns what is cached: a flow is tracked by the slow path from the moment it is stored here, and
/// retired when it leaves (overwritten, or cleared with its table), so the exact-match tier, which only points at
/// flows stored here, drops it too. Retired entries are skipped on lookup and overwritten on insert. The cache is
/// bounded: a full mask table, or too many masks, clears and starts over rather than evicting one by one.
/// </remarks>
public sealed class MegaflowCache(int maxMasks, int flowsPerMask)
{
    private readonly MaskTable[] _tables = new MaskTable[maxMasks];
    private int _count;

    public int MaskCount => _count;

    public CompiledFlow? Lookup(in FlowKey key)
    {
        var tables = _tables;
        for (var i = 0; i < _count; i++)
        {
            var table = tables[i];
            var masked = key.And(table.Mask);
            if (table.Flows.TryGet(masked, masked.Hash64(), out var flow) && flow.IsCurrent)
            {
                return flow;
            }
        }

        return null;
    }

    public void Insert(in FlowKey key, in FlowKey mask, CompiledFlow flow)
    {
        var table = FindOrAddTable(mask);
        var masked = key.And(mask);
        var hash = masked.Hash64();
        if (table.Flows.TryGet(masked, hash, out var replaced) && !ReferenceEquals(replaced, flow))
        {
            replaced.Retire();
        }

        if (!table.Flows.TrySet(masked, hash, flow))
        {
            RetireAll(table);
            table.Flows.TrySet(masked, hash, flow);
        }

        flow.Track();
    }

    private static void RetireAll(MaskTable table)
    {
        foreach (var flow in table.Flows.Values)
        {
            flow.Retire();
        }

        table.Flows.Clear();
    }

    private void Clear()
    {
        for (var i = 0; i < _count; i++)
        {
            RetireAll(_tables[i]);
        }

        Array.Clear(_tables);
        _count = 0;
    }

    private MaskTable FindOrAddTable(in FlowKey mask)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_tables[i].Mask.Equals(mask))
            {
                return _tables[i];
            }
        }

        if (_count == _tables.Length)
        {
            Clear();
        }

        var table = new MaskTable(mask, new FlowKeyTable<CompiledFlow>(64, maxCount: flowsPerMask));
        _tables[_count++] = table;
        return table;
    }

    private sealed record MaskTable(FlowKey Mask, FlowKeyTable<CompiledFlow> Flows);
}
