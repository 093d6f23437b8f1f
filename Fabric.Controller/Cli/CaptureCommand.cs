using System.CommandLine;
using System.Globalization;
using Sdn.Fabric.Core.Capture;
using Sdn.Fabric.Core.Protos;
using Sdn.Fabric.Core.Rpc;

namespace Sdn.Fabric.Controller.Cli;

/// <summary>
/// `sdn capture PORT...`: the packets crossing ports of the running fabric, streamed from their agents through the
/// controller, as tcpdump-style lines or as pcapng to a file or stdout. Ends after -c packets, or on Ctrl-C or
/// SIGTERM, and then says on stderr how many packets it captured and how many were dropped on the way.
/// </summary>
internal static class CaptureCommand
{
    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var ports = new Argument<string[]>("port")
        {
            Description = "what to capture: a VM's or host's port by its name, or NODE/INTERFACE for an edge uplink or a core link end",
            Arity = ArgumentArity.OneOrMore,
        };
        var filter = new Option<string>("--filter", "-f") { HelpName = "FILTER", Description = "a tcpdump filter expression, compiled by libpcap", DefaultValueFactory = _ => "" };
        var write = new Option<string?>("--write", "-w") { HelpName = "FILE|-", Description = "write pcapng to FILE instead of printing lines; - writes it to stdout (for `| wireshark -k -i -`)" };
        var count = new Option<uint>("--count", "-c") { HelpName = "N", Description = "stop after this many packets (0: until Ctrl-C)" };
        var snapLength = new Option<uint>("--snaplen", "-s") { HelpName = "SNAPLEN", Description = "bytes kept of each packet (0: all)" };
        var direction = new Option<string>("--direction") { Description = "in, out or both", DefaultValueFactory = _ => "both" };
        direction.AcceptOnlyFromAmong("in", "out", "both");
        var command = new Command("capture", "Capture the packets crossing ports of the running fabric, like tcpdump")
        {
            ports, filter, write, count, snapLength, direction, controller,
        };
        command.SetAction((parse, cancellationToken) => ControllerClient.RunAsync(parse, controller, async (channel, console, stop) =>
        {
            var request = new CaptureRequest
            {
                Ports = { parse.GetRequiredValue(ports) },
                Filter = parse.GetValue(filter) ?? "",
                MaxPackets = parse.GetValue(count),
                SnapLength = parse.GetValue(snapLength),
                Direction = parse.GetValue(direction) switch { "in" => Direction.In, "out" => Direction.Out, _ => Direction.Both },
            };
            var described = await DescribeAsync(channel, request.Ports).ConfigureAwait(false);
            using var output = CapturedPacketOutput.Open(parse.GetValue(write), described, request.SnapLength == 0 ? CaptureOptions.MaxSnapLength : (int)request.SnapLength, console.Output);
            var captured = 0ul;
            var dropped = 0ul;
            try
            {
                await ControllerClient.ReadUntilStoppedAsync(
                    channel.ServerStreamingAsync(ControllerMethods.Capture, request, cancellationToken: stop),
                    packet =>
                    {
                        output.Write(packet);
                        captured++;
                        dropped = packet.Dropped;
                        return Task.CompletedTask;
                    },
                    stop).ConfigureAwait(false);
            }
            catch (IOException) when (parse.GetValue(write) == "-")
            {
                // The reader of the pipe (tshark -c, head) has gone: nothing is left to write to.
            }

            await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{captured} packets captured, {dropped} dropped")).ConfigureAwait(false);
            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>Each port as the pcapng interface blocks name and describe it; the controller refuses an unknown one.</summary>
    private static async Task<IReadOnlyList<CapturePort>> DescribeAsync(RpcChannel channel, IEnumerable<string> names)
    {
        var described = new List<CapturePort>();
        foreach (var name in names)
        {
            if (name.Split('/') is [var node, var link])
            {
                described.Add(new CapturePort(name, $"interface {link} of node {node}"));
            }
            else
            {
                var port = await channel.UnaryAsync(ControllerMethods.GetPort, new GetRequest { Name = name }).ConfigureAwait(false);
                var kind = port.Kind == PortKind.Tap ? "TAP port" : "vNIC";
                described.Add(new CapturePort(name, $"{kind} {name} ({port.Ipv4}, {port.Mac}) on edge {port.Edge}"));
            }
        }

        return described;
    }
}
