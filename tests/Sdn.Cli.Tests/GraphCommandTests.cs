namespace Sdn.Cli.Tests;

/// <summary>`sdn graph FILE --dot` and `--mermaid`, which print a topology file without running anything.</summary>
public class GraphCommandTests
{
    // Printing a file calls no controller; the address only fills in --controller.
    private static readonly Uri NoController = new("http://127.0.0.1:9");

    private static readonly string Quickstart = RepositoryRoot.Combine("topologies", "quickstart.yaml");

    private static readonly string Gateway = RepositoryRoot.Combine("topologies", "gateway.yaml");

    [Fact]
    public async Task Dot_prints_quickstarts_switches_vms_hosts_and_links()
    {
        var (exit, output, error) = await SdnCli.RunAsync(NoController, "graph", Quickstart, "--dot");

        Assert.True(exit == 0, error);
        Assert.Equal(
            """
            graph "quickstart" {
              "core:c1" [label="c1", shape=ellipse];
              "core:c2" [label="c2", shape=ellipse];
              "edge:e1" [label="e1", shape=box];
              "edge:e2" [label="e2", shape=box];
              "vm:red1" [label="red1", shape=box, style=rounded];
              "vm:red2" [label="red2", shape=box, style=rounded];
              "vm:blue1" [label="blue1", shape=box, style=rounded];
              "vm:blue2" [label="blue2", shape=box, style=rounded];
              "host:h1" [label="h1", shape=component];
              "edge:e1" -- "core:c1" [label="e1--c1"];
              "edge:e1" -- "core:c2" [label="e1--c2"];
              "core:c1" -- "edge:e2" [label="c1--e2"];
              "core:c2" -- "edge:e2" [label="c2--e2"];
              "vm:red1" -- "edge:e1";
              "vm:red2" -- "edge:e2";
              "vm:blue1" -- "edge:e1";
              "vm:blue2" -- "edge:e2";
              "host:h1" -- "edge:e2";
            }

            """,
            output);
    }

    [Fact]
    public async Task Dot_prints_an_external_network_as_a_hexagon_on_its_gateway_edge_with_its_interface_and_address()
    {
        var (exit, output, error) = await SdnCli.RunAsync(NoController, "graph", Gateway, "--dot");

        Assert.True(exit == 0, error);
        Assert.Contains("\n  \"external:internet\" [label=\"internet\\nveth-out\\n198.51.100.2\", shape=hexagon];\n", output, StringComparison.Ordinal);
        Assert.EndsWith("\n  \"external:internet\" -- \"edge:e2\";\n}\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mermaid_prints_an_external_network_as_a_hexagon_with_its_interface_and_address_under_its_name()
    {
        var (exit, output, error) = await SdnCli.RunAsync(NoController, "graph", Gateway, "--mermaid");

        Assert.True(exit == 0, error);
        Assert.Contains("\n  n2[\"e2\"]\n", output, StringComparison.Ordinal);
        Assert.Contains("\n  n6{{\"internet<br>veth-out<br>198.51.100.2\"}}\n", output, StringComparison.Ordinal);
        Assert.EndsWith("\n  n6 --- n2\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mermaid_prints_quickstart_as_a_flowchart_with_its_names_in_the_labels()
    {
        var (exit, output, error) = await SdnCli.RunAsync(NoController, "graph", Quickstart, "--mermaid");

        Assert.True(exit == 0, error);
        Assert.StartsWith("---\ntitle: \"quickstart\"\n---\ngraph TD\n  n0([\"c1\"])\n", output, StringComparison.Ordinal);
        Assert.Contains("  n2 ---|\"e1--c1\"| n0\n", output, StringComparison.Ordinal);
        Assert.Contains("  n8[/\"h1\"/]\n", output, StringComparison.Ordinal);
        Assert.EndsWith("  n8 --- n3\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--dot and --mermaid print a topology FILE; name one", "graph", "--dot")]
    [InlineData("a FILE is printed with --dot or --mermaid", "graph", "topologies/quickstart.yaml")]
    [InlineData("give one", "graph", "topologies/quickstart.yaml", "--dot", "--mermaid")]
    public async Task Options_that_do_not_go_together_are_refused(string message, params string[] args)
    {
        var (exit, _, error) = await SdnCli.RunAsync(NoController, args);

        Assert.Equal(1, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_file_is_reported_with_its_line_as_sdn_validate_reports_it()
    {
        var file = Path.Combine(Path.GetTempPath(), $"graph-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "name: broken\nedges:\n  - name: e1\nlinks:\n  - endpoints: [e1, nowhere]\n");
        try
        {
            var (exit, output, error) = await SdnCli.RunAsync(NoController, "graph", file, "--dot");

            Assert.Equal(1, exit);
            Assert.Empty(output);
            Assert.Contains($"{file}:5:", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
