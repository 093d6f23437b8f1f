namespace Sdn.Fabric.Core.Southbound;

/// <summary>
/// What the batch in progress changed in one map of a <see cref="HeldProgram"/>, oldest first: each key with
/// what it held before, or null when it was absent. Replaying it backwards takes the map back to before the batch.
/// </summary>
/// <remarks>The log keeps its capacity from batch to batch, so recording a change allocates nothing once warm.</remarks>
internal sealed class MapUndo<TKey, T>
    where TKey : notnull
    where T : class
{
    private readonly List<(TKey Key, T? Before)> _changes = [];

    public void Record(TKey key, T? before) => _changes.Add((key, before));

    /// <summary>Takes <paramref name="map"/> (the changed map, or a copy of it) back to before the batch; the log stays.</summary>
    public void RevertOnto(Dictionary<TKey, T> map)
    {
        for (var i = _changes.Count - 1; i >= 0; i--)
        {
            var (key, before) = _changes[i];
            if (before is null)
            {
                map.Remove(key);
            }
            else
            {
                map[key] = before;
            }
        }
    }

    public void Forget() => _changes.Clear();
}
