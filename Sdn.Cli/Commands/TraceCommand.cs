using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn trace PORT --packet SPEC`, `sdn trace --external NETWORK --packet SPEC` and `sdn trace --from-pcap FILE
/// [--index N] [PORT | --external NETWORK]`: runs a packet through the pipeline of the port's edge (or of the
/// external network's gateway edge, from its external port) without side effects and shows what it would do, like `ovs-appctl ofproto/trace`.
/// </summary>
internal static class TraceCommand
{
    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var port = new Argument<string?>("port")
        {
            Description = "The model port the packet arrives on; with --from-pcap it defaults to the port the packet was captured on",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var packet = new Option<string>("--packet")
        {
            Description = "The packet: a protocol and fields, such as icmp,nw_dst=10.1.0.12 or udp,nw_dst=10.1.0.12,tp_dst=53 "
                + "(fields left out come from the port: its MAC and address), or hex:FRAME",
        };
        var fromPcap = new Option<FileInfo>("--from-pcap") { Description = "Replay a packet of this pcapng or pcap file" };
        var index = new Option<int>("--index") { Description = "Which packet of --from-pcap, counted from 1 as Wireshark numbers frames", DefaultValueFactory = _ => 1 };
        var ctState = new Option<string>("--ct-state")
        {
            Description = "The ct_state a ct lookup gives: new, est, est|rpl, rel, rel|rpl or inv; left out, what the edge's connection tracker holds now",
        };
        var external = new Option<string>("--external")
        {
            Description = "Trace the packet as it arrives from this external network at its gateway edge, instead of on a port "
                + "(--packet fields left out: from the outside router's address to the gateway's MAC)",
        };
        var json = JsonOption.Create();
        var command = new Command("trace", "Show what an edge's pipeline does with a packet arriving on a port: tables, entries, actions, outputs and labels, and the cache; nothing is sent or counted")
        {
            port,
            external,
            packet,
            fromPcap,
            index,
            ctState,
            json,
            controller,
        };
        command.Validators.Add(result =>
        {
            var (hasPacket, hasPcap) = (result.GetResult(packet) is not null, result.GetResult(fromPcap) is not null);
            if (hasPacket == hasPcap)
            {
                result.AddError("give the packet with either --packet SPEC or --from-pcap FILE");
            }
            else if (result.GetResult(external) is not null && result.GetValue(port) is not null)
            {
                result.AddError("the packet arrives on a port or from --external NETWORK, not both");
            }
            else if (hasPacket && result.GetValue(port) is null && result.GetResult(external) is null)
            {
                result.AddError("name the port the packet arrives on: sdn trace PORT --packet SPEC (or sdn trace --external NETWORK --packet SPEC)");
            }

            if (result.GetResult(index) is { Implicit: false } given)
            {
                if (!hasPcap)
                {
                    result.AddError("--index picks a packet of --from-pcap FILE");
                }
                else if (given.GetValueOrDefault<int>() < 1)
                {
                    result.AddError($"--index {given.GetValueOrDefault<int>()} is no packet number; the first packet is 1");
                }
            }
        });
        command.SetAction((parse, _) => ControllerClient.RunAsync(parse, controller, async (client, output) =>
        {
            var request = new TraceRequest { CtState = parse.GetValue(ctState) ?? string.Empty };
            byte[] frame;
            string arrivesOn;
            if (parse.GetValue(external) is { } network)
            {
                frame = parse.GetValue(fromPcap) is { } capture
                    ? (await FromCaptureAsync(client, capture, parse.GetValue(index), network).ConfigureAwait(false)).Frame
                    : PacketSpec.Parse(parse.GetRequiredValue(packet)).BuildFromOutside(await client.GetExternalNetworkAsync(new GetRequest { Name = network }).ConfigureAwait(false));
                (request.External, arrivesOn) = (network, $"external network {network}");
            }
            else
            {
                (request.Port, frame) = parse.GetValue(fromPcap) is { } file
                    ? await FromCaptureAsync(client, file, parse.GetValue(index), parse.GetValue(port)).ConfigureAwait(false)
                    : await FromSpecAsync(client, PacketSpec.Parse(parse.GetRequiredValue(packet)), parse.GetValue(port)!).ConfigureAwait(false);
                arrivesOn = request.Port;
            }

            request.Packet = ByteString.CopyFrom(frame);
            var result = await client.TraceAsync(request, deadline: ControllerClient.DiagnosticDeadline()).ConfigureAwait(false);
            await output.WriteAsync(parse.GetValue(json) ? JsonFormatter.Default.Format(result) + Environment.NewLine : TraceText.Render(arrivesOn, frame, result)).ConfigureAwait(false);
        }));
        return command;
    }

    private static async Task<(string Port, byte[] Frame)> FromSpecAsync(Controller.ControllerClient client, PacketSpec spec, string portName)
    {
        var port = await client.GetPortAsync(new GetRequest { Name = portName }).ConfigureAwait(false);
        var network = await client.GetNetworkAsync(new GetRequest { Name = port.Network }).ConfigureAwait(false);
        var ports = await client.ListPortsAsync(new ListRequest()).ConfigureAwait(false);
        return (port.Name, spec.Build(port, network, ports.Items));
    }

    /// <summary>The <paramref name="index"/>-th packet of the file, and the port it arrives on: the one given, else the one it was captured on.</summary>
    private static async Task<(string Port, byte[] Frame)> FromCaptureAsync(Controller.ControllerClient client, FileInfo file, int index, string? portName)
    {
        IReadOnlyList<CaptureFileRecord> records;
        try
        {
            records = CaptureFileReader.Read(file.FullName);
        }
        catch (CaptureFileException e)
        {
            throw new CommandException(e.Message, e);
        }

        if (index > records.Count)
        {
            throw new CommandException($"{file.FullName}: --index {index} is out of range; the file holds {records.Count} packet(s)");
        }

        var record = records[index - 1];
        if (record.LinkType != LinkType.Ethernet)
        {
            throw new CommandException($"{file.FullName}: packet {index} is not an Ethernet frame (link type {record.LinkType}); only Ethernet frames arrive on ports");
        }

        return (portName ?? await CapturedOnAsync(client, file, index, record.Interface).ConfigureAwait(false), record.Bytes);
    }

    /// <summary>The model port an interface name of the file names: the port itself, or "edge/port" for a port of that edge.</summary>
    private static async Task<string> CapturedOnAsync(Controller.ControllerClient client, FileInfo file, int index, string capturedOn)
    {
        var refusal = $"{file.FullName}: packet {index} was captured on {(capturedOn.Length == 0 ? "an interface the file does not name" : $"'{capturedOn}', which is no port of the model")}; "
            + $"name the port it arrives on: sdn trace PORT --from-pcap {file.FullName}";
        var slash = capturedOn.LastIndexOf('/');
        var (edge, name) = slash < 0 ? (null, capturedOn) : (capturedOn[..slash], capturedOn[(slash + 1)..]);
        if (name.Length == 0)
        {
            throw new CommandException(refusal);
        }

        try
        {
            var port = await client.GetPortAsync(new GetRequest { Name = name }).ConfigureAwait(false);
            return edge is null || port.Edge == edge ? port.Name : throw new CommandException(refusal);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new CommandException(refusal, e);
        }
    }
}
