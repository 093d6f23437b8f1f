using System.CommandLine;
using System.Net;
using Sdn.Cli.Hosting;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;

namespace Sdn.Cli.Commands;

/// <summary>`sdn controller`: serves the northbound gRPC API over the desired state kept in a state directory.</summary>
internal static class ControllerCommand
{
    public static Command Build()
    {
        var listen = ListenOption.Create($"Address and port to serve gRPC on (h2c); use 0.0.0.0:{ControllerServer.DefaultPort} to reach it from other hosts.");
        listen.DefaultValueFactory = _ => new IPEndPoint(IPAddress.Loopback, ControllerServer.DefaultPort);
        var stateDirectory = new Option<string>("--state-dir")
        {
            Description = $"Directory holding the desired state ({StateStore.FileName}).",
            DefaultValueFactory = _ => StateStore.DefaultDirectory,
        };

        var command = new Command("controller", "Run the controller: the northbound gRPC API (sdn.v1.Controller) over a persisted desired state.")
        {
            listen,
            stateDirectory,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = new StateStore(parse.GetRequiredValue(stateDirectory));
            var server = await ControllerServer.StartAsync(parse.GetRequiredValue(listen), new FabricModel(store), cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(
                    $"sdn controller: serving on {server.Address} at state version {server.Model.Version}, state in {store.Path}").ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await StopRequest.WaitAsync(cancellationToken, server.ShutdownRequested).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
