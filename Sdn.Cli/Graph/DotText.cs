using System.Text;

namespace Sdn.Cli.Graph;

/// <summary>
/// The fabric graph in Graphviz's dot language, for `dot -Tsvg`: core nodes as ellipses, edges as boxes, VMs as rounded
/// boxes, hosts as components, external networks as hexagons with their interface and address under their name.
/// </summary>
internal static class DotText
{
    public static string Write(string name, FabricGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var text = new StringBuilder();
        text.Append("graph ").Append(Quote(name)).AppendLine(" {");
        foreach (var node in graph.Nodes)
        {
            text.Append("  ").Append(Quote(node.Id)).Append(" [label=").Append(Label(node)).Append(", ").Append(Shape(node.Kind)).AppendLine("];");
        }

        foreach (var link in graph.Links)
        {
            text.Append("  ").Append(Quote(link.A.Id)).Append(" -- ").Append(Quote(link.B.Id));
            text.AppendLine(link.Kind == FabricGraph.Link ? $" [label={Quote(link.Name)}];" : ";");
        }

        return text.AppendLine("}").ToString();
    }

    private static string Shape(string kind) => kind switch
    {
        FabricGraph.Core => "shape=ellipse",
        FabricGraph.Edge => "shape=box",
        FabricGraph.Vm => "shape=box, style=rounded",
        FabricGraph.External => "shape=hexagon",
        _ => "shape=component",
    };

    /// <summary>The node's name and notes, one a line: dot's \n escape breaks a label's line.</summary>
    private static string Label(GraphNode node) => $"\"{string.Join("\\n", new[] { node.Name }.Concat(node.Notes).Select(Escape))}\"";

    private static string Quote(string id) => $"\"{Escape(id)}\"";

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
