using System.CommandLine;
using Sdn.Fabric.Controller.Cli;

namespace Sdn.EndToEnd.Support;

/// <summary>The `sdn` command line run in this process against a running fabric's controller, as a user would type it.</summary>
internal static class SdnCli
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(Uri controller, CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var config = new InvocationConfiguration { Output = output, Error = error };
        var exit = await SdnCommandLine.Build().Parse([.. args, "--controller", controller.ToString()]).InvokeAsync(config, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    public static Task<(int Exit, string Output, string Error)> RunAsync(Uri controller, params string[] args) => RunAsync(controller, CancellationToken.None, args);
}
