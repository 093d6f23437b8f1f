using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn down`: asks the controller's process (`sdn up`, in the foreground or detached, or `sdn controller`) to stop
/// as SIGTERM would, then waits until its port stops answering, and on this host until the process is gone, so
/// that the next `sdn up` can start at once.
/// </summary>
internal static class DownCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the fabric to be gone", DefaultValueFactory = _ => 60 };
        var command = new Command("down", "Tear down the running fabric: stop its VMs, remove its TAP devices and namespaces, and wait until its controller is gone")
        {
            timeout,
            controller,
        };
        command.SetAction((parse, cancellationToken) => ControllerClient.RunAsync(parse, controller, async (client, output) =>
        {
            var reply = await client.ShutdownAsync(new ShutdownRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
            var address = parse.GetRequiredValue(controller).Current;
            await output.WriteLineAsync($"sdn down: pid {reply.Pid} is tearing down the fabric at {address}").ConfigureAwait(false);
            var limit = TimeSpan.FromSeconds(parse.GetValue(timeout));
            var clock = Stopwatch.StartNew();
            while (await AnswersAsync(address, cancellationToken).ConfigureAwait(false) || (IsLocal(address) && IsRunning(reply.Pid)))
            {
                if (clock.Elapsed > limit)
                {
                    throw new CommandException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"the fabric at {address} is still not down after {limit.TotalSeconds:F0} s; pid {reply.Pid} may still be tearing down (see its log), or stop it with `kill {reply.Pid}`"));
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"sdn down: down in {clock.ElapsedMilliseconds} ms").ConfigureAwait(false);
        }));
        return command;
    }

    private static async Task<bool> AnswersAsync(Uri address, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address.Host, address.Port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool IsLocal(Uri address) => address.IsLoopback || (IPAddress.TryParse(address.Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Whether the process exists and is not a zombie (a detached `sdn up` may wait for a reaper that never comes).</summary>
    private static bool IsRunning(uint pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() != 'Z';
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }
}
