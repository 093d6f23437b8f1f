using System.CommandLine;
using System.Text.RegularExpressions;
using Sdn.Cli.Hosting;
using Sdn.Cli.Output;
using Sdn.Common.Interop;
using Sdn.Fabric.Controller.Topology;
using Sdn.Fabric.Edge.Tap;
using Sdn.Vmm;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn up FILE`: runs a whole topology in this process (the embedded default), prints what runs where,
/// and stays in the foreground until Ctrl-C, SIGTERM or `sdn down`, then tears it all down.
/// </summary>
internal static partial class UpCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "the topology YAML file" };
        var listen = ListenOption.Create("Serve the controller here instead of at the topology's controller.listen (port 0: any free port).");
        var insecure = new Option<bool>("--insecure") { Description = "Let the controller serve an address other hosts can reach (it takes no tokens and no TLS)" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Return once the fabric is up and leave it running in the background; its output goes to a log file" };
        var metrics = MetricsOption.Create();
        var conntrackLimit = ConntrackLimitOption.Create();
        var command = new Command(
            "up",
            "Run a topology in this process: the controller, every edge and core node, a micro-VM per VM and a namespace per host; Ctrl-C tears it down")
        {
            file,
            listen,
            insecure,
            metrics,
            conntrackLimit,
            detach,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            TopologyDefinition topology;
            try
            {
                topology = TopologyFile.Load(parse.GetValue(file)!.FullName);
            }
            catch (TopologyFileException e)
            {
                foreach (var problem in e.Errors)
                {
                    await error.WriteLineAsync(problem.ToString()).ConfigureAwait(false);
                }

                return 1;
            }

            if (parse.GetValue(detach))
            {
                List<string> again = ["up", parse.GetValue(file)!.FullName];
                if (parse.GetValue(listen) is { } endpoint)
                {
                    again.AddRange("--listen", endpoint.ToString());
                }

                if (parse.GetValue(insecure))
                {
                    again.Add("--insecure");
                }

                MetricsOption.AddTo(again, parse, metrics);
                ConntrackLimitOption.AddTo(again, parse, conntrackLimit);

                return await Detached.RunAsync(
                    [.. again],
                    "sdn up",
                    $"sdn-up-{topology.Name}",
                    (text, _, pid) => $"tear it down with `sdn down --controller {ServingOn().Match(text).Groups[1].Value}` or `kill {pid}`",
                    output,
                    cancellationToken).ConfigureAwait(false);
            }

            EmbeddedFabric fabric;
            var terminal = Terminal.Of(output);
            try
            {
                var stages = new WorkProgress();
                var options = new EmbeddedFabricOptions
                {
                    Listen = parse.GetValue(listen),
                    Insecure = parse.GetValue(insecure),
                    Metrics = parse.GetValue(metrics),
                    ConntrackLimit = parse.GetValue(conntrackLimit),
                    Progress = line => terminal.WriteLine($"sdn up: {line}"),
                    Stages = stages,
                    GuestOutput = (vm, line) => terminal.WriteLine($"vm {vm}: {line}"),
                };
                fabric = await terminal.ShowProgressAsync(stages, EmbeddedFabric.StartAsync(topology, options, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VmmException or HostingException or ExternalCommandException or TapException or IOException)
            {
                await error.WriteLineAsync($"sdn up: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (OperationCanceledException)
            {
                return 130;
            }

            var tornDown = false;
            try
            {
                await output.WriteLineAsync().ConfigureAwait(false);
                await output.WriteAsync(FabricSummary.Render(fabric)).ConfigureAwait(false);
                if (fabric.Metrics is { } served)
                {
                    await output.WriteLineAsync($"{Environment.NewLine}sdn up: metrics on {served.Address}").ConfigureAwait(false);
                }

                await output.WriteLineAsync($"{Environment.NewLine}sdn up: running as pid {Environment.ProcessId}; press Ctrl-C or run `sdn down` to tear it down").ConfigureAwait(false);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                await StopRequest.WaitAsync(cancellationToken, fabric.ShutdownRequested).ConfigureAwait(false);
                await output.WriteLineAsync("sdn up: tearing down").ConfigureAwait(false);
            }
            finally
            {
                tornDown = await TearDownAsync(fabric, error).ConfigureAwait(false);
            }

            await output.WriteLineAsync(tornDown ? "sdn up: down" : "sdn up: down, but not everything could be torn down (see above)").ConfigureAwait(false);
            return tornDown ? 0 : 1;
        });
        return command;
    }

    /// <summary>Tears the fabric down; every step runs, and each that fails is one line on <paramref name="error"/> and makes it false.</summary>
    private static async Task<bool> TearDownAsync(EmbeddedFabric fabric, TextWriter error)
    {
        try
        {
            await fabric.DisposeAsync().ConfigureAwait(false);
            return true;
        }
        catch (AggregateException failed)
        {
            foreach (var failure in failed.InnerExceptions)
            {
                await error.WriteLineAsync($"sdn up: tearing down: {failure.GetType().Name}: {failure.Message}").ConfigureAwait(false);
            }

            return false;
        }
    }

    [GeneratedRegex(@"sdn up: controller: serving on (\S+),")]
    private static partial Regex ServingOn();
}
