namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// Numbers for a set of names (labels, port numbers, group ids) that survive recompiles: a name keeps the
/// number it had, names that are gone free theirs, and new names take the lowest free numbers in name order,
/// so the same inputs always give the same numbers and an unchanged entry compiles to the same bytes.
/// </summary>
public sealed class StableNumbering
{
    private readonly Dictionary<string, uint> _numbers;

    private StableNumbering(Dictionary<string, uint> numbers) => this._numbers = numbers;

    public static StableNumbering Empty { get; } = new([]);

    /// <summary>Numbers chosen before, as saved.</summary>
    public static StableNumbering Of(IReadOnlyDictionary<string, uint> numbers) => new(new Dictionary<string, uint>(numbers, StringComparer.Ordinal));

    /// <summary>Whether both give every name the same number.</summary>
    public bool SameAs(StableNumbering other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _numbers.Count == other._numbers.Count && _numbers.All(n => other._numbers.TryGetValue(n.Key, out var number) && number == n.Value);
    }

    public IReadOnlyDictionary<string, uint> Numbers => _numbers;

    /// <summary>
    /// The scopes whose numbers differ between <paramref name="before"/> and <paramref name="after"/>, each with its
    /// numbers after (null: the scope is gone). Only <paramref name="scopes"/> are compared when given, so a step that
    /// renumbered two scopes costs two comparisons, not one per scope of the fabric.
    /// </summary>
    public static IEnumerable<(string Scope, StableNumbering? Now)> Changes(IReadOnlyDictionary<string, StableNumbering>? before, IReadOnlyDictionary<string, StableNumbering> after, IReadOnlyCollection<string>? scopes)
    {
        ArgumentNullException.ThrowIfNull(after);
        var candidates = scopes ?? [.. after.Keys.Concat(before?.Keys.Where(s => !after.ContainsKey(s)) ?? [])];
        foreach (var scope in candidates)
        {
            var now = after.GetValueOrDefault(scope);
            var was = before?.GetValueOrDefault(scope);
            if (now is null ? was is not null : was is null || (!ReferenceEquals(was, now) && !was.SameAs(now)))
            {
                yield return (scope, now);
            }
        }
    }

    public uint this[string name] => _numbers[name];

    /// <summary>Numbers <paramref name="names"/> from <paramref name="first"/> to <paramref name="last"/>, keeping <paramref name="previous"/>'s choices that lie there.</summary>
    public static StableNumbering Assign(IEnumerable<string> names, StableNumbering previous, uint first, uint last)
    {
        var wanted = names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var assigned = new Dictionary<string, uint>(wanted.Count, StringComparer.Ordinal);
        var used = new HashSet<uint>();
        foreach (var name in wanted)
        {
            if (previous._numbers.TryGetValue(name, out var kept) && kept >= first && kept <= last)
            {
                assigned[name] = kept;
                used.Add(kept);
            }
        }

        var next = first;
        foreach (var name in wanted.Where(n => !assigned.ContainsKey(n)))
        {
            while (used.Contains(next))
            {
                next++;
            }

            if (next > last)
            {
                throw new InvalidOperationException($"more than {last - first + 1} numbers needed between {first} and {last}");
            }

            assigned[name] = next;
            used.Add(next++);
        }

        return new StableNumbering(assigned);
    }
}
