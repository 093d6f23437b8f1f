using System.Net;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Southbound;
using Sdn.Fabric.Controller.Tests.Compiler;
using Sdn.Fabric.Core.Lsr;
using Sdn.Fabric.Core.Rpc;
using Sdn.Fabric.Edge.Agent;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>
/// A controller serving <c>Agent.Connect</c> on loopback, and a <see cref="FabricRig"/> whose every node is
/// programmed by its own agent over that real gRPC stream.
/// </summary>
internal sealed class AgentFabric : IAsyncDisposable
{
    private RpcServer? server;

    private AgentFabric(FabricModel model)
    {
        Model = model;
        Compiled = FabricCompiler.Compile(model.Snapshot());
        Rig = new FabricRig(model.Snapshot());
        Southbound = new SouthboundService(Compiled);
    }

    public FabricModel Model { get; }

    public CompiledFabric Compiled { get; private set; }

    public FabricRig Rig { get; }

    public SouthboundService Southbound { get; private set; }

    public Dictionary<string, EdgeAgent> EdgeAgents { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, CoreAgent> CoreAgents { get; } = new(StringComparer.Ordinal);

    public Uri Address { get; private set; } = null!;

    public static async Task<AgentFabric> StartAsync(FabricModel model)
    {
        var fabric = new AgentFabric(model);
        await fabric.StartControllerAsync(new IPEndPoint(IPAddress.Loopback, 0));
        foreach (var (name, edge) in fabric.Rig.Edges)
        {
            var agent = new EdgeAgent(name, edge, config => fabric.Rig.Bind(name, config), fabric.Address, retryDelay: TimeSpan.FromMilliseconds(50));
            fabric.EdgeAgents[name] = agent;
            fabric.Rig.EdgePollers[name] = agent.Poll;
            agent.Start();
        }

        foreach (var (name, core) in fabric.Rig.Cores)
        {
            var agent = new CoreAgent(core, fabric.Address, retryDelay: TimeSpan.FromMilliseconds(50));
            fabric.CoreAgents[name] = agent;
            agent.Start();
        }

        await fabric.UntilAllAckedAsync();
        return fabric;
    }

    /// <summary>Recompiles the model and pushes the diffs.</summary>
    public Task RecompileAsync()
    {
        Compiled = FabricCompiler.Compile(Model.Snapshot(), Compiled);
        return Southbound.PublishAsync(Compiled);
    }

    /// <summary>The controller goes away: streams end and the server stops.</summary>
    public async Task StopControllerAsync()
    {
        Southbound.Disconnect();
        await server!.DisposeAsync();
        server = null;
    }

    /// <summary>A controller comes back on the same address, with what it compiles from the model now.</summary>
    public async Task RestartControllerAsync()
    {
        Compiled = FabricCompiler.Compile(Model.Snapshot(), Compiled);
        Southbound = new SouthboundService(Compiled);
        await StartControllerAsync(new IPEndPoint(IPAddress.Loopback, Address.Port));
    }

    /// <summary>Waits until every node acked the current version, pumping the fabric meanwhile.</summary>
    public Task UntilAllAckedAsync() =>
        UntilAsync(() => EdgeAgents.Keys.Concat(CoreAgents.Keys).All(n => Southbound.AckedVersion(n) == Compiled.Version));

    public async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the fabric did not get there within 20 s");
            Rig.Pump(1);
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in EdgeAgents.Values)
        {
            await agent.DisposeAsync();
        }

        foreach (var agent in CoreAgents.Values)
        {
            await agent.DisposeAsync();
        }

        if (server is not null)
        {
            await StopControllerAsync();
        }

        Rig.Dispose();
    }

    private async Task StartControllerAsync(IPEndPoint endpoint)
    {
        server = await RpcServer.StartAsync(endpoint, Southbound.AddTo(new RpcServiceBuilder()));
        Address = server.Address;
    }
}
