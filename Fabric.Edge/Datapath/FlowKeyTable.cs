using System.Runtime.CompilerServices;
using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// An open-addressing hash map from <see cref="FlowKey"/> to a reference, probed linearly, with the key's
/// 64-bit hash passed in so that callers hash a key once however many tables they probe.
/// </summary>
/// <remarks>
/// Used by the classifier's subtables and by the megaflow cache. A lookup allocates nothing and makes no
/// virtual call; removal shifts later entries of the probe run back, so there are no tombstones. The table
/// doubles when half full, so memory follows what it holds rather than what it might.
/// </remarks>
public sealed class FlowKeyTable<TValue>
    where TValue : class
{
    private readonly int _maxCount;
    private FlowKey[] _keys;
    private ulong[] _hashes;
    private TValue?[] _values;
    private int _mask;

    /// <param name="capacity">Rounded up to a power of two; the table holds at most half of it before growing.</param>
    /// <param name="maxCount">How many keys the table may hold; past that <see cref="TrySet"/> refuses new ones.</param>
    public FlowKeyTable(int capacity, int maxCount = int.MaxValue)
    {
        _maxCount = maxCount;
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 8));
        _keys = new FlowKey[size];
        _hashes = new ulong[size];
        _values = new TValue?[size];
        _mask = size - 1;
    }

    public int Count { get; private set; }

    /// <summary>The values, in no particular order; for setup and maintenance, not the packet path.</summary>
    public IEnumerable<TValue> Values
    {
        get
        {
            foreach (var value in _values)
            {
                if (value is not null)
                {
                    yield return value;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(in FlowKey key, ulong hash, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TValue? value)
    {
        var index = (int)hash & _mask;
        while (true)
        {
            var candidate = _values[index];
            if (candidate is null)
            {
                value = null;
                return false;
            }

            if (_hashes[index] == hash && _keys[index].EqualTo(key))
            {
                value = candidate;
                return true;
            }

            index = (index + 1) & _mask;
        }
    }

    /// <summary>Adds or replaces the value of <paramref name="key"/>. False only when a fixed-size table is full.</summary>
    public bool TrySet(in FlowKey key, ulong hash, TValue value)
    {
        var index = FindSlot(key, hash);
        if (_values[index] is not null)
        {
            _values[index] = value;
            return true;
        }

        if (Count == _maxCount)
        {
            return false;
        }

        if ((Count + 1) * 2 > _keys.Length)
        {
            Grow();
            index = FindSlot(key, hash);
        }

        _keys[index] = key;
        _hashes[index] = hash;
        _values[index] = value;
        Count++;
        return true;
    }

    public bool Remove(in FlowKey key, ulong hash)
    {
        var index = FindSlot(key, hash);
        if (_values[index] is null)
        {
            return false;
        }

        // Backward-shift deletion: pull later members of the probe run into the hole so lookups never stop early.
        var hole = index;
        var next = (hole + 1) & _mask;
        while (_values[next] is not null)
        {
            var home = (int)_hashes[next] & _mask;
            var distanceFromHome = (next - home) & _mask;
            var distanceToHole = (next - hole) & _mask;
            if (distanceFromHome >= distanceToHole)
            {
                _keys[hole] = _keys[next];
                _hashes[hole] = _hashes[next];
                _values[hole] = _values[next];
                hole = next;
            }

            next = (next + 1) & _mask;
        }

        _values[hole] = null;
        Count--;
        return true;
    }

    public void Clear()
    {
        Array.Clear(_values);
        Count = 0;
    }

    private int FindSlot(in FlowKey key, ulong hash)
    {
        var index = (int)hash & _mask;
        while (_values[index] is not null && !(_hashes[index] == hash && _keys[index].EqualTo(key)))
        {
            index = (index + 1) & _mask;
        }

        return index;
    }

    private void Grow()
    {
        var keys = _keys;
        var hashes = _hashes;
        var values = _values;
        _keys = new FlowKey[keys.Length * 2];
        _hashes = new ulong[keys.Length * 2];
        _values = new TValue?[keys.Length * 2];
        _mask = _keys.Length - 1;
        Count = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (values[i] is { } value)
            {
                TrySet(keys[i], hashes[i], value);
            }
        }
    }
}
