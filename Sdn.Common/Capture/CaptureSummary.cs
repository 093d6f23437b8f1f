using System.Globalization;
using System.Net;
using System.Text;
using Sdn.Common.Packets;

namespace Sdn.Common.Capture;

/// <summary>
/// One line per captured frame in the manner of `tcpdump -nn`, prefixed with the port and the direction:
/// <c>12:00:01.123456 e1/vm1 In IP 10.1.0.11.40000 &gt; 10.1.0.12.53: UDP, length 8</c>.
/// </summary>
public static class CaptureSummary
{
    public static string Format(CapturedFrame frame, string portName)
    {
        var time = DateTime.UnixEpoch.AddTicks(frame.TimestampNanoseconds / 100).ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        var direction = frame.Direction switch
        {
            CaptureDirection.Inbound => "In",
            CaptureDirection.Outbound => "Out",
            _ => "?",
        };
        return $"{time} {portName} {direction} {Describe(frame.Bytes, frame.OriginalLength)}";
    }

    /// <summary>What the frame carries, as tcpdump -nn would say it (without timestamp).</summary>
    public static string Describe(ReadOnlySpan<byte> frame, int originalLength)
    {
        var result = FlowKeyExtractor.Extract(frame, 0, out var key, out var offsets);
        var text = new StringBuilder();
        if ((key.VlanTci & FlowKey.VlanTagPresent) != 0)
        {
            if ((key.OuterVlanTci & FlowKey.VlanTagPresent) != 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"vlan {key.OuterVlanTci & 0xFFF}, ");
            }

            text.Append(CultureInfo.InvariantCulture, $"vlan {key.VlanTci & 0xFFF}, ");
        }

        if (!result.IsOk)
        {
            return text.Append(CultureInfo.InvariantCulture, $"[{result.Layer} {result.Status.ToString().ToLowerInvariant()}], length {originalLength}").ToString();
        }

        switch (key.EthType)
        {
            case EtherTypes.Arp:
                DescribeArp(text, key, frame.Length - offsets.Network);
                break;
            case EtherTypes.Ipv4:
                DescribeIp(text, "IP", Ipv4(key.Ipv4Src), Ipv4(key.Ipv4Dst), key, frame, offsets);
                break;
            case EtherTypes.Ipv6:
                DescribeIp(text, "IP6", Ipv6(key.Ipv6Src), Ipv6(key.Ipv6Dst), key, frame, offsets);
                break;
            case EtherTypes.MplsUnicast or EtherTypes.MplsMulticast:
                DescribeMpls(text, frame, offsets, originalLength);
                break;
            default:
                text.Append(CultureInfo.InvariantCulture, $"ethertype 0x{key.EthType:x4}, length {originalLength}");
                break;
        }

        return text.ToString();
    }

    private static void DescribeArp(StringBuilder text, in FlowKey key, int length)
    {
        var sender = Ipv4(key.ArpSpa);
        var target = Ipv4(key.ArpTpa);
        text.Append(key.ArpOp switch
        {
            ArpPacket.Request => $"ARP, Request who-has {target} tell {sender}, length {length}",
            ArpPacket.Reply => $"ARP, Reply {sender} is-at {Mac(key.EthSrc)}, length {length}",
            _ => $"ARP, op {key.ArpOp}, length {length}",
        });
    }

    private static void DescribeIp(StringBuilder text, string family, string source, string destination, in FlowKey key, ReadOnlySpan<byte> frame, HeaderOffsets offsets)
    {
        var payloadLength = offsets.Payload == HeaderOffsets.Absent ? 0 : frame.Length - offsets.Payload;
        text.Append(family).Append(' ');
        switch (key.IpProto)
        {
            case IpProtocols.Udp:
                text.Append(CultureInfo.InvariantCulture, $"{source}.{key.L4Src} > {destination}.{key.L4Dst}: UDP, length {payloadLength}");
                break;
            case IpProtocols.Tcp:
                var flags = TcpHeader.Parse(frame[offsets.Transport..], out var tcp) == ParseStatus.Ok ? TcpFlags(tcp.Flags) : "?";
                text.Append(CultureInfo.InvariantCulture, $"{source}.{key.L4Src} > {destination}.{key.L4Dst}: Flags [{flags}], length {payloadLength}");
                break;
            case IpProtocols.Icmp or IpProtocols.Icmpv6:
                text.Append(CultureInfo.InvariantCulture, $"{source} > {destination}: {IcmpName(key)}, length {frame.Length - offsets.Transport}");
                break;
            default:
                text.Append(CultureInfo.InvariantCulture, $"{source} > {destination}: ip-proto-{key.IpProto}");
                break;
        }
    }

    private static void DescribeMpls(StringBuilder text, ReadOnlySpan<byte> frame, HeaderOffsets offsets, int originalLength)
    {
        text.Append("MPLS");
        var stack = frame[offsets.Mpls..offsets.Payload];
        for (var at = 0; MplsLabelStackEntry.TryRead(stack[at..], out var entry); at += MplsLabelStackEntry.Size)
        {
            text.Append(CultureInfo.InvariantCulture, $" (label {entry.Label}, tc {entry.TrafficClass}, {(entry.BottomOfStack ? "[S], " : "")}ttl {entry.Ttl})");
        }

        text.Append(CultureInfo.InvariantCulture, $", length {originalLength}");
    }

    private static string IcmpName(in FlowKey key) => (key.IpProto, key.IcmpType) switch
    {
        (IpProtocols.Icmp, 8) => "ICMP echo request",
        (IpProtocols.Icmp, 0) => "ICMP echo reply",
        (IpProtocols.Icmp, _) => $"ICMP type {key.IcmpType}, code {key.IcmpCode}",
        (_, 128) => "ICMP6, echo request",
        (_, 129) => "ICMP6, echo reply",
        (_, 135) => "ICMP6, neighbor solicitation",
        (_, 136) => "ICMP6, neighbor advertisement",
        _ => $"ICMP6, type {key.IcmpType}, code {key.IcmpCode}",
    };

    private static string TcpFlags(byte flags)
    {
        var text = new StringBuilder();
        foreach (var (bit, letter) in new[] { (TcpHeader.Syn, 'S'), (TcpHeader.Fin, 'F'), (TcpHeader.Rst, 'R'), (TcpHeader.Psh, 'P'), (TcpHeader.Urg, 'U'), (TcpHeader.Ack, '.') })
        {
            if ((flags & bit) != 0)
            {
                text.Append(letter);
            }
        }

        return text.Length == 0 ? "none" : text.ToString();
    }

    private static string Ipv4(uint address) => new IPAddress(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(address)).ToString();

    private static string Ipv6(UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes).ToString();
    }

    private static string Mac(ulong address) =>
        string.Join(':', Enumerable.Range(0, 6).Select(i => ((address >> (40 - (8 * i))) & 0xFF).ToString("x2", CultureInfo.InvariantCulture)));
}
