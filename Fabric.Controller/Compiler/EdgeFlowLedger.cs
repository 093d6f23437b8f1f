using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// One edge's flow table as the fragments it was compiled from. Each flow identity is claimed by every fragment that
/// compiles to it, and the fragment a full compile lists first keeps it, as its DistinctBy does. Replacing a fragment
/// records, for each identity it touches, the entry the edge held before, so that the step ends in exactly the flow
/// mods between the two tables.
/// </summary>
public sealed class EdgeFlowLedger
{
    private readonly Dictionary<FragmentKey, IReadOnlyList<FlowEntry>> _fragments = [];
    private readonly Dictionary<FlowIdentity, Claim> _claims = [];
    private readonly Dictionary<FlowIdentity, FlowEntry?> _before = [];

    /// <summary>The entry each identity has now.</summary>
    public IEnumerable<FlowEntry> Flows => _claims.Values.Select(c => c.Entry);

    /// <summary>Puts <paramref name="entries"/> in place of what fragment <paramref name="key"/> held; null removes the fragment.</summary>
    public void Set(FragmentKey key, IReadOnlyList<FlowEntry>? entries)
    {
        if (_fragments.Remove(key, out var old))
        {
            foreach (var entry in old)
            {
                Release(FlowIdentity.Of(entry), key);
            }
        }

        if (entries is null)
        {
            return;
        }

        _fragments[key] = entries;
        foreach (var entry in entries)
        {
            Stake(FlowIdentity.Of(entry), key, entry);
        }
    }

    /// <summary>The flow mods since the last call: deletes first, then adds and modifies, each in identity order, as <see cref="NodeProgram.Diff"/> lists them.</summary>
    public IEnumerable<FlowMod> TakeChanges()
    {
        var deletes = new List<(FlowIdentity Identity, FlowEntry Entry)>();
        var changes = new List<(FlowIdentity Identity, FlowMod Mod)>();
        foreach (var (identity, before) in _before)
        {
            var now = _claims.TryGetValue(identity, out var claim) ? claim.Entry : null;
            if (now is null)
            {
                if (before is not null)
                {
                    deletes.Add((identity, before));
                }
            }
            else if (before is null)
            {
                changes.Add((identity, new FlowMod { Op = ModOp.Add, Entry = now }));
            }
            else if (!ReferenceEquals(before, now) && !before.Equals(now))
            {
                changes.Add((identity, new FlowMod { Op = ModOp.Modify, Entry = now }));
            }
        }

        _before.Clear();
        return deletes.OrderBy(d => d.Identity).Select(d => new FlowMod { Op = ModOp.Delete, Entry = d.Entry })
            .Concat(changes.OrderBy(c => c.Identity).Select(c => c.Mod))
            .ToList();
    }

    private void Remember(FlowIdentity identity, Claim? claim) => _before.TryAdd(identity, claim?.Entry);

    private void Stake(FlowIdentity identity, FragmentKey key, FlowEntry entry)
    {
        _claims.TryGetValue(identity, out var head);
        Remember(identity, head);
        if (head is null || key < head.Key)
        {
            _claims[identity] = new Claim(key, entry, head);
            return;
        }

        var at = head;
        while (at.Key != key && at.Next is { } next && next.Key <= key)
        {
            at = next;
        }

        // The fragment's own first entry of an identity keeps it within the fragment.
        if (at.Key != key)
        {
            at.Next = new Claim(key, entry, at.Next);
        }
    }

    private void Release(FlowIdentity identity, FragmentKey key)
    {
        if (!_claims.TryGetValue(identity, out var head))
        {
            return;
        }

        Remember(identity, head);
        if (head.Key == key)
        {
            if (head.Next is { } next)
            {
                _claims[identity] = next;
            }
            else
            {
                _claims.Remove(identity);
            }

            return;
        }

        for (var at = head; at.Next is { } next; at = next)
        {
            if (next.Key == key)
            {
                at.Next = next.Next;
                return;
            }
        }
    }

    /// <summary>One fragment's entry for an identity; claims of one identity are linked in fragment order.</summary>
    private sealed class Claim(FragmentKey key, FlowEntry entry, Claim? next)
    {
        public FragmentKey Key { get; } = key;

        public FlowEntry Entry { get; } = entry;

        public Claim? Next { get; set; } = next;
    }
}
