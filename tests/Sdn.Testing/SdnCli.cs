using System.CommandLine;
using Sdn.Cli.Commands;

namespace Sdn.Testing;

/// <summary>Runs the `sdn` command line in this process against a controller, as a user would type it.</summary>
public static class SdnCli
{
    /// <summary>Runs <paramref name="args"/>, stdout and stderr captured together.</summary>
    public static async Task<(int Exit, string Output)> InvokeAsync(Uri controller, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var exit = await RunAsync(controller, output, output, args, CancellationToken.None);
        return (exit, output.ToString());
    }

    /// <summary>Runs <paramref name="args"/>, stdout and stderr captured apart.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(Uri controller, CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var exit = await RunAsync(controller, output, error, args, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    public static Task<(int Exit, string Output, string Error)> RunAsync(Uri controller, params string[] args) => RunAsync(controller, CancellationToken.None, args);

    /// <summary>
    /// Runs <paramref name="args"/> with its stdout and stderr going to the given writers as it writes them, for
    /// commands that last; adds `--controller <paramref name="controller"/>` unless <paramref name="args"/> name one.
    /// </summary>
    public static Task<int> RunAsync(Uri controller, TextWriter output, TextWriter error, string[] args, CancellationToken cancellationToken)
    {
        var config = new InvocationConfiguration { Output = output, Error = error };
        var address = args.Contains("--controller") ? [] : new[] { "--controller", controller.ToString() };
        return SdnCommandLine.Build().Parse([.. args, .. address]).InvokeAsync(config, cancellationToken);
    }
}
