using Sdn.Fabric.Controller.Cli;

namespace Sdn.Fabric.Controller.Tests.Cli;

/// <summary>Runs the `sdn` command line in this process against a controller, capturing stdout and stderr together.</summary>
internal static class SdnCli
{
    /// <summary>Runs <paramref name="args"/> with `--controller <paramref name="controller"/>` added unless they name one.</summary>
    public static async Task<(int Exit, string Output)> InvokeAsync(Uri controller, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var config = new System.CommandLine.InvocationConfiguration { Output = output, Error = output };
        var address = args.Contains("--controller") ? [] : new[] { "--controller", controller.ToString() };
        var exit = await SdnCommandLine.Build().Parse([.. args, .. address]).InvokeAsync(config);
        return (exit, output.ToString());
    }
}
