using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Topology;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// topologies/gateway.yaml with real namespace hosts, its external interface one end of a veth pair whose other end is
/// in an "outside" namespace this test makes (198.51.100.1, with a server at 203.0.113.10 beyond it): hosts on both
/// edges ping the server and talk TCP to it through the outside router, and the server sees them as the gateway's
/// address, or the floating IP of the one that has one, and iperf3 carries a bulk TCP transfer out through the translation;
/// `sdn trace` shows the translation; the outside pings that host and talks TCP to it at its floating IP, and so do
/// the hosts on both edges from inside (hairpin), seen as the gateway's address, which `sdn trace` follows through the
/// loopback; `sdn trace
/// --external` shows a packet from the outside translated to the host and through the ACL table, and refuses an
/// unknown external network; `sdn status` lists the external port up with the packets it carried, and `sdn graph`'s
/// page draws it up on its gateway edge with its interface and address. Under stateful
/// rules the outside reaches the floating IP only from the address a rule allows, and a host's own connections
/// out get their answers. Over IPv6 alike (the outside namespace has 2001:db8:100::1, its server 2001:db8:200::10):
/// the hosts reach the server as the gateway's IPv6 address (NAT66) or public's floating IPv6, the outside and a host
/// from inside reach public there, and `sdn trace` shows the IPv6 translation, its hairpin and a packet from outside.
/// </summary>
public sealed class GatewayTests : IDisposable
{
    private const string Server = "203.0.113.10";
    private const string OutsideAddress = "198.51.100.1";
    private const string GatewayAddress = "198.51.100.2";
    private const string FloatingIp = "198.51.100.10";
    private const int Port = 8080;
    private const string Server6 = "2001:db8:200::10";
    private const string OutsideAddress6 = "2001:db8:100::1";
    private const string GatewayAddress6 = "2001:db8:100::2";
    private const string FloatingIp6 = "2001:db8:100::10";

    private readonly OutsideNetwork _outside = new($"{OutsideAddress}/24");

    public GatewayTests()
    {
        try
        {
            _outside.Namespace.Run("ip", "address", "add", $"{Server}/32", "dev", "lo");
            _outside.AddIpv6($"{OutsideAddress6}/64");
            _outside.Namespace.Run("ip", "-6", "address", "add", $"{Server6}/128", "dev", "lo", "nodad");
        }
        catch
        {
            _outside.Dispose();
            throw;
        }
    }

    public void Dispose() => _outside.Dispose();

