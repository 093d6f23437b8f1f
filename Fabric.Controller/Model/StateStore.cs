using System.Text;
using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// Keeps the desired state under a directory, as a snapshot and a journal of the changes since.
/// <list type="bullet">
/// <item><c>state.json</c>: the <see cref="FabricState"/> message in protobuf's canonical JSON, readable and diffable,
/// written whole or not at all (<see cref="AtomicFile"/>).</item>
/// <item><c>state.journal</c>: one line per accepted change after the snapshot's version, the <see cref="Event"/> that
/// announced it (the object as created or updated, or as it was when deleted), appended and flushed to disk before
/// the change is acknowledged. A save writes one object, whatever the size of the fabric.</item>
/// </list>
/// Once the journal holds more lines than the state has objects (and at least <see cref="CompactAfter"/>), the
/// snapshot is written afresh and the journal emptied, so both stay in proportion to the state. A crash mid-append
/// leaves a last line without its newline, which loading drops (that change was never acknowledged); a crash between
/// a compaction's snapshot and the journal's truncation leaves lines the snapshot already holds, which loading skips
/// by version. Loading compacts too. A directory holding only a <c>state.json</c>, as older controllers wrote it,
/// loads as it is.
/// </summary>
public sealed class StateStore : IStateStore
{
    public const string FileName = "state.json";
    public const string JournalName = "state.journal";

    /// <summary>The fewest journal lines a compaction waits for, so a small state is not rewritten at every change.</summary>
    public const int CompactAfter = 1024;

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());
    private static readonly JsonFormatter LineFormatter = new(JsonFormatter.Settings.Default);
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private ModelState _state = ModelState.Empty;
    private int _journalLines;

    public StateStore(string directory)
    {
        Directory = directory;
        Path = System.IO.Path.Combine(directory, FileName);
        JournalPath = System.IO.Path.Combine(directory, JournalName);
    }

    public string Directory { get; }

    /// <summary>The snapshot, <c>state.json</c>.</summary>
    public string Path { get; }

    /// <summary>The changes since the snapshot, <c>state.journal</c>.</summary>
    public string JournalPath { get; }

    /// <summary>The default directory: $XDG_STATE_HOME/sdn, else ~/.local/state/sdn.</summary>
    public static string DefaultDirectory =>
        System.IO.Path.Combine(
            Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
                ? xdg
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state"),
            "sdn");

    /// <summary>The snapshot with the journal's changes applied; an empty state at version 0 when nothing was saved yet.</summary>
    /// <exception cref="InvalidDataException">A file exists but is not a saved state or journal.</exception>
    public FabricState Load()
    {
        var snapshot = LoadSnapshot();
        _state = ModelState.From(snapshot);
        _journalLines = 0;
        foreach (var change in ReadJournal())
        {
            if (change.Version > _state.Version)
            {
                _state = _state.Apply(change.Type, ModelObject.FromEvent(change).Message, change.Version);
            }

            _journalLines++;
        }

        // A restart reads every line anyway: folding them into the snapshot now costs no more.
        if (_journalLines > 0)
        {
            Compact();
        }

        return _state.ToState();
    }

    public ulong Save(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var version = change.Basis + 1;
        var line = LineFormatter.Format(change.Changed.ToEvent(change.Type, version)) + "\n";
        var next = _state.Apply(change.Type, change.Changed.Message, version);
        System.IO.Directory.CreateDirectory(Directory);
        using (var journal = new FileStream(JournalPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            journal.Write(Encoding.UTF8.GetBytes(line));
            journal.Flush(flushToDisk: true);
        }

        _state = next;
        if (++_journalLines >= CompactAfter && _journalLines > ObjectCount(_state))
        {
            Compact();
        }

        return version;
    }

    /// <summary>Writes the snapshot afresh and empties the journal.</summary>
    public void Compact()
    {
        var state = _state.ToState();
        AtomicFile.Write(Path, file =>
        {
            using var writer = new StreamWriter(file, leaveOpen: true);
            writer.Write(Formatter.Format(state));
        });
        File.Delete(JournalPath);
        _journalLines = 0;
    }

    private static int ObjectCount(ModelState state) =>
        state.Tenants.Count + state.Networks.Count + state.Ports.Count + state.AclRules.Count + state.Edges.Count + state.CoreNodes.Count + state.Links.Count + state.Externals.Count;

    private FabricState LoadSnapshot()
    {
        if (!File.Exists(Path))
        {
            return new FabricState();
        }

        try
        {
            return Parser.Parse<FabricState>(File.ReadAllText(Path));
        }
        catch (IOException e) when (e is InvalidProtocolBufferException or InvalidJsonException)
        {
            throw new InvalidDataException($"{Path} is not a saved controller state ({e.Message}); restore it from a backup or move it away to start empty", e);
        }
    }

    /// <summary>The journal's changes in order; a last line without its newline, torn by a crash, is cut off the file.</summary>
    private List<Event> ReadJournal()
    {
        var changes = new List<Event>();
        if (!File.Exists(JournalPath))
        {
            return changes;
        }

        var bytes = File.ReadAllBytes(JournalPath);
        var complete = bytes.AsSpan().LastIndexOf((byte)'\n') + 1;
        var lines = Encoding.UTF8.GetString(bytes, 0, complete).Split('\n', StringSplitOptions.None);
        for (var i = 0; i < lines.Length - 1; i++)
        {
            try
            {
                var change = Parser.Parse<Event>(lines[i]);
                ModelObject.FromEvent(change);
                changes.Add(change);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or InvalidDataException)
            {
                throw new InvalidDataException($"{JournalPath}:{i + 1}: not a saved change ({e.Message}); restore the directory from a backup, or move the journal away to go back to {FileName}'s version", e);
            }
        }

        if (complete < bytes.Length)
        {
            using var journal = new FileStream(JournalPath, FileMode.Open, FileAccess.Write);
            journal.SetLength(complete);
            journal.Flush(flushToDisk: true);
        }

        return changes;
    }
}
