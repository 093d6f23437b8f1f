namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// How many times each pair of names was counted, indexed both ways: which tenants an edge hosts and by how many of
/// its ports, and which edges host a tenant. A pair is present while its count is above zero.
/// </summary>
public sealed class NameTally
{
    private static readonly IReadOnlyDictionary<string, int> None = new Dictionary<string, int>();

    private readonly Dictionary<string, Dictionary<string, int>> _byFirst = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _bySecond = new(StringComparer.Ordinal);

    /// <returns>Whether the pair is new.</returns>
    public bool Add(string first, string second)
    {
        Bump(_bySecond, second, first, 1);
        return Bump(_byFirst, first, second, 1) == 1;
    }

    /// <returns>Whether the pair is gone.</returns>
    public bool Remove(string first, string second)
    {
        Bump(_bySecond, second, first, -1);
        return Bump(_byFirst, first, second, -1) == 0;
    }

    public int Count(string first, string second) => _byFirst.TryGetValue(first, out var seconds) ? seconds.GetValueOrDefault(second) : 0;

    public bool Contains(string first, string second) => _byFirst.TryGetValue(first, out var seconds) && seconds.ContainsKey(second);

    public IReadOnlyDictionary<string, int> SecondsOf(string first) => _byFirst.TryGetValue(first, out var seconds) ? seconds : None;

    public IReadOnlyDictionary<string, int> FirstsOf(string second) => _bySecond.TryGetValue(second, out var firsts) ? firsts : None;

    private static int Bump(Dictionary<string, Dictionary<string, int>> index, string key, string value, int by)
    {
        if (!index.TryGetValue(key, out var counts))
        {
            index[key] = counts = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        var count = counts.GetValueOrDefault(value) + by;
        if (count > 0)
        {
            counts[value] = count;
        }
        else
        {
            counts.Remove(value);
            if (counts.Count == 0)
            {
                index.Remove(key);
            }
        }

        return count;
    }
}
