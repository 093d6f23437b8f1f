using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sdn.Cli.Hosting;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Southbound;

namespace Sdn.Benchmarks.Controller;

/// <summary>A controller's agent hub served on loopback, for benchmarks that push programs to real agents.</summary>
internal sealed class SouthboundBench : IAsyncDisposable
{
    private readonly GrpcServer _server;

    private SouthboundBench(GrpcServer server, AgentHub hub)
    {
        this._server = server;
        Hub = hub;
    }

    /// <summary>Batches of a large program exceed gRPC's 4 MiB default; both sides accept 256 MiB.</summary>
    public static RpcSettings Settings { get; } = new() { MaxReceiveMessageSize = 256 << 20, MaxSendMessageSize = 256 << 20 };

    public AgentHub Hub { get; }

    public Uri Address => _server.Address;

    public static async Task<SouthboundBench> StartAsync(FabricModel model)
    {
        var hub = new AgentHub(model);
        var server = await GrpcServer.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0),
            Settings,
            services => services.AddSingleton(new AgentService(hub)),
            endpoints => endpoints.MapGrpcService<AgentService>());
        return new SouthboundBench(server, hub);
    }

    /// <summary>Waits, polling every millisecond, until <paramref name="condition"/> holds.</summary>
    public static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the agents did not apply what was pushed within 2 minutes");
            }

            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Hub.Close();
        await _server.DisposeAsync();
    }
}
