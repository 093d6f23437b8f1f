using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// An immutable, versioned label forwarding table. Build a new one for every change and hand it to
/// <see cref="CoreSwitch.TryInstall"/>; the forwarding thread picks it up at its next burst, so a burst is
/// forwarded wholly by one version. Lookups use an open-addressing hash table over flat arrays.
/// </summary>
public sealed class Lfib
{
    private const uint EmptyKey = uint.MaxValue;

    private readonly uint[] _keys;
    private readonly int[] _rows;
    private readonly int _shift;
    private readonly CompiledEntry[] _compiled;
    private readonly LabelNextHop[] _nextHops;

    /// <summary>Validates and compiles <paramref name="entries"/>; throws <see cref="LsrException"/> naming the bad entry.</summary>
    public Lfib(ulong version, IEnumerable<LabelRoute> entries)
    {
        Version = version;
        Entries = [.. entries];

        var bits = Math.Max(4, 64 - ulong.LeadingZeroCount((ulong)Entries.Count * 2));
        _shift = 32 - (int)bits;
        _keys = new uint[1 << (int)bits];
        Array.Fill(_keys, EmptyKey);
        _rows = new int[_keys.Length];
        _compiled = new CompiledEntry[Entries.Count];
        var hops = new List<LabelNextHop>();

        for (var row = 0; row < Entries.Count; row++)
        {
            var entry = Entries[row];
            Validate(entry);
            var slot = Slot(entry.InLabel);
            while (_keys[slot] != EmptyKey)
            {
                if (_keys[slot] == entry.InLabel)
                {
                    throw new LsrException($"LFIB v{version}: in-label {entry.InLabel} appears twice; each in-label needs exactly one entry");
                }

                slot = (slot + 1) & (_keys.Length - 1);
            }

            _keys[slot] = entry.InLabel;
            _rows[slot] = row;
            _compiled[row] = new CompiledEntry(entry.Operation, hops.Count, entry.NextHops.Count, entry.Backup ?? new LabelNextHop(-1, 0));
            hops.AddRange(entry.NextHops);
        }

        _nextHops = [.. hops];
        MaxPort = Entries.Count == 0 ? -1 : Entries.Max(e => Math.Max(e.NextHops.Max(h => h.Port), e.Backup?.Port ?? -1));
    }

    public static Lfib Empty { get; } = new(0, []);

    /// <summary>Increases with every table the controller compiles; a node refuses to go back to an older one.</summary>
    public ulong Version { get; }

    public IReadOnlyList<LabelRoute> Entries { get; }

    /// <summary>The highest port index any entry uses, or -1 for an empty table.</summary>
    public int MaxPort { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryFind(uint label, out int row)
    {
        var slot = Slot(label);
        while (true)
        {
            var key = _keys[slot];
            if (key == label)
            {
                row = _rows[slot];
                return true;
            }

            if (key == EmptyKey)
            {
                row = -1;
                return false;
            }

            slot = (slot + 1) & (_keys.Length - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref readonly CompiledEntry Entry(int row) => ref _compiled[row];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal LabelNextHop Hop(int index) => _nextHops[index];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(uint label) => (int)((label * 0x9E3779B1u) >> _shift);

    private void Validate(LabelRoute entry)
    {
        if (entry.InLabel is < MplsLabelStackEntry.FirstUnreservedLabel or > MplsLabelStackEntry.MaxLabel)
        {
            throw new LsrException($"LFIB v{Version}: in-label {entry.InLabel} is reserved or too large; use 16–{MplsLabelStackEntry.MaxLabel}");
        }

        if (entry.NextHops.Count == 0)
        {
            throw new LsrException($"LFIB v{Version}: in-label {entry.InLabel} has no next hop; give it at least one");
        }

        foreach (var hop in entry.Backup is { } backup ? [.. entry.NextHops, backup] : entry.NextHops)
        {
            if (hop.Port < 0)
            {
                throw new LsrException($"LFIB v{Version}: in-label {entry.InLabel} names port {hop.Port}; ports are numbered from 0");
            }

            if (entry.Operation == LabelAction.Swap
                && (hop.OutLabel is MplsLabelStackEntry.ImplicitNullLabel or > MplsLabelStackEntry.MaxLabel))
            {
                throw new LsrException(
                    $"LFIB v{Version}: in-label {entry.InLabel} swaps to {hop.OutLabel}; swapping to implicit null is a penultimate-hop pop, and labels end at {MplsLabelStackEntry.MaxLabel}");
            }
        }
    }

    /// <summary>An entry flattened for the forwarding loop: its ECMP members are NextHops[FirstHop .. FirstHop+HopCount).</summary>
    internal readonly record struct CompiledEntry(LabelAction Operation, int FirstHop, int HopCount, LabelNextHop Backup)
    {
        public bool HasBackup => Backup.Port >= 0;
    }
}
