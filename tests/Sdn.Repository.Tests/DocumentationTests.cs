using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sdn.Cli.Commands;

namespace Sdn.Repository.Tests;

/// <summary>Nothing is documented that does not work, and nothing works that is not documented.</summary>
public partial class DocumentationTests
{
    private static readonly string Docs = string.Join('\n', Directory.GetFiles(RepositoryRoot.Combine("docs"), "*.md").Order(StringComparer.Ordinal).Select(File.ReadAllText));

    public static TheoryData<string> Commands() => [.. Leaves(SdnCommandLine.Build(), "sdn")];

    public static TheoryData<string> SchemaKeys()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("topologies", "sdn-topology.schema.json")));
        return [.. PropertyNames(schema.RootElement).Distinct().Order(StringComparer.Ordinal)];
    }

    public static TheoryData<string> MarkdownFiles() =>
        [.. Directory.GetFiles(RepositoryRoot.Path, "*.md", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepositoryRoot.Path, f))];

    [Fact]
    public void The_readme_is_a_front_door_whose_first_command_runs_the_quickstart()
    {
        var readme = File.ReadAllLines(RepositoryRoot.Combine("README.md"));
        var firstCommand = readme.SkipWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).Skip(1).First();

        Assert.InRange(readme.Length, 1, 299);
        Assert.StartsWith("./sdn up topologies/quickstart.yaml", firstCommand, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_of_sdn_help_has_its_section_in_the_cli_reference(string command)
    {
        var cli = File.ReadAllLines(RepositoryRoot.Combine("docs", "cli.md"));

        Assert.Contains($"## {command}", cli);
    }

    [Theory]
    [MemberData(nameof(SchemaKeys))]
    public void Every_key_of_the_topology_schema_is_documented(string key)
    {
        Assert.Contains($"`{key}`", Docs, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Every_link_stays_in_the_repository_and_leads_somewhere(string file)
    {
        var path = RepositoryRoot.Combine(file);
        var broken = Link().Matches(File.ReadAllText(path))
            .Select(m => m.Groups["target"].Value)
            .Where(target => !target.StartsWith('#'))
            .Where(target =>
            {
                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, target.Split('#')[0]));
                return target.Contains("://", StringComparison.Ordinal)
                    || !resolved.StartsWith(RepositoryRoot.Path + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    || !(File.Exists(resolved) || Directory.Exists(resolved));
            })
            .ToList();

        Assert.Empty(broken);
    }

    /// <summary>The commands a user types: a command with subcommands stands for its subcommands (`sdn link set`).</summary>
    private static IEnumerable<string> Leaves(Command command, string prefix) =>
        command.Subcommands.Count == 0
            ? [prefix]
            : command.Subcommands.SelectMany(c => Leaves(c, $"{prefix} {c.Name}"));

    private static IEnumerable<string> PropertyNames(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in element.EnumerateObject())
            {
                if (member.Name == "properties")
                {
                    foreach (var property in member.Value.EnumerateObject())
                    {
                        yield return property.Name;
                    }
                }

                foreach (var name in PropertyNames(member.Value))
                {
                    yield return name;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in element.EnumerateArray().SelectMany(PropertyNames))
            {
                yield return name;
            }
        }
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();
}
