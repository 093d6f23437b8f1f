using System.Xml.Linq;

namespace Sdn.Repository.Tests;

/// <summary>One .csproj of the repository, as far as the layering rules read it.</summary>
internal sealed record ProjectFile(string Name, string Path, XDocument Xml)
{
    public static ProjectFile Load(string path) =>
        new(System.IO.Path.GetFileNameWithoutExtension(path), System.IO.Path.GetFullPath(path), XDocument.Load(path));

    /// <summary>The production projects: every .csproj outside tests/.</summary>
    public static IReadOnlyList<ProjectFile> Production() =>
        [.. Directory.EnumerateFiles(RepositoryRoot.Path, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.StartsWith(RepositoryRoot.Combine("tests"), StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal) && !p.Contains("/bin/", StringComparison.Ordinal))
            .Select(Load)];

    public static IReadOnlyList<ProjectFile> Tests() =>
        [.. Directory.EnumerateFiles(RepositoryRoot.Combine("tests"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/obj/", StringComparison.Ordinal) && !p.Contains("/bin/", StringComparison.Ordinal))
            .Select(Load)];

    public IEnumerable<string> Items(string kind) =>
        Xml.Descendants(kind).Select(e => (string?)e.Attribute("Include")).OfType<string>();

    /// <summary>The projects this one references directly, by name.</summary>
    public IEnumerable<string> ProjectReferences() =>
        Items("ProjectReference").Select(r => System.IO.Path.GetFileNameWithoutExtension(r.Replace('\\', '/')));
}
