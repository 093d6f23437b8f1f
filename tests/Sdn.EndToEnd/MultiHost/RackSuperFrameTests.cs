using System.Globalization;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Edge.Tap;
using Xunit.Abstractions;

namespace Sdn.EndToEnd.MultiHost;

/// <summary>
/// TCP between Linux hosts on two hypervisors of the rack (MultiHost/two-hosts.yaml: h1 on e1 on hv1, h2 on e2 on hv2,
/// through c1 on core1): the hosts' TAPs hand the edges TCP super-frames, and each crosses the veth underlay whole, in
/// MPLS-in-UDP chunks that fit the cable, sent in one segmentation offload send, rather than as one datagram per
/// segment or as one datagram that IP fragments.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class RackSuperFrameTests(ITestOutputHelper output)
{
    private const string ServerIp = "10.40.0.12";
    private const int Seconds = 2;

    // The most payload a segment carries on the hosts' 1500-byte MTU (IPv4, TCP with timestamps).
    private const int SegmentPayload = 1448;

    [Fact]
    public void Tcp_between_hosts_on_two_hypervisors_crosses_the_underlay_as_super_frames_of_several_segments_unfragmented()
    {
        using var rack = Rack.Up(RepositoryRoot.Combine("tests", "Sdn.EndToEnd", "MultiHost", "two-hosts.yaml"));
        UntilReachable(rack);
        var client = NetworkNamespace.Open(rack.HostPrefix + "h1");
        var server = NetworkNamespace.Open(rack.HostPrefix + "h2");

        var before = SentByHv1(rack);
        var gbps = Iperf3.Gbps(server, ServerIp, client, Seconds);
        var after = SentByHv1(rack);

        var segments = gbps * 1e9 / 8 * Seconds / SegmentPayload;
        var datagrams = after.Datagrams - before.Datagrams;
        var fragments = after.Fragments - before.Fragments;
        var figures = string.Create(CultureInfo.InvariantCulture, $"{gbps:F3} Gbit/s, about {segments:F0} segments, in {datagrams} datagrams and {fragments} fragments from hv1");
        output.WriteLine(figures);
        Assert.True(segments > 1000, $"too little moved to tell: {figures}");
        Assert.True(datagrams * 3 < segments, $"the segments crossed one datagram each, not as super-frames: {figures}");
        Assert.True(fragments == 0, $"hv1's IP fragmented what it sent: {figures}");
    }

    /// <summary>
    /// The UDP sends of hv1 (a segmentation offload send counts once) and the IP fragments it made of them, from its
    /// namespace's /proc/net/snmp.
    /// </summary>
    private static (long Datagrams, long Fragments) SentByHv1(Rack rack)
    {
        var lines = rack.Exec("hv1", "cat", "/proc/net/snmp").Split('\n');
        return (Counter(lines, "Udp:", "OutDatagrams"), Counter(lines, "Ip:", "FragCreates"));
    }

    /// <summary>A counter of /proc/net/snmp: a line of names, then a line of values, both starting with <paramref name="protocol"/>.</summary>
    private static long Counter(string[] lines, string protocol, string name)
    {
        var rows = lines.Where(l => l.StartsWith(protocol, StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var column = Array.IndexOf(rows[0], name);
        Assert.True(column > 0, $"/proc/net/snmp has no {protocol} {name}");
        return long.Parse(rows[1][column], CultureInfo.InvariantCulture);
    }

    private static void UntilReachable(Rack rack)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!FabricChecks.PingFromNamespace(rack.HostPrefix + "h1", ServerIp, count: 1).Contains(" 1 received", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"h1 does not reach h2 on the rack after 60 s\n{rack.LogTails()}");
            Thread.Sleep(200);
        }
    }
}
