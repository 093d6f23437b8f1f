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
        if (await CredentialsAsync(parse).ConfigureAwait(false) is not { } credentials)
        {
            return 1;
        }

        var search = new LeaderSearch(address.All.Count);
        while (true)
        {
            RpcException passedOn;
            using (var channel = RpcChannels.ForAddress(address.Current, credentials: credentials))
            {
                try
                {
                    return await AnsweredAsync(parse, address, () => call(new Controller.ControllerClient(channel), parse.InvocationConfiguration, cancellationToken)).ConfigureAwait(false);
                }
                catch (RpcException e) when (LeaderSearch.MayMoveOn(address, e))
                {
                    passedOn = e;
                }
            }

            if (!await search.TryAgainAsync(passedOn, address.Advance(passedOn), cancellationToken).ConfigureAwait(false))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(Describe(passedOn, address)).ConfigureAwait(false);
                return 1;
            }
        }
    }

    /// <summary>
    /// Runs a call that keeps calling the controller until <paramref name="cancellationToken"/>, such as `sdn graph`'s:
    /// each of its unary calls follows the controllers <paramref name="controller"/> names on its own
    /// (<see cref="FollowingCallInvoker"/>), so the call outlives the death of the controller it started with.
    /// </summary>
    public static async Task<int> RunFollowingAsync(ParseResult parse, Option<ControllerAddresses> controller, Func<Controller.ControllerClient, InvocationConfiguration, CancellationToken, Task<int>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(call);
        var address = parse.GetRequiredValue(controller);
        if (await CredentialsAsync(parse).ConfigureAwait(false) is not { } credentials)
        {
            return 1;
        }

        using var invoker = new FollowingCallInvoker(address, credentials);
        try
        {
            return await AnsweredAsync(parse, address, () => call(new Controller.ControllerClient(invoker), parse.InvocationConfiguration, cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(Describe(e, address)).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The operator's credentials from the access options; null after saying on stderr why they cannot be read.</summary>
    private static async Task<ClientCredentials?> CredentialsAsync(ParseResult parse)
    {
        try
        {
            return AccessOptions.ClientCredentialsOf(parse, AccessTokenFile.Operator);
        }
        catch (Exception e) when (e is AccessTokenFileException or CryptographicException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"sdn: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// The call's exit code, or 1 after saying on stderr what a controller answered or what the input lacks; a failure
    /// that another controller may not meet (<see cref="LeaderSearch.MayMoveOn"/>) is left to the caller.
    /// </summary>
    private static async Task<int> AnsweredAsync(ParseResult parse, ControllerAddresses address, Func<Task<int>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException e) when (!LeaderSearch.MayMoveOn(address, e))
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(Describe(e, address)).ConfigureAwait(false);
            return 1;
        }
        catch (CommandException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"sdn: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string Describe(RpcException e, ControllerAddresses address)
    {
        var hint = LeaderSearch.Unreachable(e) ? $" (is `sdn up` or `sdn controller` serving at {address}?)" : string.Empty;
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
