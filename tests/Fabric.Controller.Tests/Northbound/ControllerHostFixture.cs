using System.Net;
using Grpc.Net.Client;
using Sdn.Cli.Hosting;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Northbound;

/// <summary>A controller on an ephemeral loopback port with a fresh state directory, and a client of its API.</summary>
internal sealed class ControllerHostFixture : IAsyncDisposable
{
    private GrpcChannel _channel;

    private ControllerHostFixture(string stateDirectory, ControllerServer server)
    {
        StateDirectory = stateDirectory;
        Server = server;
        _channel = RpcChannels.ForAddress(server.Address);
        Api = new(_channel);
    }

    public string StateDirectory { get; }

    public ControllerServer Server { get; private set; }

    public Contracts.Controller.ControllerClient Api { get; private set; }

    public static async Task<ControllerHostFixture> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sdn-controller-" + Guid.NewGuid().ToString("N"));
        return new ControllerHostFixture(directory, await StartServerAsync(directory));
    }

    /// <summary>Stops the controller and starts a new one over the same state directory.</summary>
    public async Task RestartAsync()
    {
        _channel.Dispose();
        await Server.DisposeAsync();
        Server = await StartServerAsync(StateDirectory);
        _channel = RpcChannels.ForAddress(Server.Address);
        Api = new(_channel);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await Server.DisposeAsync();
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

    private static Task<ControllerServer> StartServerAsync(string directory) =>
        ControllerServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(new StateStore(directory)));
}
