using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Core.Links;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn edge` and `sdn core`: one node of a fabric whose controller runs elsewhere, on this machine, until Ctrl-C or
/// SIGTERM. Its agent announces the underlay address, and the node's links to nodes of other processes run over it.
/// </summary>
internal static class NodeCommand
{
    public static Command Edge() => Create(
        NodeRole.Edge, "edge", "Run one edge on this machine: its switch and agent, and the micro-VMs, namespace hosts and uplinks the controller gives it");

    public static Command Core() => Create(
        NodeRole.Core, "core", "Run one core node on this machine: its label switch and agent, and the links the controller gives it");

    private static Command Create(NodeRole role, string verb, string description)
    {
        var name = new Option<string>("--name") { Description = $"the {verb}'s name in the controller's model", Required = true };
        var controller = ControllerClient.CreateOption();
        var underlay = new Option<IPEndPoint>("--underlay")
        {
            Description = $"this machine's IPv4 address on the underlay, where the node's MPLS-in-UDP links arrive (port {MplsInUdpLink.UdpPort} unless given as IP:PORT)",
            HelpName = "IP[:PORT]",
            Required = true,
            CustomParser = ParseUnderlay,
        };
        var hostPrefix = new Option<string>("--host-prefix")
        {
            Description = "put before each host's name to name its network namespace and TAP device; up to 5 characters",
            DefaultValueFactory = _ => EmbeddedFabricOptions.DefaultNamePrefix,
        };
        hostPrefix.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { Length: > 5 } prefix)
            {
                result.AddError($"--host-prefix '{prefix}' is longer than 5 characters: Linux device names have at most 15, and host names up to 10");
            }
        });
        var detach = new Option<bool>("--detach", "-d") { Description = "Return once the node runs and leave it running in the background; its output goes to a log file" };
        var metrics = MetricsOption.Create();
        var conntrackLimit = ConntrackLimitOption.Create();
        var command = new Command(verb, description) { name, controller, underlay, metrics, detach };
        if (role == NodeRole.Edge)
        {
            command.Options.Add(hostPrefix);
            command.Options.Add(conntrackLimit);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var title = $"sdn {verb} {parse.GetRequiredValue(name)}";
            var address = parse.GetRequiredValue(underlay);
            ClientCredentials credentials;
            try
            {
                credentials = AccessOptions.ClientCredentialsOf(parse, AccessTokenFile.NodeHolder(parse.GetRequiredValue(name)));
                CheckOnThisHost(address);
            }
            catch (Exception e) when (e is AccessTokenFileException or CryptographicException or HostingException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"{title}: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            if (parse.GetValue(detach))
            {
                List<string> again = [verb, "--name", parse.GetRequiredValue(name), "--controller", parse.GetRequiredValue(controller).ToString(), "--underlay", address.ToString()];
                Detached.AddFiles(again, parse, AccessOptions.TokenFile, AccessOptions.Authorities);
                MetricsOption.AddTo(again, parse, metrics);
                if (role == NodeRole.Edge)
                {
                    again.AddRange(hostPrefix.Name, parse.GetValue(hostPrefix)!);
                    ConntrackLimitOption.AddTo(again, parse, conntrackLimit);
                }

                return await Detached.RunAsync(
                    [.. again], title, $"sdn-{verb}-{parse.GetRequiredValue(name)}", (_, _, pid) => $"stop it with `kill {pid}`", output, cancellationToken).ConfigureAwait(false);
            }

            var connection = new NodeConnection(parse.GetRequiredValue(controller), address.ToString(), credentials);
            var options = new EmbeddedFabricOptions
            {
                NamePrefix = parse.GetValue(hostPrefix) ?? EmbeddedFabricOptions.DefaultNamePrefix,
                ConntrackLimit = parse.GetValue(conntrackLimit),
                GuestOutput = (vm, line) => output.WriteLine($"vm {vm}: {line}"),
            };
            LoneNode node;
            try
            {
                node = await LoneNode.StartAsync(role, parse.GetRequiredValue(name), connection, options, parse.GetValue(metrics), cancellationToken).ConfigureAwait(false);
            }
            catch (HostingException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"{title}: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            await using (node.ConfigureAwait(false))
            {
                node.Agent.BatchHandled += (_, ack) => output.WriteLine(ack.Status == 0
                    ? $"{title}: applied version {ack.Version}"
                    : $"{title}: refused version {ack.Version}: {ack.Message}");
                await output.WriteLineAsync(
                    $"{title}: underlay {address}, controller {connection.Controller}{MetricsOption.Serving(node.Metrics)}, running as pid {Environment.ProcessId}; Ctrl-C or SIGTERM stops it").ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await StopRequest.WaitAsync(cancellationToken, CancellationToken.None).ConfigureAwait(false);
                await output.WriteLineAsync($"{title}: stopping").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"{title}: stopped").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static IPEndPoint? ParseUnderlay(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
        {
            return new IPEndPoint(address, MplsInUdpLink.UdpPort);
        }

        if (NodeRules.ParseAddress(text) is { } endPoint)
        {
            return endPoint;
        }

        result.AddError($"'{text}' is not an IPv4 address, or address and port, such as 192.0.2.10 or 192.0.2.10:{MplsInUdpLink.UdpPort}");
        return null;
    }

    /// <exception cref="HostingException">No interface of this host (of its network namespace) has the address; the message lists those that do.</exception>
    private static void CheckOnThisHost(IPEndPoint underlay)
    {
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .ToList();
        if (!IPAddress.IsLoopback(underlay.Address) && !addresses.Contains(underlay.Address))
        {
            throw new HostingException($"underlay {underlay.Address} is not an address of this host; it has {string.Join(", ", addresses)}");
        }
    }
}
