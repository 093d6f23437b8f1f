using System.Net;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Core.Rpc;

namespace Sdn.Fabric.Controller.Northbound;

/// <summary>The controller as a running process sees it: the model loaded from its state directory, served over gRPC.</summary>
internal sealed class ControllerServer : IAsyncDisposable
{
    /// <summary>The controller's well-known TCP port (the OpenFlow controller port).</summary>
    public const int DefaultPort = 6653;

    private readonly RpcServer server;

    private ControllerServer(RpcServer server, FabricModel model)
    {
        this.server = server;
        Model = model;
    }

    public Uri Address => server.Address;

    public FabricModel Model { get; }

    /// <param name="store">Where the desired state is kept; null keeps it in memory only.</param>
    public static async Task<ControllerServer> StartAsync(IPEndPoint endpoint, StateStore? store, RpcOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = new FabricModel(store);
        var services = new ControllerService(model).AddTo(new RpcServiceBuilder());
        return new ControllerServer(await RpcServer.StartAsync(endpoint, services, options, cancellationToken).ConfigureAwait(false), model);
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
