using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Sdn.Contracts.Rpc;

namespace Sdn.Cli.Commands;

/// <summary>
/// Calls for a command that keeps calling for as long as it runs (`sdn graph`), over several controllers: each unary
/// call goes to the controller that answered last, and moves on as a <see cref="LeaderSearch"/> decides, so the
/// command outlives the death of the controller it started with. Streaming calls go to that controller and stay.
/// </summary>
internal sealed class FollowingCallInvoker(ControllerAddresses addresses, ClientCredentials credentials) : CallInvoker, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Uri, GrpcChannel> _channels = [];

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var last = new StrongBox<AsyncUnaryCall<TResponse>?>();
        var response = CallAsync(method, host, options, request, last);
        return new AsyncUnaryCall<TResponse>(
            response,
            HeadersAsync(response, last),
            () => last.Value!.GetStatus(),
            () => last.Value!.GetTrailers(),
            () => last.Value?.Dispose());
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Current().Invoker.AsyncServerStreamingCall(method, host, options, request);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        Current().Invoker.AsyncClientStreamingCall(method, host, options);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        Current().Invoker.AsyncDuplexStreamingCall(method, host, options);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var channel in _channels.Values)
            {
                channel.Dispose();
            }

            _channels.Clear();
        }
    }

    /// <summary>Tries the call where <paramref name="last"/> ends up: the attempt that answered, or the one whose failure is the answer.</summary>
    private async Task<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request, StrongBox<AsyncUnaryCall<TResponse>?> last)
        where TRequest : class
        where TResponse : class
    {
        var search = new LeaderSearch(addresses.All.Count);
        while (true)
        {
            var (address, invoker) = Current();
            last.Value?.Dispose();
            last.Value = invoker.AsyncUnaryCall(method, host, options, request);
            try
            {
                return await last.Value.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e) when (LeaderSearch.MayMoveOn(addresses, e))
            {
                bool roundDone;
                lock (_gate)
                {
                    // Calls in parallel that failed at one controller move the addresses on once.
                    roundDone = addresses.Current == address && addresses.Advance(e);
                }

                if (!await search.TryAgainAsync(e, roundDone, options.CancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }
    }

    private static async Task<Metadata> HeadersAsync<TResponse>(Task<TResponse> response, StrongBox<AsyncUnaryCall<TResponse>?> last)
    {
        await ((Task)response).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return await last.Value!.ResponseHeadersAsync.ConfigureAwait(false);
    }

    private (Uri Address, CallInvoker Invoker) Current()
    {
        lock (_gate)
        {
            var address = addresses.Current;
            if (!_channels.TryGetValue(address, out var channel))
            {
                _channels[address] = channel = RpcChannels.ForAddress(address, credentials: credentials);
            }

            return (address, channel.CreateCallInvoker());
        }
    }
}
