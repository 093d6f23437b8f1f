using System.CommandLine;
using System.Security.Cryptography;
using Grpc.Core;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.Cli.Commands;

/// <summary>
/// What every command that talks to a running controller shares: the `--controller` option and the call
/// itself, whose gRPC failure or unusable input becomes one line on stderr and exit code 1.
/// </summary>
internal static class ControllerClient
{
    public const string OptionName = "--controller";

    /// <summary>How long a call that followers refuse is tried again: a dead leader's lease runs out and another is elected well within it.</summary>
    public static readonly TimeSpan LeaderWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LeaderPoll = TimeSpan.FromMilliseconds(100);

    public static Option<ControllerAddresses> CreateOption() => new(OptionName)
    {
        Description = "The controller's gRPC address: the `controller.listen` of the topology `sdn up` runs, or where `sdn controller` serves; "
            + "for controllers that share an etcd store, each of them (URL,URL,... or the option repeated), tried in turn.",
        Arity = ArgumentArity.OneOrMore,
        DefaultValueFactory = _ => ControllerAddresses.FromUri(new Uri($"http://127.0.0.1:{ControllerServer.DefaultPort}")),
        CustomParser = Parse,
    };

    private static ControllerAddresses? Parse(System.CommandLine.Parsing.ArgumentResult result)
    {
        var addresses = ControllerAddresses.Parse(result.Tokens.Select(t => t.Value), out var error);
        if (addresses is null)
        {
            result.AddError(error!);
        }

        return addresses;
    }

    /// <summary>
    /// When a call that the controller forwards to a node agent (a trace, a flow dump) must be answered: an agent
    /// that never answers ends the call with DEADLINE_EXCEEDED instead of leaving the command hanging.
    /// </summary>
    public static DateTime DiagnosticDeadline() => DateTime.UtcNow.AddSeconds(30);

    /// <summary>Runs <paramref name="call"/> against the controller <paramref name="controller"/> names; returns the exit code.</summary>
    public static Task<int> RunAsync(ParseResult parse, Option<ControllerAddresses> controller, Func<Controller.ControllerClient, TextWriter, Task> call) =>
        RunAsync(
            parse,
            controller,
            async (client, console, _) =>
            {
                await call(client, console.Output).ConfigureAwait(false);
                return 0;
            },
            CancellationToken.None);

    /// <summary>
    /// Runs a call that lasts until <paramref name="cancellationToken"/> (Ctrl-C, SIGTERM) or its own end, against the
    /// controller <paramref name="controller"/> names; returns the call's exit code, or 1 when the controller refuses it.
    /// With several controllers, one that cannot be reached passes the call to the next, and a follower that refuses a
    /// call needing the node agents passes it to the leader it names: the call runs again from its start there, for
    /// up to <see cref="LeaderWait"/> from the first pass while a leader is elected. The one that answered is
    /// <see cref="ControllerAddresses.Current"/> afterwards.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Option<ControllerAddresses> controller, Func<Controller.ControllerClient, InvocationConfiguration, CancellationToken, Task<int>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(call);
        var address = parse.GetRequiredValue(controller);
        var error = parse.InvocationConfiguration.Error;
        ClientCredentials credentials;
        try
        {
            credentials = AccessOptions.ClientCredentialsOf(parse, AccessTokenFile.Operator);
        }
        catch (Exception e) when (e is AccessTokenFileException or CryptographicException)
        {
            await error.WriteLineAsync($"sdn: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        DateTime? giveUp = null;
        var followerAnswered = false;
        for (var tried = 1; ; tried++)
        {
            RpcException passedOn;
            using (var channel = RpcChannels.ForAddress(address.Current, credentials: credentials))
            {
                try
                {
                    return await call(new Controller.ControllerClient(channel), parse.InvocationConfiguration, cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException e) when (address.All.Count > 1 && (Unreachable(e) || ControllerAddresses.FollowerRefused(e)))
                {
                    passedOn = e;
                }
                catch (RpcException e)
                {
                    await error.WriteLineAsync(Describe(e, address)).ConfigureAwait(false);
                    return 1;
                }
                catch (CommandException e)
                {
                    await error.WriteLineAsync($"sdn: {e.Message}").ConfigureAwait(false);
                    return 1;
                }
            }

            // Counted from the first pass, so that a long watch whose leader dies gets as long to find the next.
            giveUp ??= DateTime.UtcNow + LeaderWait;
            followerAnswered |= ControllerAddresses.FollowerRefused(passedOn);
            var roundDone = address.Advance(passedOn);
            if ((roundDone && !followerAnswered) || DateTime.UtcNow > giveUp)
            {
                await error.WriteLineAsync(Describe(passedOn, address)).ConfigureAwait(false);
                return 1;
            }

            if (tried >= address.All.Count)
            {
                // Past the first round a leader is being elected, or the one named has died: give the election time.
                await Task.Delay(LeaderPoll, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether the call failed to reach a controller at all, rather than being answered with a failure.</summary>
    private static bool Unreachable(RpcException e) => e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is not null;

    private static string Describe(RpcException e, ControllerAddresses address)
    {
        var hint = Unreachable(e) ? $" (is `sdn up` or `sdn controller` serving at {address}?)" : string.Empty;
        return $"sdn: {e.StatusCode}: {e.Status.Detail}{hint}";
    }

    /// <summary>
    /// Hands each message of a server stream to <paramref name="each"/> until the stream ends or <paramref name="stop"/>
    /// (Ctrl-C, SIGTERM) cancels it, which ends it as cleanly as its own end does; the call is disposed either way.
    /// </summary>
    public static async Task ReadUntilStoppedAsync<T>(AsyncServerStreamingCall<T> call, Func<T, Task> each, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(each);
        using (call)
        {
            try
            {
                await foreach (var message in call.ResponseStream.ReadAllAsync(stop).ConfigureAwait(false))
                {
                    await each(message).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                // Stopped by the user: what came so far is the result.
            }
        }
    }
}
