using Sdn.Cli.Commands;

namespace Sdn.Cli.Tests;

public class SdnCommandLineTests
{
    [Fact]
    public void Version_prints_the_product_version()
    {
        // --version reports the entry assembly, so run the real `sdn` binary rather than the test host.
        var sdnDll = Path.Combine(AppContext.BaseDirectory, "sdn.dll");
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", [sdnDll, "--version"])
        {
            RedirectStandardOutput = true,
        })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        Assert.StartsWith(typeof(SdnCommandLine).Assembly.GetName().Version!.ToString(3), output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Help_describes_the_fabric()
    {
        var (exit, output) = Invoke("--help");

        Assert.Equal(0, exit);
        Assert.Contains("software-defined networking fabric", output, StringComparison.Ordinal);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_command_fails_with_an_error()
    {
        var (exit, _) = Invoke("no-such-command");

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void Validate_accepts_the_quickstart_topology()
    {
        var (exit, output) = Invoke("validate", RepositoryRoot.Combine("topologies", "quickstart.yaml"));

        Assert.Equal(0, exit);
        Assert.Contains("topology 'quickstart' is valid: 2 edges, 2 core nodes, 4 links, 4 VMs, 1 hosts", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_reports_each_problem_with_file_line_and_column_and_fails()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sdn-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "name: bad\nedges:\n  - name: e1\n    colour: red\n");
        try
        {
            var (exit, output) = Invoke("validate", path);

            Assert.Equal(1, exit);
            Assert.Contains($"{path}:4:5: unknown key 'colour' in an edge", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (int Exit, string Output) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var config = new System.CommandLine.InvocationConfiguration { Output = output, Error = output };
        var exit = SdnCommandLine.Build().Parse(args).Invoke(config);
        return (exit, output.ToString());
    }
}
