using System.Net;
using Grpc.Net.Client;
using Sdn.Cli.Hosting;
using Sdn.Common.Interop;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Model;

namespace Sdn.EndToEnd.MultiHost;

/// <summary>
/// Quickstart with each node in a process of its own: a controller, and `sdn edge` and `sdn core` processes on
/// loopback addresses of their own as underlays, all taking tokens. Every link then runs MPLS-in-UDP between the
/// nodes' underlay addresses, and the VMs and the host on the edges reach each other across it.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class NodeProcessesTests : IAsyncLifetime, IDisposable
{
    private static readonly string[] Edges = ["e1", "e2"];
    private static readonly string[] Cores = ["c1", "c2"];
    private readonly string _tokenFile = Path.Combine(Path.GetTempPath(), $"sdn-tokens-{Guid.NewGuid():N}");
    private readonly string _prefix = TopologyRun.Options().NamePrefix;
    private readonly Dictionary<string, string> _underlays = [];
    private readonly List<NodeProcess> _nodes = [];
    private ControllerServer _controller = null!;
    private GrpcChannel _channel = null!;
    private Controller.ControllerClient _api = null!;

    public async Task InitializeAsync()
    {
        var nodes = Edges.Concat(Cores).ToList();
        File.WriteAllLines(_tokenFile, ["operator operator-token-0123456789", .. nodes.Select(n => $"node:{n} {n}-token-0123456789abcdef")]);
        _controller = await ControllerServer.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(store: null), access: new ControllerAccess(Tokens: AccessTokenFile.Load(_tokenFile)));
        TopologyRun.Load("quickstart.yaml").LoadInto(_controller.Model);
        _channel = RpcChannels.ForAddress(_controller.Address, credentials: new ClientCredentials("operator-token-0123456789", null));
        _api = new(_channel);

        var subnet = 100 + (Environment.ProcessId % 100);
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            _underlays[node] = $"127.88.{subnet}.{i + 1}:6635";
            string[] common = ["--name", node, "--controller", _controller.Address.ToString(), "--underlay", _underlays[node], "--token-file", _tokenFile];
            _nodes.Add(Edges.Contains(node) ? NodeProcess.Start("edge", [.. common, "--host-prefix", _prefix]) : NodeProcess.Start("core", common));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        _channel.Dispose();
        await _controller.DisposeAsync();
    }

    public void Dispose() => File.Delete(_tokenFile);

    [KvmFact]
    public async Task Every_link_runs_over_the_nodes_underlays_and_vms_and_hosts_reach_each_other()
    {
        await UntilEverythingIsUpAsync();

        var state = await _api.GetStateAsync(new GetStateRequest());
        Assert.Equal(
            _underlays.OrderBy(u => u.Key, StringComparer.Ordinal),
            state.Edges.Select(e => KeyValuePair.Create(e.Name, e.Address)).Concat(state.CoreNodes.Select(c => KeyValuePair.Create(c.Name, c.Address))).OrderBy(u => u.Key, StringComparer.Ordinal));
        var sockets = ExternalCommand.Run("ss", "-uan");
        Assert.All(_underlays.Values, underlay => Assert.Contains(underlay, sockets, StringComparison.Ordinal));

        // The links' hellos come up after their ends, and paths over them a recompile later: wait for a first answer.
        var first = await _api.Ping(new PingRequest { Source = "red1", Destination = "red2", Count = 2000, IntervalMs = 5 }).ReadAll().FirstOrDefaultAsync(e => e.Replied);
        Assert.True(first is not null, "red2 never answered red1");
        var echoes = await _api.Ping(new PingRequest { Source = "red1", Destination = "red2", Count = 3, IntervalMs = 50 }).ReadAll().ToListAsync();
        Assert.Equal([true, true, true], echoes.Select(e => e.Replied));
        var fromHost = await Task.Run(() => FabricChecks.PingFromNamespace(_prefix + "h1", "10.1.0.11"));
        Assert.Contains("3 packets transmitted, 3 received", fromHost, StringComparison.Ordinal);

        var e2 = _nodes[1];
        Assert.Equal(0, e2.Stop());
        Assert.Contains("sdn edge e2: stopped", e2.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_prefix + "h1", ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
    }

    private async Task UntilEverythingIsUpAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var status = await _api.GetStatusAsync(new StatusRequest());
            var waiting = status.Objects.Where(o => o.State != ObjectState.Up).ToList();
            if (waiting.Count == 0)
            {
                return;
            }

            Assert.True(
                DateTime.UtcNow < deadline,
                $"not up after 60 s: {string.Join("; ", waiting.Select(o => $"{o.Kind} {o.Name}: {o.State} {o.Reason}"))}\n{string.Join("\n", _nodes.Select(n => n.Output))}");
            await Task.Delay(100);
        }
    }
}
