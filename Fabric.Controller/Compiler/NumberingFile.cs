using System.Text;
using System.Text.Json;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// The numbers the compiler chose (labels, port numbers, group ids), kept beside the state, so that a controller that
/// restarts compiles every node's program as it was. Without them the numbers would follow the order names arrive in,
/// which a restart does not repeat: nodes would be reprogrammed with other labels, each in turn, and traffic between
/// them lost until the last one reconnected. Kept as the state is: <c>numbering.json</c> holds every scope, written
/// whole or not at all (<see cref="AtomicFile"/>), and <c>numbering.journal</c> one line per scope a compile changed
/// since, appended and flushed, so a change costs the scopes it touched; the journal is folded into the file once it
/// outgrows it, and on loading. A last line torn by a crash is dropped.
/// </summary>
public sealed class NumberingFile(string directory) : INumberingStore
{
    public const string FileName = "numbering.json";
    public const string JournalName = "numbering.journal";

    private int _journalLines;

    public string Path { get; } = System.IO.Path.Combine(directory, FileName);

    public string JournalPath { get; } = System.IO.Path.Combine(directory, JournalName);

    /// <summary>The saved numbers by scope; none when nothing was saved yet.</summary>
    /// <exception cref="InvalidDataException">A file exists but holds no numbering.</exception>
    public IReadOnlyDictionary<string, StableNumbering> Load()
    {
        var scopes = new Dictionary<string, StableNumbering>(StringComparer.Ordinal);
        if (File.Exists(Path))
        {
            try
            {
                foreach (var (scope, numbers) in JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, uint>>>(File.ReadAllText(Path)) ?? [])
                {
                    scopes[scope] = StableNumbering.Of(numbers);
                }
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{Path} is not a saved numbering ({e.Message}); move it away, and the controller numbers afresh", e);
            }
        }

        var replayed = ReplayJournal(scopes);
        if (replayed > 0)
        {
            Compact(scopes);
        }

        return scopes;
    }

    /// <summary>Saves the scopes that differ between <paramref name="before"/> and <paramref name="after"/>: numbers changed, scope added or gone.</summary>
    /// <param name="scopes">The only scopes that can differ; null when any can.</param>
    public void Save(IReadOnlyDictionary<string, StableNumbering>? before, IReadOnlyDictionary<string, StableNumbering> after, IReadOnlyCollection<string>? scopes)
    {
        ArgumentNullException.ThrowIfNull(after);
        var lines = new StringBuilder();
        var changes = 0;
        foreach (var (scope, numbers) in StableNumbering.Changes(before, after, scopes))
        {
            lines.Append(JsonSerializer.Serialize(new ScopeChange(scope, numbers?.Numbers))).Append('\n');
            changes++;
        }

        if (changes == 0)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        using (var journal = new FileStream(JournalPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            journal.Write(Encoding.UTF8.GetBytes(lines.ToString()));
            journal.Flush(flushToDisk: true);
        }

        _journalLines += changes;
        if (_journalLines >= StateStore.CompactAfter && _journalLines > after.Count)
        {
            Compact(after);
        }
    }

    private void Compact(IReadOnlyDictionary<string, StableNumbering> numberings)
    {
        AtomicFile.Write(Path, file => JsonSerializer.Serialize(file, numberings.ToDictionary(s => s.Key, s => s.Value.Numbers, StringComparer.Ordinal)));
        File.Delete(JournalPath);
        _journalLines = 0;
    }

    /// <returns>How many lines the journal held.</returns>
    private int ReplayJournal(Dictionary<string, StableNumbering> scopes)
    {
        if (!File.Exists(JournalPath))
        {
            return 0;
        }

        var bytes = File.ReadAllBytes(JournalPath);
        var complete = bytes.AsSpan().LastIndexOf((byte)'\n') + 1;
        var lines = Encoding.UTF8.GetString(bytes, 0, complete).Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            ScopeChange? change;
            try
            {
                change = JsonSerializer.Deserialize<ScopeChange>(lines[i]);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{JournalPath}:{i + 1}: not a saved numbering change ({e.Message}); move the journal away, and the controller numbers what it holds afresh", e);
            }

            if (change is not { Scope: { } scope })
            {
                throw new InvalidDataException($"{JournalPath}:{i + 1}: not a saved numbering change (no scope); move the journal away, and the controller numbers what it holds afresh");
            }

            if (change.Numbers is { } numbers)
            {
                scopes[scope] = StableNumbering.Of(numbers);
            }
            else
            {
                scopes.Remove(scope);
            }
        }

        return lines.Length - 1;
    }

    /// <summary>One line of the journal: a scope's numbers as they are now, or null when the scope is gone.</summary>
    private sealed record ScopeChange(string Scope, IReadOnlyDictionary<string, uint>? Numbers);
}
