using System.Net;
using Sdn.Cli.Hosting;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;
using Sdn.Contracts.Rpc;

namespace Sdn.Fabric.Controller.Tests.Northbound;

/// <summary>A controller on an ephemeral loopback port with a fresh state directory, and a channel to it.</summary>
internal sealed class ControllerHostFixture : IAsyncDisposable
{
    private ControllerHostFixture(string stateDirectory, ControllerServer server)
    {
        StateDirectory = stateDirectory;
        Server = server;
        Channel = new RpcChannel(server.Address);
    }

    public string StateDirectory { get; }

    public ControllerServer Server { get; private set; }

    public RpcChannel Channel { get; private set; }

    public static async Task<ControllerHostFixture> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sdn-controller-" + Guid.NewGuid().ToString("N"));
        return new ControllerHostFixture(directory, await StartServerAsync(directory));
    }

    /// <summary>Stops the controller and starts a new one over the same state directory.</summary>
    public async Task RestartAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
        Server = await StartServerAsync(StateDirectory);
        Channel = new RpcChannel(Server.Address);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

    private static Task<ControllerServer> StartServerAsync(string directory) =>
        ControllerServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), new StateStore(directory));
}
