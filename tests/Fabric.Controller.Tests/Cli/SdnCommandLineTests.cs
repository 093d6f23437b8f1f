using Sdn.Fabric.Controller.Cli;

namespace Sdn.Fabric.Controller.Tests.Cli;

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

    private static (int Exit, string Output) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var config = new System.CommandLine.InvocationConfiguration { Output = output, Error = output };
        var exit = SdnCommandLine.Build().Parse(args).Invoke(config);
        return (exit, output.ToString());
    }
}
