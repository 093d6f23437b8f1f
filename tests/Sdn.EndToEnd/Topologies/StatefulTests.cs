using Sdn.Cli.Hosting;
using Sdn.Common.Interop;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// topologies/stateful.yaml with real namespace hosts on two edges: front may open TCP and UDP 5432 to back, back may
/// only answer, and each edge's connection tracker holds what front opened.
/// </summary>
public sealed class StatefulTests
{
    private const int Postgres = 5432;
    private const string FrontAddress = "10.0.1.31";
    private const string BackAddress = "10.0.2.31";

    [KvmFact]
    public async Task Front_opens_tcp_5432_to_back_and_gets_related_icmp_while_back_opens_nothing()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("stateful.yaml"));
        var (front, back) = (fabric.Hosts["a-front"].Namespace, fabric.Hosts["a-back"].Namespace);

        Assert.True(Iperf3.Gbps(back, BackAddress, front, seconds: 1, port: Postgres) > 0.001);
        Assert.Throws<ExternalCommandException>(() => Iperf3.Gbps(front, FrontAddress, back, seconds: 1, port: Postgres));
        Assert.Equal("0", await UdpReceivedAsync(listener: front, FrontAddress, sender: back));
        Assert.Equal("refused", ConnectionProbe.Run(front, "udp-refused", BackAddress, Postgres));
    }

    [KvmFact]
    public async Task A_full_conntrack_table_drops_and_counts_new_connections_while_the_established_one_goes_on()
    {
        const int Limit = 8;
        await using var fabric = await EmbeddedFabric.StartAsync(TopologyRun.Load("stateful.yaml"), TopologyRun.Options() with { ConntrackLimit = Limit });
        var (front, back) = (fabric.Hosts["a-front"].Namespace, fabric.Hosts["a-back"].Namespace);
        var e1 = fabric.Nodes.Edges.Single(e => e.Name == "e1").Switch.Datapath;

        using var server = ConnectionProbe.Start(back, "tcp-echo", BackAddress, Postgres);
        Assert.Equal("listening", await server.StandardOutput.ReadLineAsync());

        Assert.Equal("before=ok after=ok", ConnectionProbe.Run(front, "tcp-hold-fill", BackAddress, Postgres, Postgres.ToString(System.Globalization.CultureInfo.InvariantCulture), "20"));
        Assert.Equal("timeout", ConnectionProbe.Run(front, "tcp-connect", BackAddress, Postgres));
        Assert.Equal(Limit, e1.Conntrack.Count);
        Assert.True(e1.Counters.CtTableFull >= 20 - (Limit - 1), $"ct_table_full {e1.Counters.CtTableFull}");
    }

    /// <summary>How many datagrams <paramref name="listener"/> receives in 2 s while <paramref name="sender"/> sends it 3 from new ports.</summary>
    private static async Task<string> UdpReceivedAsync(NetworkNamespace listener, string address, NetworkNamespace sender)
    {
        using var receiver = ConnectionProbe.Start(listener, "udp-listen", address, Postgres, "2");
        Assert.Equal("listening", await receiver.StandardOutput.ReadLineAsync());
        ConnectionProbe.Run(sender, "udp-send", address, Postgres, "3");
        return (await receiver.StandardOutput.ReadToEndAsync()).Trim();
    }
}
