using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Sdn.Cli.Commands;
using Sdn.Cli.Hosting;
using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;

namespace Sdn.EndToEnd.Diagnostics;

/// <summary>`sdn flows` and `sdn trace` (GetFlows and Trace over the real gRPC API) against the embedded quickstart fabric.</summary>
[Collection(SharedQuickstart.Name)]
public sealed class FlowsAndTraceTests(RunningQuickstart quickstart) : IAsyncLifetime, IDisposable
{
    private readonly string _pcap = Path.Combine(Path.GetTempPath(), $"sdn-trace-{Guid.NewGuid():N}.pcapng");
    private EmbeddedFabric _fabric = null!;
    private GrpcChannel _channel = null!;
    private Contracts.Controller.ControllerClient _api = null!;

    private Uri Controller => _fabric.Address;

    public async Task InitializeAsync()
    {
        _fabric = await quickstart.FabricAsync();
        _channel = RpcChannels.ForAddress(_fabric.Address);
        _api = new(_channel);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _channel?.Dispose();
        File.Delete(_pcap);
    }

    [KvmFact]
    public async Task GetFlows_returns_every_entry_of_the_edge_with_the_live_switchs_counters()
    {
        var dump = await _api.GetFlowsAsync(new GetFlowsRequest { Edge = "e1" });

        Assert.Equal("e1", dump.Edge);
        Assert.Equal(Enumerable.Range(0, 8).Select(t => (uint)t), dump.Flows.Select(f => f.Entry.TableId).Distinct());
        var probeMac = ByteString.CopyFrom(Convert.FromHexString(Port("red2").Mac.Replace(":", string.Empty, StringComparison.Ordinal)));
        var toRed2 = dump.Flows.Single(f => f.Entry.TableId == EdgeTables.Forward && f.Entry.Match.Any(m => m.Field == Field.EthDst && m.Value == probeMac));
        Assert.True(toRed2.Packets >= 3 && toRed2.Bytes >= 3 * 98, $"{toRed2}");
        Assert.True(toRed2.DurationMs >= toRed2.IdleMs, $"{toRed2}");

        var forward = await _api.GetFlowsAsync(new GetFlowsRequest { Edge = "e1", TableId = EdgeTables.Forward });
        Assert.Equal(dump.Flows.Where(f => f.Entry.TableId == EdgeTables.Forward).Select(f => f.Entry), forward.Flows.Select(f => f.Entry));
    }

