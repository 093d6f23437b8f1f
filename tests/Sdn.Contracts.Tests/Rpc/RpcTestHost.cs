using System.Net;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc;

/// <summary>A real server on an ephemeral loopback port and a channel to it.</summary>
internal sealed class RpcTestHost : IAsyncDisposable
{
    private RpcTestHost(RpcServer server, RpcChannel channel)
    {
        Server = server;
        Channel = channel;
    }

    public RpcServer Server { get; }

    public RpcChannel Channel { get; }

    public static async Task<RpcTestHost> StartAsync(RpcServiceBuilder services, RpcOptions? serverOptions = null, RpcOptions? channelOptions = null)
    {
        var server = await RpcServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), services, serverOptions);
        return new RpcTestHost(server, new RpcChannel(server.Address, channelOptions));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
    }
}
