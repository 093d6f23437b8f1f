using System.CommandLine;
using System.Globalization;
using Sdn.Cli.Output;
using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn capture PORT...`: the packets crossing ports of the running fabric, streamed from their agents through the
/// controller, as tcpdump-style lines or as pcapng to a file, a ring of size-bound files (-C/-W, as tcpdump's) or
/// stdout. Ends after -c packets, after --duration, or on Ctrl-C or SIGTERM, and then says on stderr how many packets
/// it captured and how many were dropped on the way.
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
        var duration = new Option<double>("--duration") { HelpName = "SECONDS", Description = "stop after this long (0: until Ctrl-C)" };
        var fileSize = new Option<uint>("--file-size", "-C") { HelpName = "MB", Description = "with -w FILE: start a new file past this many millions of bytes, keeping a ring of -W files" };
        var fileCount = new Option<uint>("--file-count", "-W") { HelpName = "N", Description = "with -C: how many files the ring keeps (default 2)", DefaultValueFactory = _ => 2 };
        var command = new Command("capture", "Capture the packets crossing ports of the running fabric, like tcpdump")
        {
            ports, filter, write, count, snapLength, direction, duration, fileSize, fileCount, controller,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(duration) is < 0 or double.NaN or double.PositiveInfinity)
            {
                result.AddError("--duration takes a number of seconds, 0 or more");
            }

            if (result.GetResult(fileSize) is { Implicit: false } && result.GetValue(write) is null or "-")
            {
                result.AddError("-C bounds the files of -w FILE; give a file name, not stdout");
            }

            if (result.GetResult(fileCount) is { Implicit: false } given && (result.GetResult(fileSize) is null || given.GetValueOrDefault<uint>() == 0))
            {
                result.AddError("-W N (at least 1) sets how many files of -C MB the ring keeps; give -C too");
            }
        });
        command.SetAction((parse, cancellationToken) => ControllerClient.RunAsync(parse, controller, async (client, console, stop) =>
        {
            var request = new CaptureRequest
            {
                Ports = { parse.GetRequiredValue(ports) },
                Filter = parse.GetValue(filter) ?? "",
                MaxPackets = parse.GetValue(count),
                SnapLength = parse.GetValue(snapLength),
                Direction = parse.GetValue(direction) switch { "in" => Direction.In, "out" => Direction.Out, _ => Direction.Both },
                ReportDrops = true,
            };
            var described = await DescribeAsync(client, request.Ports).ConfigureAwait(false);
            using var output = CapturedPacketOutput.Open(
                parse.GetValue(write),
                described,
                request.SnapLength == 0 ? CaptureOptions.MaxSnapLength : (int)request.SnapLength,
                console.Output,
                parse.GetValue(fileSize) * 1_000_000L,
                (int)parse.GetValue(fileCount));
            using var timeUp = CancellationTokenSource.CreateLinkedTokenSource(stop);
            if (parse.GetValue(duration) > 0)
            {
                timeUp.CancelAfter(TimeSpan.FromSeconds(parse.GetValue(duration)));
            }

            var captured = 0ul;
            var dropped = 0ul;
            var progress = new WorkProgress();
            progress.Report(new ProgressReport("packets captured", 0, request.MaxPackets));
            try
            {
                var reading = ControllerClient.ReadUntilStoppedAsync(
                    client.Capture(request, cancellationToken: timeUp.Token),
                    packet =>
                    {
                        dropped = packet.Dropped;
                        if (packet.OriginalLength != 0)
                        {
                            output.Write(packet);
                            captured++;
                            progress.Report(new ProgressReport("packets captured", (long)captured, request.MaxPackets));
                        }

                        return Task.CompletedTask;
                    },
                    timeUp.Token);
                // Lines on stdout show the capture themselves; a count on stdout is for pcapng going to a file.
                await (parse.GetValue(write) is not (null or "-") ? Terminal.Of(console.Output).ShowProgressAsync(progress, reading) : reading).ConfigureAwait(false);
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
    private static async Task<IReadOnlyList<CapturePort>> DescribeAsync(Controller.ControllerClient client, IEnumerable<string> names)
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
                var port = await client.GetPortAsync(new GetRequest { Name = name }).ConfigureAwait(false);
                var kind = port.Kind == PortKind.Tap ? "TAP port" : "vNIC";
                described.Add(new CapturePort(name, $"{kind} {name} ({port.Ipv4}, {port.Mac}) on edge {port.Edge}"));
            }
        }

        return described;
    }
}
