using Sdn.Cli.Commands;

namespace Sdn.Cli.Tests;

public class UpCommandTests
{
    [Fact]
    public void Help_lists_up()
    {
        var output = new StringWriter();

        SdnCommandLine.Build().Parse(["--help"]).Invoke(new System.CommandLine.InvocationConfiguration { Output = output });

        Assert.Matches(@"\n\s+up <file>\s+Run a topology in this process", output.ToString());
    }

    [Fact]
    public void A_bad_file_is_reported_at_its_line_and_column_and_nothing_starts()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sdn-bad-up-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "name: bad\nedges:\n  - name: e1\nvms:\n  - { name: v1, edge: e9, network: t/n, ip: 10.0.0.1 }\n");
        try
        {
            var output = new StringWriter();

            var exit = SdnCommandLine.Build().Parse(["up", path]).Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });

            Assert.Equal(1, exit);
            Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(path)}:5:\d+: .*e9", output.ToString());
            Assert.DoesNotContain("sdn up:", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
