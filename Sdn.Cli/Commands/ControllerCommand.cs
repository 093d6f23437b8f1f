using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using Grpc.Core;
using Sdn.Cli.Hosting;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Etcd;
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
        var store = new Option<EtcdAddress?>("--store")
        {
            Description = "Keep the desired state in an etcd cluster instead of --state-dir, shared with other controllers that elect a leader: etcd://HOST:PORT[,HOST:PORT...].",
            CustomParser = ParseStore,
        };
        var advertise = new Option<Uri?>("--advertise")
        {
            Description = "With --store: the address agents and clients reach this controller at, which followers name when they send agents to the leader; the --listen address by default.",
            CustomParser = result => Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : RefuseAdvertise(result),
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
            store,
            advertise,
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

            if (result.GetResult(store) is not null && result.GetResult(stateDirectory) is { Implicit: false })
            {
                result.AddError("--store and --state-dir name two places for the desired state: give one");
            }

            if (result.GetResult(advertise) is not null && result.GetResult(store) is null)
            {
                result.AddError("--advertise is for controllers that share an etcd --store: a lone controller names no leader");
            }

            if (result.GetResult(store) is not null && result.GetResult(advertise) is null && result.GetValue(listen) is { } endpoint
                && (endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any)))
            {
                result.AddError($"with --store and --listen {endpoint}, give --advertise http://ADDRESS:{endpoint.Port}: the address other hosts reach this controller at, which followers name as the leader's");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(detach))
            {
                List<string> again = ["controller", "--listen", parse.GetRequiredValue(listen).ToString()];
                if (parse.GetValue(store) is { } etcd)
                {
                    again.AddRange(["--store", etcd.Text]);
                    if (parse.GetValue(advertise) is { } advertised)
                    {
                        again.AddRange(["--advertise", advertised.ToString()]);
                    }
                }
                else
                {
                    again.AddRange(["--state-dir", Path.GetFullPath(parse.GetRequiredValue(stateDirectory))]);
                }

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
            var cluster = parse.GetValue(store) is { } etcdAddress ? new ControllerCluster(etcdAddress) : null;
            if (cluster is not null)
            {
                // Each write holds a pool thread while etcd commits it; enough spare threads keep the leader's lease
                // renewals, due every 200 ms, from waiting behind a burst of writes.
                ThreadPool.GetMinThreads(out var workers, out var completions);
                ThreadPool.SetMinThreads(Math.Max(workers, 32), completions);
            }

            var files = cluster is null ? new StateStore(parse.GetRequiredValue(stateDirectory)) : null;
            try
            {
                var tokens = parse.GetValue(AccessOptions.TokenFile) is { } tokenFile ? AccessTokenFile.Load(tokenFile.FullName) : null;
                var tls = parse.GetValue(certificate) is { } certificateFile ? ControllerAccess.LoadCertificate(certificateFile.FullName, parse.GetValue(key)!.FullName) : null;
                var access = new ControllerAccess(tokens, tls, parse.GetValue(insecure));
                server = await ControllerServer.StartAsync(
                    parse.GetRequiredValue(listen),
                    new FabricModel(cluster?.Store ?? files),
                    access: access,
                    metrics: parse.GetValue(metrics),
                    cluster: cluster,
                    advertise: parse.GetValue(advertise),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AccessTokenFileException or HostingException or IOException or InvalidDataException or RpcException)
            {
                if (cluster is not null)
                {
                    await cluster.DisposeAsync().ConfigureAwait(false);
                }

                await error.WriteLineAsync($"sdn controller: {(e is RpcException rpc ? rpc.Status.Detail : e.Message)}").ConfigureAwait(false);
                return 1;
            }

            var stateIn = cluster is null ? files!.Path : $"{cluster.Address}, shared with the controllers that elect a leader there";
            await using (server.ConfigureAwait(false))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(
                    $"sdn controller: serving on {server.Address} at state version {server.Model.Version}, state in {stateIn}{MetricsOption.Serving(server.Metrics)}; running as pid {Environment.ProcessId}").ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await StopRequest.WaitAsync(cancellationToken, server.ShutdownRequested).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static EtcdAddress? ParseStore(ArgumentResult result)
    {
        try
        {
            return EtcdAddress.Parse(result.Tokens.Single().Value);
        }
        catch (FormatException e)
        {
            result.AddError($"--store: {e.Message}");
            return null;
        }
    }

    private static Uri? RefuseAdvertise(ArgumentResult result)
    {
        result.AddError($"--advertise: '{result.Tokens.Single().Value}' is not a controller address such as http://10.0.0.1:{ControllerServer.DefaultPort}");
        return null;
    }
}
