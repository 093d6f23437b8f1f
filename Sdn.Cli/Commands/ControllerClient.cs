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

    public static Option<Uri> CreateOption() => new(OptionName)
    {
        Description = "The controller's gRPC address: the `controller.listen` of the topology `sdn up` runs, or where `sdn controller` serves.",
        DefaultValueFactory = _ => new Uri($"http://127.0.0.1:{ControllerServer.DefaultPort}"),
        CustomParser = result => Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : Refuse(result),
    };

    private static Uri? Refuse(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"'{result.Tokens.Single().Value}' is not a controller address such as http://127.0.0.1:{ControllerServer.DefaultPort} or https://ctl.example:{ControllerServer.DefaultPort}");
        return null;
    }

    /// <summary>
    /// When a call that the controller forwards to a node agent (a trace, a flow dump) must be answered: an agent
    /// that never answers ends the call with DEADLINE_EXCEEDED instead of leaving the command hanging.
    /// </summary>
    public static DateTime DiagnosticDeadline() => DateTime.UtcNow.AddSeconds(30);

    /// <summary>Runs <paramref name="call"/> against the controller <paramref name="controller"/> names; returns the exit code.</summary>
    public static Task<int> RunAsync(ParseResult parse, Option<Uri> controller, Func<Controller.ControllerClient, TextWriter, Task> call) =>
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
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Option<Uri> controller, Func<Controller.ControllerClient, InvocationConfiguration, CancellationToken, Task<int>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(call);
        var address = parse.GetRequiredValue(controller);
        ClientCredentials credentials;
        try
        {
            credentials = AccessOptions.ClientCredentialsOf(parse, AccessTokenFile.Operator);
        }
        catch (Exception e) when (e is AccessTokenFileException or CryptographicException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"sdn: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        using var channel = RpcChannels.ForAddress(address, credentials: credentials);
        try
        {
            return await call(new Controller.ControllerClient(channel), parse.InvocationConfiguration, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            var hint = e.StatusCode == StatusCode.Unavailable ? $" (is `sdn up` or `sdn controller` serving at {address}?)" : string.Empty;
            await parse.InvocationConfiguration.Error.WriteLineAsync($"sdn: {e.StatusCode}: {e.Status.Detail}{hint}").ConfigureAwait(false);
            return 1;
        }
        catch (CommandException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"sdn: {e.Message}").ConfigureAwait(false);
            return 1;
        }
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
