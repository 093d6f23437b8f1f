using System.Text;

namespace Sdn.Cli.Graph;

/// <summary>The fabric graph in Graphviz's dot language, for `dot -Tsvg`: core nodes as ellipses, edges as boxes, VMs as rounded boxes, hosts as components.</summary>
internal static class DotText
{
    public static string Write(string name, FabricGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var text = new StringBuilder();
        text.Append("graph ").Append(Quote(name)).AppendLine(" {");
        foreach (var node in graph.Nodes)
        {
            text.Append("  ").Append(Quote(node.Id)).Append(" [label=").Append(Quote(node.Name)).Append(", ").Append(Shape(node.Kind)).AppendLine("];");
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
        _ => "shape=component",
    };

    private static string Quote(string id) => $"\"{id.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}
