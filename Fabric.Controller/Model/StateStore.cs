using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// Keeps the desired state in <c>state.json</c> under a directory: the <see cref="FabricState"/>
/// message in protobuf's canonical JSON, readable and diffable. Each save writes a temporary file,
/// flushes it to disk and renames it over the old one, so a crash leaves either the old state or
/// the new one, never a torn file.
/// </summary>
public sealed class StateStore : IStateStore
{
    public const string FileName = "state.json";

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public StateStore(string directory)
    {
        Directory = directory;
        Path = System.IO.Path.Combine(directory, FileName);
    }

    public string Directory { get; }

    public string Path { get; }

    /// <summary>The default directory: $XDG_STATE_HOME/sdn, else ~/.local/state/sdn.</summary>
    public static string DefaultDirectory =>
        System.IO.Path.Combine(
            Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
                ? xdg
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state"),
            "sdn");

    /// <summary>The saved state, or an empty one at version 0 when nothing was saved yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a saved state.</exception>
    public FabricState Load()
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

    public ulong Save(StateChange change, FabricState after)
    {
        ArgumentNullException.ThrowIfNull(after);
        AtomicFile.Write(Path, file =>
        {
            using var writer = new StreamWriter(file, leaveOpen: true);
            writer.Write(Formatter.Format(after));
        });
        return after.Version;
    }
}
