using System.CommandLine;
using System.Globalization;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn ping A B`: ICMP echo from endpoint A to endpoint B (VMs or Linux hosts of the topology), sent by A's edge as
/// if A had sent it and timed there. Prints a line per reply and ping's summary; exits 0 only when every request
/// was answered, so a ping between tenants, which must time out, exits 1.
/// </summary>
internal static class PingCommand
{
    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var source = new Argument<string>("source") { Description = "the VM or host the requests come from" };
        var destination = new Argument<string>("destination") { Description = "the VM or host they go to" };
        var count = new Option<uint>("--count", "-c") { HelpName = "N", Description = "how many requests", DefaultValueFactory = _ => 4 };
        var interval = new Option<double>("--interval", "-i") { HelpName = "SECONDS", Description = "seconds between requests (at least 0.001)", DefaultValueFactory = _ => 1 };
        var timeout = new Option<double>("--timeout", "-W") { HelpName = "SECONDS", Description = "seconds to wait for the last replies", DefaultValueFactory = _ => 1 };
        var ipv6 = new Option<bool>("-6") { Description = "ICMPv6 echo between the endpoints' IPv6 addresses" };
        var command = new Command("ping", "Ping one endpoint of the running fabric from another, from the source's edge")
        {
            source, destination, count, interval, timeout, ipv6, controller,
        };
        command.SetAction((parse, cancellationToken) => ControllerClient.RunAsync(parse, controller, async (client, console, stop) =>
        {
            var request = new PingRequest
            {
                Source = parse.GetRequiredValue(source),
                Destination = parse.GetRequiredValue(destination),
                Count = parse.GetValue(count),
                IntervalMs = Milliseconds(parse.GetValue(interval)),
                TimeoutMs = Milliseconds(parse.GetValue(timeout)),
                Ipv6 = parse.GetValue(ipv6),
            };
            await client.GetPortAsync(new GetRequest { Name = request.Source }, cancellationToken: stop).ConfigureAwait(false);
            var target = await client.GetPortAsync(new GetRequest { Name = request.Destination }, cancellationToken: stop).ConfigureAwait(false);
            var output = console.Output;
            var rtts = new List<double>();
            var transmitted = 0;
            await ControllerClient.ReadUntilStoppedAsync(
                client.Ping(request, cancellationToken: stop),
                async echo =>
                {
                    // Only once the controller has taken the request: a refused ping prints its reason alone.
                    if (transmitted++ == 0)
                    {
                        await output.WriteLineAsync($"PING {request.Destination} ({(request.Ipv6 ? target.Ipv6 : target.Ipv4)}) from {request.Source}: 56 data bytes").ConfigureAwait(false);
                    }

                    if (echo.Replied)
                    {
                        var milliseconds = echo.RttNs / 1e6;
                        rtts.Add(milliseconds);
                        await output.WriteLineAsync(string.Create(
                            CultureInfo.InvariantCulture,
                            $"{echo.Bytes} bytes from {(request.Ipv6 ? echo.DestinationIpv6 : echo.DestinationIpv4)}: icmp_seq={echo.Sequence} ttl={echo.Ttl} time={milliseconds:0.###} ms")).ConfigureAwait(false);
                    }
                },
                stop).ConfigureAwait(false);

            var loss = transmitted == 0 ? 100 : 100.0 * (transmitted - rtts.Count) / transmitted;
            await output.WriteLineAsync($"{Environment.NewLine}--- {request.Destination} ping statistics ---").ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{transmitted} packets transmitted, {rtts.Count} received, {loss:0.#}% packet loss")).ConfigureAwait(false);
            if (rtts.Count > 0)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"rtt min/avg/max = {rtts.Min():0.###}/{rtts.Average():0.###}/{rtts.Max():0.###} ms")).ConfigureAwait(false);
            }

            return transmitted > 0 && rtts.Count == transmitted ? 0 : 1;
        }, cancellationToken));
        return command;
    }

    private static uint Milliseconds(double seconds) => (uint)Math.Clamp(Math.Round(seconds * 1000), 0, uint.MaxValue);
}
