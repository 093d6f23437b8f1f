using Sdn.Fabric.Controller.Model;
using YamlDotNet.RepresentationModel;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// One object a topology file declares, and where: the YAML node it was written in, and the node of each field,
/// by the name the .proto gives the field, so that the model's refusal of a field is reported at its line.
/// </summary>
/// <param name="Needs">The other declared objects it refers to, by <see cref="IdOf"/>: when one of them is refused, so is this one, silently.</param>
internal sealed record DeclaredObject(ModelObject Object, YamlNode Node, IReadOnlyDictionary<string, YamlNode> Fields, IReadOnlyList<string> Needs)
{
    public string Id => IdOf(Object.Kind, Object.Name);

    /// <summary>Edges and core nodes share one name space, as in the model.</summary>
    public static string IdOf(string kind, string name) => (kind is "edge" or "core node" ? "node" : kind) + ":" + name;

    /// <summary>Where the problem with <paramref name="field"/> is: that field's node, or its closest enclosing one, or the object's.</summary>
    public YamlNode At(string? field)
    {
        for (var path = field; !string.IsNullOrEmpty(path); path = path.Contains('.', StringComparison.Ordinal) ? path[..path.LastIndexOf('.')] : null)
        {
            if (Fields.TryGetValue(path, out var node))
            {
                return node;
            }
        }

        return Node;
    }
}
