using System.Net;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;
using Sdn.Fabric.Controller.Southbound;
using Sdn.Contracts.Rpc;

namespace Sdn.Cli.Hosting;

/// <summary>The controller as a running process sees it: the model loaded from its state directory, served over gRPC northbound and southbound.</summary>
internal sealed class ControllerServer : IAsyncDisposable
{
    /// <summary>The controller's well-known TCP port (the OpenFlow controller port).</summary>
    public const int DefaultPort = 6653;

    private readonly RpcServer server;

    private readonly FabricProgrammer programmer;

    private readonly CancellationTokenSource shutdown;

    private ControllerServer(RpcServer server, FabricModel model, AgentHub agents, FabricProgrammer programmer, CancellationTokenSource shutdown)
    {
        this.server = server;
        this.programmer = programmer;
        this.shutdown = shutdown;
        Model = model;
        Agents = agents;
    }

    public Uri Address => server.Address;

    public FabricModel Model { get; }

    /// <summary>The southbound side: node agents' sessions, and where compiled programs are published.</summary>
    public AgentHub Agents { get; }

    /// <summary>Cancelled when a client calls Shutdown: the process serving the controller should stop as on SIGTERM.</summary>
    public CancellationToken ShutdownRequested => shutdown.Token;

    /// <summary>What the nodes were last given.</summary>
    public CompiledFabric Compiled => programmer.Compiled;

    /// <param name="store">Where the desired state is kept; null keeps it in memory only.</param>
    /// <param name="watchLimit">How many changes a WatchEvents call may fall behind before it is ended (<see cref="ControllerService.DefaultWatchLimit"/>).</param>
    public static async Task<ControllerServer> StartAsync(
        IPEndPoint endpoint, StateStore? store, RpcOptions? options = null, int watchLimit = ControllerService.DefaultWatchLimit, CancellationToken cancellationToken = default)
    {
        var model = new FabricModel(store);
        var agents = new AgentHub(model);
        var shutdown = new CancellationTokenSource();
        // Cancelled on the thread pool: whoever waits on the token tears down (this server included) after Shutdown is answered.
        var services = agents.AddTo(new LiveDebuggingService(model, agents).AddTo(new ControllerService(model, agents, () => shutdown.CancelAsync(), watchLimit).AddTo(new RpcServiceBuilder())));
        var programmer = new FabricProgrammer(model, agents);
        return new ControllerServer(await RpcServer.StartAsync(endpoint, services, options, cancellationToken).ConfigureAwait(false), model, agents, programmer, shutdown);
    }

    public async ValueTask DisposeAsync()
    {
        await programmer.DisposeAsync().ConfigureAwait(false);
        Agents.Close();
        await server.DisposeAsync().ConfigureAwait(false);
        shutdown.Dispose();
    }
}
