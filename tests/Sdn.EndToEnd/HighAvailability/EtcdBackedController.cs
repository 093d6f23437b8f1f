using System.Net;
using Grpc.Net.Client;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Etcd;
using Sdn.Fabric.Controller.Model;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>A controller served in this process over an etcd cluster, as `sdn controller --store` serves one, and a client of its API.</summary>
internal sealed class EtcdBackedController : IAsyncDisposable
{
    private readonly GrpcChannel _channel;

    private readonly ControllerCluster _cluster;

    private EtcdBackedController(ControllerServer server, ControllerCluster cluster)
    {
        Server = server;
        _cluster = cluster;
        _channel = RpcChannels.ForAddress(server.Address);
        Api = new Controller.ControllerClient(_channel);
    }

    public ControllerServer Server { get; }

    public Controller.ControllerClient Api { get; }

    /// <summary>Whether this controller leads and programs the nodes now.</summary>
    public bool Leads => _cluster.IsLeader;

    /// <summary>What this controller compiled last while it led; null when it stepped down meanwhile.</summary>
    public CompiledFabric? Compiled => _cluster.Programmer?.Compiled;

    public static async Task<EtcdBackedController> StartAsync(EtcdCluster etcd)
    {
        var cluster = new ControllerCluster(etcd.Address, _ => { });
        var server = await ControllerServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(cluster.Store), cluster: cluster);
        return new EtcdBackedController(server, cluster);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await Server.DisposeAsync();
    }
}
