using Grpc.Net.Client;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Vmm.Machine;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// `sdn apply` on a running quickstart, as a user runs it: a copy of the quickstart's file with one VM more brings that
/// VM up, and the original file takes it away again, with everything the fabric made for it.
/// </summary>
public sealed class ApplyTests : IAsyncLifetime
{
    /// <summary>red3, an echo VM on e1 in red.web, as a line of the file's `vms:` list.</summary>
    private const string Red3 = "  - { name: red3, edge: e1, network: red/web, ip: 10.1.0.13 }\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("sdn-apply-").FullName;
    private EmbeddedFabric _fabric = null!;
    private GrpcChannel _channel = null!;
    private Controller.ControllerClient _controller = null!;

    public async Task InitializeAsync()
    {
        _fabric = await TopologyRun.StartAsync(TopologyRun.Load("quickstart.yaml"));
        _channel = RpcChannels.ForAddress(_fabric.Address);
        _controller = new Controller.ControllerClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _fabric.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [KvmFact]
    public async Task A_vm_a_file_adds_answers_red1_and_h1_and_the_original_file_stops_it_and_takes_its_flows_and_port_away()
    {
        var original = TopologyRun.PathOf("quickstart.yaml");
        var changed = Path.Combine(_directory, "quickstart.yaml");
        var text = File.ReadAllText(original);
        Assert.Contains("\nhosts:\n", text, StringComparison.Ordinal);
        File.WriteAllText(changed, text.Replace("\nhosts:\n", $"\n{Red3}hosts:\n", StringComparison.Ordinal));

        var (added, addition, addError) = await SdnCli.RunAsync(_fabric.Address, "apply", changed);

        Assert.True(added == 0, addError);
        Assert.Matches(@"^\+ vm red3 \(echo on e1 in red\.web, 10\.1\.0\.13\)\nplan: 1 to add, 0 to change, 0 to delete\napplied in \d+ ms, state version \d+\n$", addition);
        await _controller.UntilStateAsync("vm", "red3", ObjectState.Up);
        var mac = (await _controller.GetPortAsync(new GetRequest { Name = "red3" })).Mac;
        await _fabric.AssertPingsAsync("red1", "red3");
        Assert.Contains("3 packets transmitted, 3 received", await _fabric.PingFromHostAsync("h1", "10.1.0.13"), StringComparison.Ordinal);
        var red3 = _fabric.Vms["red3"].Machine;
        Assert.Equal(VmState.Running, red3.State);
        Assert.Contains(mac, await _fabric.FlowsAsync("e1"), StringComparison.Ordinal);

        var (removed, removal, removeError) = await SdnCli.RunAsync(_fabric.Address, "apply", original);

        Assert.True(removed == 0, removeError);
        Assert.Matches(@"^- vm red3\nplan: 0 to add, 0 to change, 1 to delete\napplied in \d+ ms, state version \d+\n$", removal);
        await _controller.UntilConvergedAsync();
        await FabricChecks.UntilAsync(
            () => !_fabric.Vms.ContainsKey("red3") && red3.State == VmState.Stopped,
            () => $"red3's micro-VM still runs ({red3.State}): {string.Join(", ", _fabric.Vms.Keys)}");
        Assert.DoesNotContain((await _controller.GetStateAsync(new GetStateRequest())).Ports, p => p.Name == "red3");
        Assert.Null(_fabric.Nodes.Edges.Single(e => e.Name == "e1").Agent.Programmer.PortConfigNamed("red3"));
        Assert.DoesNotContain(mac, await _fabric.FlowsAsync("e1"), StringComparison.Ordinal);
        Assert.DoesNotContain("10.1.0.13", await _fabric.FlowsAsync("e2"), StringComparison.Ordinal);
        Assert.Equal("no changes\n", (await SdnCli.RunAsync(_fabric.Address, "apply", original)).Output);
        await _fabric.AssertPingsAsync("red1", "red2");
    }
}
