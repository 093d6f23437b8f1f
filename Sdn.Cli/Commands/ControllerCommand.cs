using System.CommandLine;
using System.Net;
using Sdn.Cli.Hosting;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn controller`: serves the northbound gRPC API over the desired state kept in a state directory, to whoever holds
/// a token of `--token-file` when one is given, over TLS when `--tls-cert` and `--tls-key` are.
/// </summary>
internal static class ControllerCommand
{
    public static Command Build()
    {
        var listen = ListenOption.Create($"Address and port to serve gRPC on; to reach it from other hosts (0.0.0.0:{ControllerServer.DefaultPort}), give tokens, TLS or --insecure.");
        listen.DefaultValueFactory = _ => new IPEndPoint(IPAddress.Loopback, ControllerServer.DefaultPort);
        var stateDirectory = new Option<string>("--state-dir")
        {
            Description = $"Directory holding the desired state ({StateStore.FileName}).",
            DefaultValueFactory = _ => StateStore.DefaultDirectory,
        };
        var certificate = new Option<FileInfo?>("--tls-cert") { Description = "PEM certificate to serve TLS with (https://); needs --tls-key." };
        var key = new Option<FileInfo?>("--tls-key") { Description = "PEM private key of --tls-cert." };
        var insecure = new Option<bool>("--insecure") { Description = "Serve an address other hosts can reach with neither tokens nor TLS." };
        var detach = new Option<bool>("--detach", "-d") { Description = "Return once the controller serves, and leave it running in the background; its output goes to a log file" };
        var metrics = MetricsOption.Create();

        var command = new Command("controller", "Run the controller: the northbound gRPC API (sdn.v1.Controller) over a persisted desired state.")
        {
            listen,
            stateDirectory,
            AccessOptions.TokenFile,
            certificate,
            key,
            insecure,
            metrics,
            detach,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(certificate) is null) != (result.GetValue(key) is null))
            {
                result.AddError("--tls-cert and --tls-key go together: the certificate and its private key");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(detach))
            {
                List<string> again = ["controller", "--listen", parse.GetRequiredValue(listen).ToString(), "--state-dir", Path.GetFullPath(parse.GetRequiredValue(stateDirectory))];
                Detached.AddFiles(again, parse, AccessOptions.TokenFile, certificate, key);
                MetricsOption.AddTo(again, parse, metrics);
                if (parse.GetValue(insecure))
                {
                    again.Add(insecure.Name);
                }

                return await Detached.RunAsync(
                    [.. again], "sdn controller", "sdn-controller", (_, _, pid) => $"stop it with `sdn down` or `kill {pid}`", parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            }

            ControllerServer server;
            var store = new StateStore(parse.GetRequiredValue(stateDirectory));
            try
            {
                var tokens = parse.GetValue(AccessOptions.TokenFile) is { } tokenFile ? AccessTokenFile.Load(tokenFile.FullName) : null;
                var tls = parse.GetValue(certificate) is { } certificateFile ? ControllerAccess.LoadCertificate(certificateFile.FullName, parse.GetValue(key)!.FullName) : null;
                var access = new ControllerAccess(tokens, tls, parse.GetValue(insecure));
                server = await ControllerServer.StartAsync(
                    parse.GetRequiredValue(listen), new FabricModel(store), access: access, metrics: parse.GetValue(metrics), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AccessTokenFileException or HostingException or IOException or InvalidDataException)
            {
                await error.WriteLineAsync($"sdn controller: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            await using (server.ConfigureAwait(false))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(
                    $"sdn controller: serving on {server.Address} at state version {server.Model.Version}, state in {store.Path}{MetricsOption.Serving(server.Metrics)}; running as pid {Environment.ProcessId}").ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await StopRequest.WaitAsync(cancellationToken, server.ShutdownRequested).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
