using System.Globalization;
using System.Net;
using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

/// <summary>
/// Frames from our writers, decoded by tshark (one run for all of them): every field we wrote must read back
/// as written, and every checksum must verify.
/// </summary>
public class TsharkDecodeTests
{
    private const string Good = "1"; // tshark's checksum status: 0 bad, 1 good, 2 unverified

    [Fact]
    public void Tshark_reads_back_every_field_our_writers_wrote()
    {
        var cases = TestFrames.Catalogue().Select(f => new DecodeCase(f.Name, f.Bytes, Expect(f)))
            .Append(new DecodeCase("arp", TestFrames.Arp(Encapsulation.QinQ), ExpectArp()))
            .Concat(from ipv6 in new[] { false, true }
                    from later in new[] { false, true }
                    select new DecodeCase($"fragment ipv6={ipv6} later={later}", TestFrames.Fragment(ipv6, later), ExpectFragment(ipv6, later)))
            .ToList();
        var fields = cases.SelectMany(c => c.Expected.Keys).Distinct().ToArray();

        var decoded = Tshark.Decode(cases.Select(c => c.Bytes), fields);

        Assert.Equal(cases.Count, decoded.Count);
        var mismatches =
            from i in Enumerable.Range(0, cases.Count)
            from expected in cases[i].Expected
            let actual = Normalize(decoded[i][expected.Key])
            where actual != expected.Value
            select $"{cases[i].Name}: {expected.Key} is '{actual}', expected '{expected.Value}'";
        var report = string.Join(Environment.NewLine, mismatches);
        Assert.True(report.Length == 0, report);
    }

    private static Dictionary<string, string> Expect(TestFrame frame)
    {
        var e = new Dictionary<string, string>();
        Set(e, "eth.dst", TestFrames.DestinationMac);
        Set(e, "eth.src", TestFrames.SourceMac);
        switch (frame.Encapsulation)
        {
            case Encapsulation.Vlan:
                Set(e, "vlan.id", TestFrames.VlanId);
                Set(e, "vlan.priority", TestFrames.VlanPriority);
                break;
            case Encapsulation.QinQ:
                ExpectServiceTag(e);
                break;
            case Encapsulation.QinQWithTwo8100Tags:
                Set(e, "vlan.id", TestFrames.OuterVlanId, TestFrames.VlanId);
                Set(e, "vlan.priority", 1, TestFrames.VlanPriority);
                break;
            case Encapsulation.Mpls:
                var labels = TestFrames.Labels;
                Set(e, "mpls.label", [.. labels.Select(l => (object)l.Label)]);
                Set(e, "mpls.exp", [.. labels.Select(l => (object)l.TrafficClass)]);
                Set(e, "mpls.bottom", [.. labels.Select(l => (object)(l.BottomOfStack ? 1 : 0))]);
                Set(e, "mpls.ttl", [.. labels.Select(l => (object)l.Ttl)]);
                break;
        }

        ExpectNetwork(e, frame);
        ExpectTransport(e, frame);
        // tshark files a TCP payload under tcp.payload, and later segments of the same flow are not handed to "data".
        e[frame.Transport == Transport.Tcp ? "tcp.payload" : "data.data"] = Convert.ToHexStringLower(TestFrames.Payload);
        return e;
    }

    /// <summary>tshark decodes an 802.1ad (0x88A8) outer tag as ieee8021ad, and the customer tag inside it as vlan.</summary>
    private static void ExpectServiceTag(Dictionary<string, string> e)
    {
        Set(e, "ieee8021ad.id", TestFrames.OuterVlanId);
        Set(e, "ieee8021ad.priority", 1);
        Set(e, "vlan.id", TestFrames.VlanId);
        Set(e, "vlan.priority", TestFrames.VlanPriority);
    }

    private static void ExpectNetwork(Dictionary<string, string> e, TestFrame frame)
    {
        if (frame.IsIpv6)
        {
            var withExtensions = frame.Network == NetworkLayer.Ipv6WithExtensions;
            Set(e, "ipv6.src", TestFrames.SourceIpv6);
            Set(e, "ipv6.dst", TestFrames.DestinationIpv6);
            Set(e, "ipv6.hlim", TestFrames.Ttl);
            Set(e, "ipv6.tclass.dscp", TestFrames.Dscp);
            Set(e, "ipv6.tclass.ecn", TestFrames.Ecn);
            Set(e, "ipv6.flow", withExtensions ? 0 : 0xBEEF);
            Set(e, "ipv6.plen", (withExtensions ? 16 : 0) + TransportAndPayloadLength(frame));
            return;
        }

        var headerLength = frame.Network == NetworkLayer.Ipv4WithOptions ? 28 : 20;
        Set(e, "ip.src", TestFrames.SourceIpv4);
        Set(e, "ip.dst", TestFrames.DestinationIpv4);
        Set(e, "ip.ttl", TestFrames.Ttl);
        Set(e, "ip.dsfield.dscp", TestFrames.Dscp);
        Set(e, "ip.dsfield.ecn", TestFrames.Ecn);
        Set(e, "ip.hdr_len", headerLength);
        Set(e, "ip.len", headerLength + TransportAndPayloadLength(frame));
        Set(e, "ip.checksum.status", Good);
    }

