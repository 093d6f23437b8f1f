using System.Numerics;
using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// An open-addressing hash map from <see cref="FlowKey"/> to a reference, probed linearly, with the key's
/// 64-bit hash passed in so that callers hash a key once however many tables they probe.
/// </summary>
/// <remarks>
/// A slot holds the key's hash and the value; <typeparamref name="TKeys"/> says where its key is, and the key is
/// read only when the hashes are equal. The megaflow cache keeps a copy of each key in the table
/// (<see cref="FlowKeyTable{TValue}"/>); the classifier's subtables read it from the flow entry, which holds its
/// match already, so that a table of 200,000 flows does not also hold 64 MiB of copies. A lookup allocates
/// nothing and makes no virtual call; removal shifts later entries of the probe run back, so there are no
/// tombstones. The table doubles when half full, so memory follows what it holds rather than what it might.
/// </remarks>
public class FlowKeyTable<TValue, TKeys>
    where TValue : class
    where TKeys : struct, IFlowKeyStore
{
    private readonly int _maxCount;
    private TKeys _keys;
    private ulong[] _hashes;
    private TValue?[] _values;
    private int _mask;

    /// <param name="capacity">Rounded up to a power of two; the table holds at most half of it before growing.</param>
    /// <param name="maxCount">How many keys the table may hold; past that <see cref="TrySet"/> refuses new ones.</param>
    public FlowKeyTable(int capacity, int maxCount = int.MaxValue)
    {
        _maxCount = maxCount;
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 8));
        _keys = NewKeyStore(size);
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

            if (_hashes[index] == hash && _keys.KeyAt(index, candidate).EqualTo(key))
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

        if ((Count + 1) * 2 > _values.Length)
        {
            Grow();
            index = FreeSlot(hash);
        }

        _keys.Store(index, key);
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
                _keys.Move(next, hole);
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

    /// <summary>The slot holding <paramref name="key"/>, or the empty slot that ends its probe run.</summary>
    private int FindSlot(in FlowKey key, ulong hash)
    {
        var index = (int)hash & _mask;
        while (_values[index] is { } candidate && !(_hashes[index] == hash && _keys.KeyAt(index, candidate).EqualTo(key)))
        {
            index = (index + 1) & _mask;
        }

        return index;
    }

    /// <summary>The first empty slot of the probe run from the home of <paramref name="hash"/>, for a key known to be absent.</summary>
    private int FreeSlot(ulong hash)
    {
        var index = (int)hash & _mask;
        while (_values[index] is not null)
        {
            index = (index + 1) & _mask;
        }

        return index;
    }

    private static TKeys NewKeyStore(int size)
    {
        var keys = new TKeys();
        keys.Allocate(size);
        return keys;
    }

    private void Grow()
    {
        var keys = _keys;
        var hashes = _hashes;
        var values = _values;
        var size = values.Length * 2;
        _keys = NewKeyStore(size);
        _hashes = new ulong[size];
        _values = new TValue?[size];
        _mask = size - 1;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } value)
            {
                var slot = FreeSlot(hashes[i]);
                _keys.Store(slot, keys.KeyAt(i, value));
                _hashes[slot] = hashes[i];
                _values[slot] = value;
            }
        }
    }
}

/// <summary>A <see cref="FlowKeyTable{TValue, TKeys}"/> that keeps a copy of each key, for values that do not hold their own.</summary>
public sealed class FlowKeyTable<TValue>(int capacity, int maxCount = int.MaxValue)
    : FlowKeyTable<TValue, FlowKeyCopies>(capacity, maxCount)
    where TValue : class;
