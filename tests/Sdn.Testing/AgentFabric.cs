using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Sdn.Cli.Hosting;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;
using Sdn.Fabric.Controller.Southbound;
using Sdn.Fabric.Core.Lsr;
using Sdn.Fabric.Edge.Agent;

namespace Sdn.Testing;

/// <summary>
/// A controller serving <c>Agent.Connect</c> and the northbound API on loopback (the agent hub fed by the fabric programmer, which
/// recompiles on every model change and link report), and a <see cref="FabricRig"/> whose every node is
/// programmed by its own agent over that real gRPC stream.
/// </summary>
public sealed class AgentFabric : IAsyncDisposable
{
    private ControllerServer? _server;

    private AgentFabric(FabricModel model)
    {
        Model = model;
        Rig = new FabricRig(model.Snapshot());
    }

    public FabricModel Model { get; }

    public CompiledFabric Compiled => _server!.Compiled;

    public FabricRig Rig { get; }

    public AgentHub Hub => _server!.Agents;

    public Dictionary<string, EdgeAgent> EdgeAgents { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, CoreAgent> CoreAgents { get; } = new(StringComparer.Ordinal);

    public Uri Address { get; private set; } = null!;

    /// <summary>Every line the agents logged (each an exception they survived), oldest first.</summary>
    public ConcurrentQueue<string> AgentLog { get; } = new();

    public static async Task<AgentFabric> StartAsync(FabricModel model)
    {
        var fabric = new AgentFabric(model);
        await fabric.StartControllerAsync(new IPEndPoint(IPAddress.Loopback, 0));
        foreach (var (name, edge) in fabric.Rig.Edges)
        {
            var agent = new EdgeAgent(name, edge, new FabricRig.EdgePorts(fabric.Rig, name), fabric.Address, retryDelay: TimeSpan.FromMilliseconds(50), log: fabric.AgentLog.Enqueue);
            fabric.EdgeAgents[name] = agent;
            fabric.Rig.EdgePollers[name] = agent.Poll;
            agent.Start();
        }

        foreach (var (name, core) in fabric.Rig.Cores)
        {
            var agent = new CoreAgent(core, new FabricRig.CoreLinks(fabric.Rig, name), hellos: null, fabric.Address, retryDelay: TimeSpan.FromMilliseconds(50), log: fabric.AgentLog.Enqueue);
            fabric.CoreAgents[name] = agent;
            agent.Start();
        }

        await fabric.UntilProgrammedAsync();
        return fabric;
    }

    /// <summary>The controller goes away: its programmer stops and its server (with every agent stream) closes.</summary>
    public async Task StopControllerAsync()
    {
        await _server!.DisposeAsync();
        _server = null;
    }

    /// <summary>A controller comes back on the same address and compiles the model as it is now.</summary>
    public Task RestartControllerAsync() => StartControllerAsync(new IPEndPoint(IPAddress.Loopback, Address.Port));

    /// <summary>Waits until every node runs exactly what the controller compiled last, pumping the fabric meanwhile.</summary>
    public Task UntilProgrammedAsync() => UntilAsync(() =>
        EdgeAgents.Values.All(a => new ProgramEquality().Same(a.Programmer.Program, Compiled.ProgramOf(a.NodeName)))
        && CoreAgents.Values.All(a => new ProgramEquality().Same(a.Program, Compiled.ProgramOf(a.NodeName))));

    /// <summary>
    /// Sends a UDP frame from model port <paramref name="from"/> to model port <paramref name="to"/> through the fabric and
    /// returns what <paramref name="to"/> received; no batch lands on either edge meanwhile.
    /// </summary>
    public IReadOnlyList<byte[]> Send(string from, string to)
    {
        var (a, b) = (Model.Get(ResourceKinds.Ports, from), Model.Get(ResourceKinds.Ports, to));
        lock (EdgeAgents[a.Edge].SwitchLock)
        {
            lock (EdgeAgents[b.Edge].SwitchLock)
            {
                return Rig.Send(a.Name, Traffic.Udp(a, b))[b.Name];
            }
        }
    }

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

        if (_server is not null)
        {
            await StopControllerAsync();
        }

        Rig.Dispose();
    }

    private async Task StartControllerAsync(IPEndPoint endpoint)
    {
        _server = await ControllerServer.StartAsync(endpoint, Model);
        Address = _server.Address;
    }
}