    private static void ExpectTransport(Dictionary<string, string> e, TestFrame frame)
    {
        switch (frame.Transport)
        {
            case Transport.Tcp:
                Set(e, "ip.proto", IpProtocols.Tcp, frame.IsIpv6);
                Set(e, "tcp.srcport", TestFrames.SourcePort);
                Set(e, "tcp.dstport", TestFrames.DestinationPort);
                Set(e, "tcp.seq_raw", TestFrames.TcpSequence);
                Set(e, "tcp.flags", TcpHeader.Syn | TcpHeader.Ack);
                Set(e, "tcp.hdr_len", 24);
                Set(e, "tcp.options.mss_val", 1460);
                Set(e, "tcp.checksum.status", Good);
                break;
            case Transport.Udp:
                Set(e, "ip.proto", IpProtocols.Udp, frame.IsIpv6);
                Set(e, "udp.srcport", TestFrames.SourcePort);
                Set(e, "udp.dstport", TestFrames.DestinationPort);
                Set(e, "udp.length", UdpHeader.Size + TestFrames.Payload.Length);
                Set(e, "udp.checksum.status", Good);
                break;
            case Transport.IcmpEcho when frame.IsIpv6:
                Set(e, "icmpv6.type", IcmpHeader.Icmpv6EchoRequest);
                Set(e, "icmpv6.echo.identifier", TestFrames.IcmpIdentifier);
                Set(e, "icmpv6.echo.sequence_number", TestFrames.IcmpSequence);
                Set(e, "icmpv6.checksum.status", Good);
                break;
            default:
                Set(e, "ip.proto", IpProtocols.Icmp);
                Set(e, "icmp.type", IcmpHeader.EchoRequest);
                Set(e, "icmp.ident", TestFrames.IcmpIdentifier);
                Set(e, "icmp.seq", TestFrames.IcmpSequence);
                Set(e, "icmp.checksum.status", Good);
                break;
        }
    }

    private static Dictionary<string, string> ExpectArp()
    {
        var e = new Dictionary<string, string>();
        ExpectServiceTag(e);
        Set(e, "arp.opcode", ArpPacket.Request);
        Set(e, "arp.src.hw_mac", TestFrames.SourceMac);
        Set(e, "arp.src.proto_ipv4", TestFrames.SourceIpv4);
        Set(e, "arp.dst.proto_ipv4", TestFrames.DestinationIpv4);
        return e;
    }

    private static Dictionary<string, string> ExpectFragment(bool ipv6, bool later)
    {
        var e = new Dictionary<string, string>();
        if (ipv6)
        {
            Set(e, "ipv6.fraghdr.nxt", IpProtocols.Udp);
            Set(e, "ipv6.fraghdr.offset", later ? 4 : 0);
            Set(e, "ipv6.fraghdr.more", later ? 0 : 1);
            Set(e, "ipv6.fraghdr.ident", 0xCAFE);
        }
        else
        {
            Set(e, "ip.proto", IpProtocols.Udp);
            Set(e, "ip.flags.mf", later ? 0 : 1);
            Set(e, "ip.frag_offset", later ? 4 : 0);
            Set(e, "ip.id", 0xCAFE);
        }

        return e;
    }

    private static int TransportAndPayloadLength(TestFrame frame) =>
        TestFrames.Payload.Length + frame.Transport switch
        {
            Transport.Tcp => 24,
            Transport.Udp => UdpHeader.Size,
            _ => IcmpHeader.Size,
        };

    /// <summary>IPv6 has no ip.proto field: its next header is checked through the layer that follows.</summary>
    private static void Set(Dictionary<string, string> e, string field, byte protocol, bool ipv6)
    {
        if (!ipv6)
        {
            Set(e, field, protocol);
        }
    }

    private static void Set(Dictionary<string, string> e, string field, params object[] values) =>
        e[field] = string.Join(',', values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    /// <summary>tshark prints MACs, addresses, hex and booleans in their own notations; this turns each into a decimal number.</summary>
    private static string Normalize(string value) => string.Join(',', value.Split(',').Select(NormalizeOne));

    private static string NormalizeOne(string value)
    {
        if (value.Length == 17 && value.Count(c => c == ':') == 5)
        {
            return ulong.Parse(value.Replace(":", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                .ToString(CultureInfo.InvariantCulture);
        }

        if ((value.Contains('.', StringComparison.Ordinal) || value.Contains(':', StringComparison.Ordinal)) && IPAddress.TryParse(value, out var address))
        {
            var bytes = address.GetAddressBytes();
            return bytes.Aggregate(UInt128.Zero, (n, b) => (n << 8) | b).ToString(CultureInfo.InvariantCulture);
        }

        if (value.StartsWith("0x", StringComparison.Ordinal))
        {
            return ulong.Parse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        }

        return value switch
        {
            "True" => "1",
            "False" => "0",
            _ => value,
        };
    }

    private sealed record DecodeCase(string Name, byte[] Bytes, Dictionary<string, string> Expected);
}
