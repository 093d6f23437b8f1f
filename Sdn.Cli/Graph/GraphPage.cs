using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Sdn.Cli.Graph;

/// <summary>The page's files, embedded in the assembly by Sdn.Cli.csproj: index.html, graph.js, graph.css and cytoscape.min.js.</summary>
internal static class GraphPage
{
    private static readonly FrozenDictionary<string, (byte[] Content, string ContentType)> Files = new[]
    {
        ("index.html", "text/html; charset=utf-8"),
        ("graph.js", "text/javascript; charset=utf-8"),
        ("graph.css", "text/css; charset=utf-8"),
        ("cytoscape.min.js", "text/javascript; charset=utf-8"),
    }.ToFrozenDictionary(f => f.Item1, f => (Read(f.Item1), f.Item2), StringComparer.Ordinal);

    /// <summary>The file, or 404 for any other name.</summary>
    public static IResult Serve(string name) =>
        Files.TryGetValue(name, out var file) ? TypedResults.Bytes(file.Content, file.ContentType) : TypedResults.NotFound();

    private static byte[] Read(string name)
    {
        using var stream = typeof(GraphPage).Assembly.GetManifestResourceStream($"graph/{name}")
            ?? throw new InvalidOperationException($"the assembly lacks the embedded page file graph/{name}; rebuild Sdn.Cli");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
