using System.Collections.Immutable;
using Google.Protobuf;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// The objects of one kind by name, persistent: a change makes a new table sharing all but a few nodes with the old
/// one, in time logarithmic in its size. Each object keeps the place it was created in, so listings come out in
/// creation order whatever was deleted since.
/// </summary>
public sealed class ObjectTable<T>
    where T : class, IMessage<T>
{
    private readonly ImmutableDictionary<string, (T Item, long Place)> _items;

    /// <summary>An empty table.</summary>
    public ObjectTable()
        : this(ImmutableDictionary.Create<string, (T, long)>(StringComparer.Ordinal))
    {
    }

    private ObjectTable(ImmutableDictionary<string, (T Item, long Place)> items) => _items = items;

    public int Count => _items.Count;

    public T? Find(string name) => _items.TryGetValue(name, out var stored) ? stored.Item : null;

    public bool Contains(string name) => _items.ContainsKey(name);

    /// <summary>Every object, in creation order.</summary>
    public IEnumerable<T> InOrder() => _items.Values.OrderBy(s => s.Place).Select(s => s.Item);

    /// <summary>Adds <paramref name="item"/> at <paramref name="place"/>, or replaces the one of its name where it stands.</summary>
    public ObjectTable<T> Put(string name, T item, long place) =>
        new(_items.SetItem(name, (item, _items.TryGetValue(name, out var stored) ? stored.Place : place)));

    public ObjectTable<T> Remove(string name) => new(_items.Remove(name));
}
