using System.Text;

namespace Sdn.Cli.Graph;

/// <summary>
/// The fabric graph as a Mermaid flowchart, which GitHub and GitLab draw in Markdown: core nodes as stadiums, edges
/// as rectangles, VMs as rounded rectangles, hosts as parallelograms, external networks as hexagons with their
/// interface and address under their name. Mermaid ids allow few characters, so nodes are n0, n1, ... and their names
/// go in the labels.
/// </summary>
internal static class MermaidText
{
    public static string Write(string name, FabricGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var ids = graph.Nodes.Select((node, i) => (node.Id, Mermaid: $"n{i}")).ToDictionary(n => n.Id, n => n.Mermaid, StringComparer.Ordinal);
        var text = new StringBuilder();
        text.AppendLine("---").Append("title: ").AppendLine(Quote(name)).AppendLine("---").AppendLine("graph TD");
        foreach (var node in graph.Nodes)
        {
            var (open, close) = Shape(node.Kind);
            text.Append("  ").Append(ids[node.Id]).Append(open).Append(Quote(string.Join("<br>", [node.Name, .. node.Notes]))).AppendLine(close);
        }

        foreach (var link in graph.Links)
        {
            text.Append("  ").Append(ids[link.A.Id]).Append(link.Kind == FabricGraph.Link ? $" ---|{Quote(link.Name)}| " : " --- ").AppendLine(ids[link.B.Id]);
        }

        return text.ToString();
    }

    private static (string Open, string Close) Shape(string kind) => kind switch
    {
        FabricGraph.Core => ("([", "])"),
        FabricGraph.Edge => ("[", "]"),
        FabricGraph.Vm => ("(", ")"),
        FabricGraph.External => ("{{", "}}"),
        _ => ("[/", "/]"),
    };

    /// <summary>Mermaid's quoted text, with its entity code for a double quote.</summary>
    private static string Quote(string text) => $"\"{text.Replace("\"", "#quot;", StringComparison.Ordinal)}\"";
}
