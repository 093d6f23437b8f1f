using System.Text.Json;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// The numbers the compiler chose (labels, port numbers, group ids), kept in <c>numbering.json</c> beside the state,
/// so that a controller that restarts compiles every node's program as it was. Without them the numbers would follow
/// the order names arrive in, which a restart does not repeat: nodes would be reprogrammed with other labels, each in
/// turn, and traffic between them lost until the last one reconnected. Saved as the state is, whole or not at all
/// (<see cref="AtomicFile"/>).
/// </summary>
public sealed class NumberingFile(string directory) : INumberingStore
{
    public const string FileName = "numbering.json";

    public string Path { get; } = System.IO.Path.Combine(directory, FileName);

    /// <summary>The saved numbers by scope; none when nothing was saved yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but holds no numbering.</exception>
    public IReadOnlyDictionary<string, StableNumbering> Load()
    {
        if (!File.Exists(Path))
        {
            return new Dictionary<string, StableNumbering>(StringComparer.Ordinal);
        }

        try
        {
            var scopes = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, uint>>>(File.ReadAllText(Path)) ?? [];
            return scopes.ToDictionary(s => s.Key, s => StableNumbering.Of(s.Value), StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path} is not a saved numbering ({e.Message}); move it away, and the controller numbers afresh", e);
        }
    }

    public void Save(IReadOnlyDictionary<string, StableNumbering> numberings)
    {
        ArgumentNullException.ThrowIfNull(numberings);
        AtomicFile.Write(Path, file => JsonSerializer.Serialize(file, numberings.ToDictionary(s => s.Key, s => s.Value.Numbers, StringComparer.Ordinal)));
    }
}