    [KvmFact]
    public async Task GetFlows_refuses_an_unknown_edge_and_a_table_the_edge_does_not_have()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _api.GetFlowsAsync(new GetFlowsRequest { Edge = "c1" }).ResponseAsync);
        var badTable = await Assert.ThrowsAsync<RpcException>(() => _api.GetFlowsAsync(new GetFlowsRequest { Edge = "e1", TableId = 8 }).ResponseAsync);

        Assert.Equal((StatusCode.NotFound, "edge 'c1' does not exist; create it first or check the name"), (unknown.StatusCode, unknown.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "table 8 does not exist; edge e1 has tables 0 to 7"), (badTable.StatusCode, badTable.Status.Detail));
    }

    [KvmFact]
    public async Task Sdn_flows_prints_one_ovs_ofctl_line_per_entry_and_json_on_request()
    {
        var (exit, output) = await SdnCli.InvokeAsync(Controller, "flows", "e1", "--table", "0");
        var (jsonExit, json) = await SdnCli.InvokeAsync(Controller, "flows", "e1", "--table", "0", "--json");

        Assert.Equal((0, 0), (exit, jsonExit));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Matches(@"^ cookie=0x[0-9a-f]+, duration=\d+\.\d{3}s, table=0 \(classify\), n_packets=\d+, n_bytes=\d+, idle_age=\d+, priority=\d+(,\S+)? actions=\S+$", line));
        Assert.Contains(" priority=0 actions=drop", lines[^1], StringComparison.Ordinal);
        Assert.Contains(lines, line => Regex.IsMatch(line, @",in_port=red1 actions=write_metadata:0x[0-9a-f]+/0xffffffffffffffff,goto_table:1$"));
        Assert.DoesNotContain(lines, line => Regex.IsMatch(line, @"(in_port=|output:)\d"));
        var dump = JsonParser.Default.Parse<FlowDump>(json);
        Assert.Equal(lines.Length, dump.Flows.Count);
        Assert.Contains(dump.Ports, p => p.Name == "red1");
    }

    [KvmFact]
    public async Task Sdn_trace_shows_each_table_the_entry_matched_the_labels_pushed_and_the_verdict()
    {
        var (exit, output) = await SdnCli.InvokeAsync(Controller, "trace", "red1", "--packet", "icmp,nw_dst=10.1.0.12");

        Assert.Equal(0, exit);
        Assert.StartsWith("packet: IP 10.1.0.11 > 10.1.0.12: ICMP echo request", output, StringComparison.Ordinal);
        Assert.Matches(@"\ntable 0 \(classify\): priority=100,in_port=red1 actions=write_metadata:0x[0-9a-f]+/0xffffffffffffffff,goto_table:1\n", output);
        Assert.Matches($@"\ntable 1 \(port-security\): priority=100,in_port=red1,dl_src={Port("red1").Mac},dl_type=0x800,nw_src=10.1.0.11 actions=goto_table:2\n", output);
        Assert.Contains("\ntable 2 (neighbours): table-miss, on to the next table: priority=0 actions=goto_table:3\n", output, StringComparison.Ordinal);
        Assert.Contains($",dl_dst={Port("red2").Mac},dl_type=0x800 actions=push_mpls:0x8847,", output, StringComparison.Ordinal);
        Assert.Matches(@"\noutput: e1--c[12] \(port \d+\), labels pushed \[\d+, \d+\]\nverdict: output e1--c[12] labels \[\d+, \d+\]\ncache: (hit \((exact|megaflow)\)|miss)\n$", output);
    }

    [KvmFact]
    public async Task The_trace_pushes_the_service_label_that_the_egress_edge_pops_into_the_destination_vnic()
    {
        var frame = PacketSpec.Parse("udp,nw_dst=10.1.0.12,tp_dst=53").Build(Port("red1"), Network("red.web"), [Port("red2")]);

        var result = await _api.TraceAsync(new TraceRequest { Port = "red1", Packet = ByteString.CopyFrom(frame) });

        Assert.Equal([EdgeTables.Classify, EdgeTables.PortSecurity, EdgeTables.Neighbours, EdgeTables.Acl, EdgeTables.Route, EdgeTables.Forward], result.Steps.Select(s => s.TableId));
        Assert.Equal(100u, result.Steps[^1].Matched.Priority);
        Assert.Equal(TableMiss.NextTable, result.Steps[2].Miss);
        var output = Assert.Single(result.Outputs);
        var serviceLabel = output.PushedLabels[1];
        var egress = (await _api.GetFlowsAsync(new GetFlowsRequest { Edge = "e2", TableId = EdgeTables.Egress })).Flows
            .Single(f => f.Entry.Match.Any(m => m.Field == Field.MplsLabel && Number(m.Value) == serviceLabel));
        Assert.Contains(egress.Entry.Instructions.SelectMany(i => i.ApplyActions?.Actions ?? []), a => a.KindCase == FlowAction.KindOneofCase.Output);
    }

    [KvmFact]
    public async Task Sdn_trace_drops_what_crosses_tenants_and_refuses_a_bad_field()
    {
        var (exit, output) = await SdnCli.InvokeAsync(Controller, "trace", "red1", "--packet", "icmp,nw_dst=10.2.0.12");
        var refused = await SdnCli.InvokeAsync(Controller, "trace", "red1", "--packet", "udp,nw_dst=10.1.0.12,tp_dst=http");

        Assert.Equal(0, exit);
        Assert.Contains($"\ntable {EdgeTables.Forward} (forward): table-miss, drop: priority=0 actions=drop\n", output, StringComparison.Ordinal);
        Assert.Contains("\nverdict: drop\n", output, StringComparison.Ordinal);
        Assert.Equal((1, "sdn: --packet: tp_dst=http is not a number from 0 to 65535\n"), refused);
    }

    [KvmFact]
    public async Task Sdn_trace_from_pcap_replays_a_packet_on_the_port_it_was_captured_on()
    {
        var frame = PacketSpec.Parse("icmp,nw_dst=10.1.0.12").Build(Port("red1"), Network("red.web"), [Port("red2")]);
        using (var writer = new PcapngWriter(File.Create(_pcap)))
        {
            var vnic = writer.AddInterface("e1/red1", "vNIC", LinkType.Ethernet, 65535);
            var uplink = writer.AddInterface("e1--c1", "uplink", LinkType.Ethernet, 65535);
            writer.WritePacket(vnic, 0, frame, frame.Length, CaptureDirection.Inbound);
            writer.WritePacket(uplink, 1, frame, frame.Length, CaptureDirection.Outbound);
        }

        var replayed = await SdnCli.InvokeAsync(Controller, "trace", "--from-pcap", _pcap);
        var described = await SdnCli.InvokeAsync(Controller, "trace", "red1", "--packet", "icmp,nw_dst=10.1.0.12");
        var onUplink = await SdnCli.InvokeAsync(Controller, "trace", "--from-pcap", _pcap, "--index", "2");
        var named = await SdnCli.InvokeAsync(Controller, "trace", "red1", "--from-pcap", _pcap, "--index", "2");

        Assert.Equal(described, replayed);
        Assert.Equal(1, onUplink.Exit);
        Assert.Contains($"{_pcap}: packet 2 was captured on 'e1--c1', which is no port of the model; name the port", onUplink.Output, StringComparison.Ordinal);
        Assert.Equal(described, named);
    }

    private Contracts.Port Port(string name) => _fabric.Model.Get(ResourceKinds.Ports, name);

    private Contracts.Network Network(string name) => _fabric.Model.Get(ResourceKinds.Networks, name);

    private static ulong Number(ByteString value) => value.Aggregate(0ul, (number, b) => (number << 8) | b);
}
