using System.Collections.Immutable;

namespace Sdn.Fabric.Controller.Model;

/// <summary>A persistent index from a name to the objects that refer to it (the ports of a network, the links of a node), by their own names.</summary>
public sealed class NameIndex<T>
{
    private static readonly ImmutableDictionary<string, T> None = ImmutableDictionary.Create<string, T>(StringComparer.Ordinal);
    private readonly ImmutableDictionary<string, ImmutableDictionary<string, T>> _entries;

    /// <summary>An empty index.</summary>
    public NameIndex()
        : this(ImmutableDictionary.Create<string, ImmutableDictionary<string, T>>(StringComparer.Ordinal))
    {
    }

    private NameIndex(ImmutableDictionary<string, ImmutableDictionary<string, T>> entries) => _entries = entries;

    /// <summary>The objects referring to <paramref name="key"/>, by name.</summary>
    public IReadOnlyDictionary<string, T> Of(string key) => _entries.TryGetValue(key, out var items) ? items : None;

    public NameIndex<T> Add(string key, string name, T item) => new(_entries.SetItem(key, (_entries.TryGetValue(key, out var items) ? items : None).SetItem(name, item)));

    public NameIndex<T> Remove(string key, string name)
    {
        if (!_entries.TryGetValue(key, out var items))
        {
            return this;
        }

        var left = items.Remove(name);
        return new(left.IsEmpty ? _entries.Remove(key) : _entries.SetItem(key, left));
    }
}