    [Fact]
    public async Task Hosts_on_both_edges_reach_the_outside_as_the_gateway_and_the_outside_reaches_a_host_at_its_floating_ip()
    {
        await using var fabric = await TopologyRun.StartAsync(Topology());
        await FabricChecks.UntilAsync(() => new[] { "far", "near", "public" }.All(fabric.Hosts.ContainsKey), () => $"hosts up: {string.Join(", ", fabric.Hosts.Keys)}");

        foreach (var (host, seenAs) in new[] { ("far", GatewayAddress), ("near", GatewayAddress), ("public", FloatingIp) })
        {
            var client = fabric.Hosts[host].Namespace;
            await UntilPingedAsync(client, Server);
            Assert.Equal($"peer {seenAs}", await TalkAsync(server: _outside.Namespace, listen: Server, client, connect: Server));
        }

        var gbps = Iperf3.Gbps(_outside.Namespace, Server, fabric.Hosts["far"].Namespace, seconds: 1);
        Assert.True(gbps > 0.01, $"iperf3 from far to the outside: {gbps} Gb/s");

        var (exit, trace) = await SdnCli.InvokeAsync(fabric.Address, "trace", "near", "--packet", $"tcp,nw_dst={Server},tp_dst={Port}");
        Assert.True(exit == 0, trace);
        Assert.Contains($"nat(src={GatewayAddress},reply_zone=", trace, StringComparison.Ordinal);
        Assert.Contains($"verdict: output {_outside.Inside}", trace, StringComparison.Ordinal);

        var reached = fabric.Hosts["public"].Namespace;
        await UntilPingedAsync(_outside.Namespace, FloatingIp);
        Assert.Equal($"peer {OutsideAddress}", await TalkAsync(server: reached, listen: "10.1.0.13", _outside.Namespace, connect: FloatingIp));

        foreach (var host in new[] { "near", "far" })
        {
            await UntilPingedAsync(fabric.Hosts[host].Namespace, FloatingIp);
            Assert.Equal($"peer {GatewayAddress}", await TalkAsync(server: reached, listen: "10.1.0.13", fabric.Hosts[host].Namespace, connect: FloatingIp));
        }

        var (hairpinned, hairpin) = await SdnCli.InvokeAsync(fabric.Address, "trace", "near", "--packet", $"tcp,nw_dst={FloatingIp},tp_dst={Port}");
        Assert.True(hairpinned == 0, hairpin);
        Assert.Contains($"looped back as {GatewayAddress} -> {FloatingIp}, arriving on port", hairpin, StringComparison.Ordinal);
        Assert.Contains($"recirculated as {GatewayAddress} -> 10.1.0.13", hairpin, StringComparison.Ordinal);

        var (traced, fromOutside) = await SdnCli.InvokeAsync(fabric.Address, "trace", "--external", "internet", "--packet", $"tcp,nw_src={Server},nw_dst={FloatingIp},tp_dst={Port}");
        Assert.True(traced == 0, fromOutside);
        Assert.Contains("dst=10.1.0.13", fromOutside, StringComparison.Ordinal);
        Assert.Contains("(acl)", fromOutside, StringComparison.Ordinal);
        Assert.Contains("verdict: output", fromOutside, StringComparison.Ordinal);

        var (unknown, refusal) = await SdnCli.InvokeAsync(fabric.Address, "trace", "--external", "nowhere", "--packet", $"tcp,nw_dst={FloatingIp}");
        Assert.NotEqual(0, unknown);
        Assert.Contains("external network 'nowhere' does not exist", refusal, StringComparison.Ordinal);

        var (listed, status) = await SdnCli.InvokeAsync(fabric.Address, "status");
        Assert.True(listed == 0, status);
        Assert.Matches($@"\ninternet +e2 +{_outside.Inside} +{GatewayAddress} +{GatewayAddress6} +up +[1-9][0-9]* +[1-9][0-9]*", status);

        await using var graph = await RunningGraph.StartAsync(fabric.Address);
        var drawn = await graph.UntilSnapshotAsync(s => RunningGraph.StateOf(s, "external:internet") == "up" && RunningGraph.StateOf(s, "uplink:internet") == "up", "the external network and its uplink up");
        var external = drawn.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == "external:internet");
        Assert.Equal([_outside.Inside, GatewayAddress], external.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task Over_ipv6_hosts_reach_the_outside_as_the_gateways_ipv6_address_and_the_outside_reaches_a_host_at_its_floating_ipv6()
    {
        await using var fabric = await TopologyRun.StartAsync(Topology());
        await FabricChecks.UntilAsync(() => new[] { "far", "near", "public" }.All(fabric.Hosts.ContainsKey), () => $"hosts up: {string.Join(", ", fabric.Hosts.Keys)}");

        foreach (var (host, seenAs) in new[] { ("far", GatewayAddress6), ("near", GatewayAddress6), ("public", FloatingIp6) })
        {
            var client = fabric.Hosts[host].Namespace;
            await UntilPingedAsync(client, Server6);
            Assert.Equal($"peer {seenAs}", await TalkAsync(server: _outside.Namespace, listen: Server6, client, connect: Server6));
        }

        var (exit, trace) = await SdnCli.InvokeAsync(fabric.Address, "trace", "near", "--packet", $"tcp6,ipv6_dst={Server6},tp_dst={Port}");
        Assert.True(exit == 0, trace);
        Assert.Contains($"nat(src={GatewayAddress6},reply_zone=", trace, StringComparison.Ordinal);
        Assert.Contains($"verdict: output {_outside.Inside}", trace, StringComparison.Ordinal);

        var reached = fabric.Hosts["public"].Namespace;
        await UntilPingedAsync(_outside.Namespace, FloatingIp6);
        Assert.Equal($"peer {OutsideAddress6}", await TalkAsync(server: reached, listen: "fd00:1::13", _outside.Namespace, connect: FloatingIp6));
        await UntilPingedAsync(fabric.Hosts["far"].Namespace, FloatingIp6);
        Assert.Equal($"peer {GatewayAddress6}", await TalkAsync(server: reached, listen: "fd00:1::13", fabric.Hosts["far"].Namespace, connect: FloatingIp6));
        var (hairpinned, hairpin) = await SdnCli.InvokeAsync(fabric.Address, "trace", "near", "--packet", $"tcp6,ipv6_dst={FloatingIp6},tp_dst={Port}");
        Assert.True(hairpinned == 0, hairpin);
        Assert.Contains($"looped back as {GatewayAddress6} -> {FloatingIp6}, arriving on port", hairpin, StringComparison.Ordinal);
        Assert.Contains($"recirculated as {GatewayAddress6} -> fd00:1::13", hairpin, StringComparison.Ordinal);

        var (traced, fromOutside) = await SdnCli.InvokeAsync(fabric.Address, "trace", "--external", "internet", "--packet", $"tcp6,ipv6_src={Server6},ipv6_dst={FloatingIp6},tp_dst={Port}");
        Assert.True(traced == 0, fromOutside);
        Assert.Contains("dst=fd00:1::13", fromOutside, StringComparison.Ordinal);
        Assert.Contains("(acl)", fromOutside, StringComparison.Ordinal);
        Assert.Contains("verdict: output", fromOutside, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_stateful_rules_the_outside_reaches_a_floating_ip_only_as_a_rule_allows_and_answers_come_back()
    {
        await using var fabric = await TopologyRun.StartAsync(Topology("""
            acls:
              - { tenant: red, priority: 200, action: allow, stateful: true, from: 198.51.100.1/32, to: 10.1.0.13/32, protocol: icmp }
              - { tenant: red, priority: 150, action: allow, stateful: true, from: 10.1.0.0/24 }
              - { tenant: red, priority: 100, action: deny }
            """));
        await FabricChecks.UntilAsync(() => fabric.Hosts.ContainsKey("public"), () => $"hosts up: {string.Join(", ", fabric.Hosts.Keys)}");

        await UntilPingedAsync(fabric.Hosts["public"].Namespace, Server);
        await UntilPingedAsync(_outside.Namespace, FloatingIp);
        var stranger = _outside.Namespace.Run("bash", "-c", $"ping -I {Server} -c 3 -W 1 {FloatingIp} >/dev/null && echo answered || echo refused");

        Assert.Contains("refused", stranger, StringComparison.Ordinal);
        var (traced, trace) = await SdnCli.InvokeAsync(fabric.Address, "trace", "--external", "internet", "--packet", $"icmp,nw_src={Server},nw_dst={FloatingIp}");
        Assert.True(traced == 0, trace);
        Assert.Contains("(acl)", trace, StringComparison.Ordinal);
        Assert.Contains("verdict: drop", trace, StringComparison.Ordinal);
    }

    /// <summary>gateway.yaml, its external network on this test's veth end instead of veth-out, with <paramref name="more"/> appended.</summary>
    private TopologyDefinition Topology(string more = "")
    {
        var text = File.ReadAllText(TopologyRun.PathOf("gateway.yaml"));
        Assert.Contains("interface: veth-out\n", text, StringComparison.Ordinal);
        return TopologyFile.Parse(text.Replace("interface: veth-out\n", $"interface: {_outside.Inside}\n", StringComparison.Ordinal) + more, "gateway.yaml");
    }

    /// <summary>Pings until one is answered: the first packets toward a next hop the gateway has not learned are ARP requests instead.</summary>
    private static Task UntilPingedAsync(NetworkNamespace from, string address) =>
        FabricChecks.UntilAsync(
            () => from.Run("bash", "-c", $"ping -c 1 -W 1 {address} >/dev/null && echo answered || true").Contains("answered", StringComparison.Ordinal),
            () => $"{from.Name} got no answer from {address}");

    /// <summary>A TCP connection from <paramref name="client"/> to a server in <paramref name="server"/> that echoes a line back; returns "peer ADDRESS" as the server saw it.</summary>
    private static async Task<string> TalkAsync(NetworkNamespace server, string listen, NetworkNamespace client, string connect)
    {
        using var listener = ConnectionProbe.Start(server, "tcp-echo", listen, Port);
        try
        {
            Assert.Equal("listening", await listener.StandardOutput.ReadLineAsync().WaitAsync(TopologyRun.Timeout));
            Assert.Equal("ok", ConnectionProbe.Run(client, "tcp-talk", connect, Port));
            return await listener.StandardOutput.ReadLineAsync().WaitAsync(TopologyRun.Timeout) ?? "nothing";
        }
        finally
        {
            if (!listener.HasExited)
            {
                listener.Kill();
            }

            await listener.WaitForExitAsync().WaitAsync(TopologyRun.Timeout);
        }
    }
}
