using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Sdn.Contracts.Southbound;

/// <summary>
/// An immutable map whose next version is this one plus a layer of changes, rather than a copy: what lets a
/// <see cref="NodeProgram"/> of 200,000 flows grow by 10,000 without copying 200,000 entries each time. A version
/// holds a shared base dictionary and up to <see cref="MaxLayers"/> layers over it, each the changes one edit made,
/// with null marking a key it removed. Once the layers would hold more than the base, or be too many, the next
/// version is merged into a base of its own, so each entry is copied a bounded number of times however the
/// map grows, and a lookup probes at most one base and a few layers.
/// </summary>
/// <remarks>Versions share their base and layers, which nobody changes after <see cref="Edit.Complete"/>: any thread may read any version.</remarks>
internal sealed class LayeredMap<TKey, T> : IReadOnlyDictionary<TKey, T>
    where TKey : notnull
    where T : class
{
    private const int MaxLayers = 4;

    private readonly Dictionary<TKey, T> _base;
    private readonly Dictionary<TKey, T?>[] _layers;

    /// <summary>The entries of all layers, a key counted once for each layer that holds it.</summary>
    private readonly int _layeredCount;

    private LayeredMap(Dictionary<TKey, T> @base, Dictionary<TKey, T?>[] layers, int layeredCount, int count)
    {
        _base = @base;
        _layers = layers;
        _layeredCount = layeredCount;
        Count = count;
    }

    public int Count { get; }

    public IEnumerable<TKey> Keys => this.Select(pair => pair.Key);

    public IEnumerable<T> Values => this.Select(pair => pair.Value);

    public T this[TKey key] => TryGetValue(key, out var item) ? item : throw new KeyNotFoundException($"{key} is not in the map");

    /// <summary>A map over <paramref name="map"/>, which it takes as it is: nobody may change it afterwards.</summary>
    public static LayeredMap<TKey, T> Of(Dictionary<TKey, T> map) => new(map, [], 0, map.Count);

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out T value)
    {
        for (var i = _layers.Length - 1; i >= 0; i--)
        {
            if (_layers[i].TryGetValue(key, out var changed))
            {
                value = changed;
                return changed is not null;
            }
        }

        return _base.TryGetValue(key, out value);
    }

    /// <summary>The base's entries that no layer changed, then each layer's that no later layer changed.</summary>
    public IEnumerator<KeyValuePair<TKey, T>> GetEnumerator()
    {
        foreach (var pair in _base)
        {
            if (!ChangedFrom(0, pair.Key))
            {
                yield return pair;
            }
        }

        for (var i = 0; i < _layers.Length; i++)
        {
            foreach (var (key, item) in _layers[i])
            {
                if (item is not null && !ChangedFrom(i + 1, key))
                {
                    yield return new(key, item);
                }
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Starts the next version, with room for <paramref name="changes"/> changes; this one stays as it is.</summary>
    public Edit BeginEdit(int changes) => new(this, changes);

    /// <summary>This version as a base of its own, without layers.</summary>
    private LayeredMap<TKey, T> Merged()
    {
        var merged = new Dictionary<TKey, T>(Count, _base.Comparer);
        foreach (var (key, item) in _base)
        {
            merged.Add(key, item);
        }

        foreach (var layer in _layers)
        {
            foreach (var (key, item) in layer)
            {
                // Removed first, so that the key kept is the layer's: a flow's key holds its entry.
                merged.Remove(key);
                if (item is not null)
                {
                    merged.Add(key, item);
                }
            }
        }

        return Of(merged);
    }

    private bool ChangedFrom(int layer, TKey key)
    {
        for (var i = layer; i < _layers.Length; i++)
        {
            if (_layers[i].ContainsKey(key))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The changes that make the next version of a map, kept apart from it until <see cref="Complete"/>.</summary>
    internal sealed class Edit(LayeredMap<TKey, T> start, int room)
    {
        private Dictionary<TKey, T?>? _changes = new(room);
        private int _count = start.Count;

        /// <summary>Adds <paramref name="item"/> under <paramref name="key"/>; false, changing nothing, when the key is there.</summary>
        public bool TryAdd(TKey key, T item)
        {
            var changes = Changes;
            if (changes.TryGetValue(key, out var changed))
            {
                if (changed is not null)
                {
                    return false;
                }

                // Removed earlier in this edit: replaced whole, so that the key kept is the new one.
                changes.Remove(key);
            }
            else if (start.ContainsKey(key))
            {
                return false;
            }

            changes.Add(key, item);
            _count++;
            return true;
        }

        /// <summary>Removes what <paramref name="key"/> holds; false when it holds nothing.</summary>
        public bool Remove(TKey key, [MaybeNullWhen(false)] out T removed)
        {
            var changes = Changes;
            if (changes.TryGetValue(key, out var changed))
            {
                if (changed is null)
                {
                    removed = null;
                    return false;
                }

                // Added in this edit: forgotten, unless it replaced what the start holds, which must then stay removed.
                changes.Remove(key);
                if (start.ContainsKey(key))
                {
                    changes.Add(key, null);
                }
            }
            else if (start.TryGetValue(key, out changed))
            {
                changes.Add(key, null);
            }
            else
            {
                removed = null;
                return false;
            }

            removed = changed;
            _count--;
            return true;
        }

        /// <summary>The next version: the start itself when nothing changed. The edit is spent.</summary>
        public LayeredMap<TKey, T> Complete()
        {
            var changes = Changes;
            _changes = null;
            if (changes.Count == 0)
            {
                return start;
            }

            var layered = new LayeredMap<TKey, T>(start._base, [.. start._layers, changes], start._layeredCount + changes.Count, _count);
            return layered._layers.Length <= MaxLayers && layered._layeredCount <= layered._base.Count
                ? layered
                : layered.Merged();
        }

        private Dictionary<TKey, T?> Changes => _changes ?? throw new InvalidOperationException("the edit is complete");
    }
}
