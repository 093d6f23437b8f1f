using System.Diagnostics;
using System.Globalization;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Paths;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Lsr;
using Sdn.Fabric.Edge;
using Sdn.Fabric.Edge.Agent;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Benchmarks.Controller;

/// <summary>
/// Compiling a fabric of 100 edges (each dual-homed to a core of 4 nodes) and 5,000 ports (250 networks of 20
/// ports, each network spread over 5 edges), and pushing it to a real agent per node over gRPC on loopback:
/// the clock stops when every node has applied its whole program.
/// </summary>
internal static class FabricPush
{
    private const int Cores = 4;
    private const int PortsPerNetwork = 20;
    private const int EdgesPerNetwork = 5;

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(bool quick)
    {
        var (edges, networks) = quick ? (10, 25) : (100, 250);
        var state = Fabric(edges, networks);
        var nodes = new FabricModel(store: null);
        foreach (var edge in state.Edges)
        {
            nodes.Create(ResourceKinds.Edges, edge);
        }

        foreach (var core in state.CoreNodes)
        {
            nodes.Create(ResourceKinds.CoreNodes, core);
        }

        await using var bench = await SouthboundBench.StartAsync(nodes);
        var edgeAgents = state.Edges.Select(e => new EdgeAgent(e.Name, new EdgeSwitch(), new InternalPorts(), bench.Address, SouthboundBench.Settings)).ToList();
        var coreNodes = state.CoreNodes.Select(c => new CoreSwitch(c.Name)).ToList();
        var coreAgents = coreNodes.Select(n => new CoreAgent(n, new UnpairedLinks(), hellos: null, bench.Address, SouthboundBench.Settings)).ToList();
        try
        {
            foreach (var agent in edgeAgents.Cast<Contracts.Southbound.SouthboundAgent>().Concat(coreAgents))
            {
                agent.Start();
            }

            await SouthboundBench.UntilAsync(() => edgeAgents.All(a => a.AppliedVersion > 0) && coreAgents.All(a => a.AppliedVersion > 0));

            var start = Stopwatch.GetTimestamp();
            var paths = new PathComputer(PathGraph.FromState(state));
            var pathsMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var compiled = FabricCompiler.Compile(state, paths.Trees);
            var compileMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds - pathsMs;
            foreach (var node in state.Edges.Select(e => e.Name).Concat(state.CoreNodes.Select(c => c.Name)))
            {
                bench.Hub.Publish(node, compiled.ProgramOf(node));
            }

            await SouthboundBench.UntilAsync(() =>
                edgeAgents.All(a => a.Programmer.Program.Flows.Count == compiled.ProgramOf(a.NodeName).Flows.Count)
                && coreAgents.All(a => a.Program.Lfib.Count == compiled.ProgramOf(a.NodeName).Lfib.Count));
            var totalMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return
            [
                new("compile_ms_100_edges", totalMs),
                new("compile_paths_ms_100_edges", pathsMs),
                new("compile_tables_ms_100_edges", compileMs),
                new("compile_edges", edges),
                new("compile_ports", state.Ports.Count),
                new("compile_flow_entries", compiled.Edges.Values.Sum(p => p.Flows.Count)),
                new("compile_lfib_entries", compiled.Cores.Values.Sum(p => p.Lfib.Count)),
            ];
        }
        finally
        {
            foreach (var agent in edgeAgents.Cast<Contracts.Southbound.SouthboundAgent>().Concat(coreAgents))
            {
                await agent.DisposeAsync();
            }

            coreNodes.ForEach(n => n.Dispose());
        }
    }

    /// <summary>The desired state, built directly (with the MACs and addresses the model would have allocated) so only compiling is timed.</summary>
    private static FabricState Fabric(int edges, int networks)
    {
        var state = new FabricState();
        string Edge(int i) => string.Create(CultureInfo.InvariantCulture, $"e{i:D3}");
        string Core(int i) => string.Create(CultureInfo.InvariantCulture, $"c{i}");
        void Connect(string a, string b) => state.Links.Add(new Link
        {
            Name = $"{a}-{b}",
            A = new LinkEndpoint { Node = a, Interface = $"{a}-{b}" },
            B = new LinkEndpoint { Node = b, Interface = $"{a}-{b}" },
            Cost = 1,
        });

        state.CoreNodes.Add(Enumerable.Range(0, Cores).Select(c => new CoreNode { Name = Core(c) }));
        state.Edges.Add(Enumerable.Range(0, edges).Select(e => new EdgeNode { Name = Edge(e) }));
        for (var a = 0; a < Cores; a++)
        {
            for (var b = a + 1; b < Cores; b++)
            {
                Connect(Core(a), Core(b));
            }
        }

        for (var e = 0; e < edges; e++)
        {
            Connect(Edge(e), Core(e % Cores));
            Connect(Edge(e), Core((e + 1) % Cores));
        }

        for (var n = 0; n < networks; n++)
        {
            var tenant = string.Create(CultureInfo.InvariantCulture, $"t{n:D3}");
            state.Tenants.Add(new Tenant { Name = tenant });
            state.Networks.Add(new Network { Name = tenant + "-lan", Tenant = tenant, Ipv4Subnet = $"10.{n}.0.0/24", Ipv4Gateway = $"10.{n}.0.1" });
            for (var j = 0; j < PortsPerNetwork; j++)
            {
                state.Ports.Add(new Port
                {
                    Name = string.Create(CultureInfo.InvariantCulture, $"{tenant}-vm{j:D2}"),
                    Network = tenant + "-lan",
                    Edge = Edge(((n * 3) + (j % EdgesPerNetwork)) % edges),
                    Kind = PortKind.Vnic,
                    Mac = string.Create(CultureInfo.InvariantCulture, $"02:5d:00:{n >> 8:x2}:{n & 0xFF:x2}:{j:x2}"),
                    Ipv4 = $"10.{n}.0.{j + 10}",
                });
            }
        }

        return state;
    }
}
