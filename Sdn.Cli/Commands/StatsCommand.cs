using System.CommandLine;
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn stats [NODE] [--watch]`: the counters the nodes report, as tables; with --watch, refreshed every second with
/// rates per second until Ctrl-C, in place on a terminal and as successive snapshots otherwise.
/// </summary>
internal static class StatsCommand
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var node = new Argument<string>("node") { Description = "only this node, as `sdn status` lists it", Arity = ArgumentArity.ZeroOrOne };
        var json = JsonOption.Create();
        var watch = new Option<bool>("--watch", "-w") { Description = "Refresh every second, with rates per second, until Ctrl-C" };
        var command = new Command("stats", "Show the nodes' counters: agents, ports, flow cache tiers, label switching and drops by reason")
        {
            node,
            json,
            watch,
            controller,
        };
        command.SetAction((parse, cancellationToken) => ControllerClient.RunAsync(
            parse,
            controller,
            async (client, console, stop) =>
            {
                var request = new StatsRequest { Node = parse.GetValue(node) ?? "" };
                var output = console.Output;
                if (!parse.GetValue(watch))
                {
                    var stats = await client.GetStatsAsync(request, cancellationToken: stop).ConfigureAwait(false);
                    await output.WriteAsync(parse.GetValue(json) ? JsonFormatter.Default.Format(stats) + Environment.NewLine : StatsText.Render(stats)).ConfigureAwait(false);
                    return 0;
                }

                try
                {
                    await WatchAsync(client, request, parse.GetValue(json), output, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
                {
                    // Stopped by the user, as `top` is.
                }

                return 0;
            },
            cancellationToken));
        return command;
    }

    private static async Task WatchAsync(Controller.ControllerClient client, StatsRequest request, bool json, TextWriter output, CancellationToken stop)
    {
        var inPlace = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        StatsReply? before = null;
        var taken = 0L;
        while (true)
        {
            var stats = await client.GetStatsAsync(request, cancellationToken: stop).ConfigureAwait(false);
            var now = Stopwatch.GetTimestamp();
            var text = json
                ? JsonFormatter.Default.Format(stats) + Environment.NewLine
                : $"{DateTime.Now:HH:mm:ss}{Environment.NewLine}{StatsText.Render(stats, before, before is null ? 0 : Stopwatch.GetElapsedTime(taken, now).TotalSeconds)}";
            // On a terminal each refresh replaces the last (cursor home, clear screen); elsewhere snapshots follow one another.
            await output.WriteAsync(inPlace ? "\e[H\e[2J" + text : (before is null || json ? "" : Environment.NewLine) + text).ConfigureAwait(false);
            await output.FlushAsync(stop).ConfigureAwait(false);
            (before, taken) = (stats, now);
            await Task.Delay(Interval, stop).ConfigureAwait(false);
        }
    }
}
