using System.CommandLine;
using System.Globalization;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn mirror PORT --to-tap NAME`: a copy of every frame crossing the port on a new TAP device NAME, on the host
/// of the port's edge, for tcpdump or Wireshark to attach to, as ovs-tcpdump's mirror port. It lasts until
/// Ctrl-C or SIGTERM; then the edge removes the device.
/// </summary>
internal static class MirrorCommand
{
    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var port = new Argument<string>("port") { Description = "a VM's or host's port by its name, or EDGE/INTERFACE for an uplink" };
        var tap = new Option<string>("--to-tap") { HelpName = "NAME", Description = "the TAP device to create (up to 15 characters); it must not exist", Required = true };
        var command = new Command("mirror", "Mirror a port of the running fabric onto a new TAP device until Ctrl-C, so tcpdump can attach to it")
        {
            port, tap, controller,
        };
        command.SetAction((parse, cancellationToken) => ControllerClient.RunAsync(parse, controller, async (client, console, stop) =>
        {
            var request = new MirrorRequest { Port = parse.GetRequiredValue(port), TapName = parse.GetRequiredValue(tap) };
            MirrorCounters? last = null;
            await ControllerClient.ReadUntilStoppedAsync(
                client.Mirror(request, cancellationToken: stop),
                async counters =>
                {
                    if (last is null)
                    {
                        await console.Output.WriteLineAsync(
                            $"mirroring {request.Port} (on {counters.Node}) to TAP device {counters.TapName}: `tcpdump -i {counters.TapName}` sees its traffic; Ctrl-C stops").ConfigureAwait(false);
                        await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                    }

                    last = counters;
                },
                stop).ConfigureAwait(false);

            if (last is not null)
            {
                await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{last.Mirrored} frames mirrored, {last.Dropped} dropped")).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken));
        return command;
    }
}
