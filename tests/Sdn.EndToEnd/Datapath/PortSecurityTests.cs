using Sdn.Common.Interop;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Model;

namespace Sdn.EndToEnd.Datapath;

/// <summary>
/// quickstart's host h1, on e2 with red2, sends echo requests dressed as red1 (red1's MAC and address) to red2.
/// Without port security red2 would answer red1 across the core.
/// </summary>
public sealed class PortSecurityTests
{
    private const int Sent = 5;

    [KvmFact]
    public async Task A_host_sending_as_another_port_is_dropped_counted_as_spoofed_and_never_answered()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("quickstart.yaml"));
        using var channel = RpcChannels.ForAddress(fabric.Address);
        var api = new Controller.ControllerClient(channel);
        var (red1, red2) = (fabric.Model.Get(ResourceKinds.Ports, "red1"), fabric.Model.Get(ResourceKinds.Ports, "red2"));
        var toRed2Before = Counters(api, "e2", "red2").TxPackets;
        var toRed1Before = Counters(api, "e1", "red1").TxPackets;

        var h1 = fabric.Hosts["h1"];
        SendRaw(h1.Namespace.Name, h1.Device, Traffic.EchoRequest(red1, red2), Sent);

        await FabricChecks.UntilAsync(() => Counters(api, "e2", "h1").RxSpoofed == Sent, () => $"h1: {Counters(api, "e2", "h1")}");
        await Task.Delay(200);
        Assert.Equal(toRed2Before, Counters(api, "e2", "red2").TxPackets);
        Assert.Equal(toRed1Before, Counters(api, "e1", "red1").TxPackets);
        Assert.Equal((ulong)Sent, Counters(api, "e2", "h1").RxSpoofed);
    }

    /// <summary>The edge port's counters as the controller last heard them; zeros before the first report.</summary>
    private static PortCounters Counters(Controller.ControllerClient api, string edge, string port) =>
        api.GetStats(new StatsRequest { Node = edge }).Nodes.Single().Counters?.Ports.SingleOrDefault(p => p.Port == port) ?? new PortCounters();

    /// <summary>Writes <paramref name="frame"/> <paramref name="count"/> times on a packet socket of the device, as it is.</summary>
    private static void SendRaw(string space, string device, byte[] frame, int count) =>
        ExternalCommand.Run(
            "ip", "netns", "exec", space, "python3", "-c",
            "import socket,sys; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((sys.argv[1], 0)); "
            + "[s.send(bytes.fromhex(sys.argv[2])) for _ in range(int(sys.argv[3]))]",
            device, Convert.ToHexString(frame), count.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
