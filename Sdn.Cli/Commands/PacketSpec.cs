using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Cli.Commands;

/// <summary>
/// A packet described the way `ovs-appctl ofproto/trace` takes it: a protocol and field=value pairs, such as
/// <c>icmp,nw_dst=10.1.0.12</c>, <c>udp,nw_dst=10.1.0.12,tp_dst=53</c> or <c>arp,arp_tpa=10.1.0.1</c>; or
/// <c>hex:</c> and the whole frame. Fields left out are what a packet sent from the port would carry: its MAC
/// and address as sources, and as destination MAC the MAC of the model port that owns the destination address
/// (broadcast for an ARP request, or when no port owns it), or the tenant router's for a destination beyond the
/// port's network.
/// </summary>
internal sealed class PacketSpec
{
    private const string HexPrefix = "hex:";
    private const ulong Broadcast = 0xFFFF_FFFF_FFFF;
    private const ushort DefaultSourcePort = 40000;

    /// <summary>The source MAC of a packet from the outside when none is given: a locally administered one, as no outside host is in the model.</summary>
    private const string OutsideMac = "02:00:00:00:00:01";

    private static readonly Dictionary<string, (ushort EtherType, byte IpProtocol)> Protocols = new(StringComparer.Ordinal)
    {
        ["icmp"] = (EtherTypes.Ipv4, IpProtocols.Icmp),
        ["udp"] = (EtherTypes.Ipv4, IpProtocols.Udp),
        ["tcp"] = (EtherTypes.Ipv4, IpProtocols.Tcp),
        ["arp"] = (EtherTypes.Arp, 0),
        ["icmp6"] = (EtherTypes.Ipv6, IpProtocols.Icmpv6),
        ["udp6"] = (EtherTypes.Ipv6, IpProtocols.Udp),
        ["tcp6"] = (EtherTypes.Ipv6, IpProtocols.Tcp),
    };

    /// <summary>Each field and the protocols it belongs to (null: all of them).</summary>
    private static readonly Dictionary<string, string[]?> Fields = new(StringComparer.Ordinal)
    {
        ["dl_src"] = null,
        ["dl_dst"] = null,
        ["dl_vlan"] = null,
        ["nw_src"] = ["icmp", "udp", "tcp", "arp"],
        ["nw_dst"] = ["icmp", "udp", "tcp", "arp"],
        ["ipv6_src"] = ["icmp6", "udp6", "tcp6"],
        ["ipv6_dst"] = ["icmp6", "udp6", "tcp6"],
        ["nw_ttl"] = ["icmp", "udp", "tcp", "icmp6", "udp6", "tcp6"],
        ["ip_dscp"] = ["icmp", "udp", "tcp", "icmp6", "udp6", "tcp6"],
        ["tp_src"] = ["udp", "tcp", "udp6", "tcp6"],
        ["tp_dst"] = ["udp", "tcp", "udp6", "tcp6"],
        ["icmp_type"] = ["icmp", "icmp6"],
        ["icmp_code"] = ["icmp", "icmp6"],
        ["arp_op"] = ["arp"],
        ["arp_spa"] = ["arp"],
        ["arp_tpa"] = ["arp"],
        ["arp_sha"] = ["arp"],
        ["arp_tha"] = ["arp"],
    };

    private readonly string _protocol;
    private readonly Dictionary<string, string> _values;
    private readonly byte[]? _frame;

    private PacketSpec(string protocol, Dictionary<string, string> values, byte[]? frame)
    {
        this._protocol = protocol;
        this._values = values;
        this._frame = frame;
    }

    /// <exception cref="CommandException">The text names no protocol, an unknown field, a field twice, or a field of another protocol.</exception>
    public static PacketSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith(HexPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return new PacketSpec(string.Empty, [], Hex(text[HexPrefix.Length..]));
        }

        string? protocol = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 && Protocols.ContainsKey(token))
            {
                protocol = protocol is null ? token : throw Bad($"names two protocols, {protocol} and {token}");
            }
            else if (equals < 0 || !Fields.ContainsKey(token[..equals]))
            {
                throw Bad($"'{token}' is no protocol or field; protocols: {string.Join(", ", Protocols.Keys)}; fields: {string.Join(", ", Fields.Keys)}");
            }
            else if (!values.TryAdd(token[..equals], token[(equals + 1)..]))
            {
                throw Bad($"{token[..equals]} is given twice");
            }
        }

        if (protocol is null)
        {
            throw Bad($"name a protocol: {string.Join(", ", Protocols.Keys)} (or give the frame as hex:BYTES)");
        }

        if (values.Keys.FirstOrDefault(f => Fields[f] is { } protocols && !protocols.Contains(protocol)) is { } misplaced)
        {
            throw Bad($"{misplaced} does not apply to {protocol}");
        }

        return new PacketSpec(protocol, values, null);
    }

    /// <summary>The frame as it would leave <paramref name="from"/>; <paramref name="ports"/> supply the destination MAC.</summary>
    /// <exception cref="CommandException">A field's value is malformed, or the destination is missing.</exception>
    /// <param name="network">The network of <paramref name="from"/>: a destination outside its subnets is sent to the tenant's router.</param>
    public byte[] Build(Port from, Network network, IReadOnlyList<Port> ports)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(ports);
        if (_frame is not null)
        {
            return _frame;
        }

        var buffer = new byte[256];
        var builder = new FrameBuilder(buffer);
        var (etherType, ipProtocol) = Protocols[_protocol];
        var source = Mac("dl_src", from.Mac);
        if (_values.ContainsKey("dl_vlan"))
        {
            builder.Ethernet(DestinationMac(from, network, ports, etherType), source, EtherTypes.Vlan);
            builder.Vlan((ushort)Number("dl_vlan", "0", 4095), etherType);
        }
        else
        {
            builder.Ethernet(DestinationMac(from, network, ports, etherType), source, etherType);
        }

        switch (etherType)
        {
            case EtherTypes.Arp:
                var operation = (ushort)Number("arp_op", "1", 2);
                builder.Arp(operation, Mac("arp_sha", Value("dl_src", from.Mac)), Ipv4("arp_spa", Value("nw_src", from.Ipv4)), Mac("arp_tha", "00:00:00:00:00:00"), TargetIpv4());
                break;
            case EtherTypes.Ipv4:
                builder.Ipv4(Ipv4("nw_src", from.Ipv4), TargetIpv4(), ipProtocol, (byte)Number("nw_ttl", "64", 255), dscp: (byte)Number("ip_dscp", "0", 63));
                Transport(ref builder, buffer, ipProtocol, echoRequest: 8);
                break;
            default:
                builder.Ipv6(Ipv6("ipv6_src", from.Ipv6), Ipv6("ipv6_dst", string.Empty), ipProtocol, (byte)Number("nw_ttl", "64", 255), trafficClass: (byte)(Number("ip_dscp", "0", 63) << 2));
                Transport(ref builder, buffer, ipProtocol, echoRequest: 128);
                break;
        }

        return builder.TryFinish(out var length) ? buffer[..length] : throw new InvalidOperationException("a described packet always fits its buffer");
    }

    /// <summary>
    /// The frame as it would arrive from <paramref name="external"/>'s outside: fields left out are from a host of the
    /// outside (the external network's router's address of the packet's family, a MAC of the outside) to the gateway's MAC.
    /// </summary>
    /// <exception cref="CommandException">A field's value is malformed, the destination is missing, or no source address is given when the network has no router.</exception>
    public byte[] BuildFromOutside(ExternalNetwork external)
    {
        ArgumentNullException.ThrowIfNull(external);
        var ipv6 = _frame is null && _protocol.EndsWith('6');
        if (ipv6 && external.Ipv6Subnet.Length == 0)
        {
            throw Bad($"external network '{external.Name}' has no IPv6 side, so only IPv4 crosses its gateway; give icmp, udp, tcp or arp");
        }

        var (router, source) = ipv6 ? (external.Ipv6Router, "ipv6_src") : (external.Ipv4Router, "nw_src");
        if (_frame is null && router.Length == 0 && !_values.ContainsKey(source))
        {
            throw Bad($"external network '{external.Name}' has no {(ipv6 ? "IPv6 " : string.Empty)}router to send from: give {source}, an address of the outside");
        }

        var toGateway = _values.ContainsKey("dl_dst") || _protocol == "arp" ? _values : new Dictionary<string, string>(_values, StringComparer.Ordinal) { ["dl_dst"] = MacAddress.GatewayOf(external) };
        var outside = new Port { Name = external.Name, Mac = OutsideMac, Ipv4 = external.Ipv4Router, Ipv6 = external.Ipv6Router };
        return new PacketSpec(_protocol, toGateway, _frame).Build(outside, new Network { Ipv4Subnet = external.Ipv4Subnet, Ipv6Subnet = external.Ipv6Subnet }, []);
    }

    private static CommandException Bad(string problem) => new($"--packet: {problem}");

    private static byte[] Hex(string text)
    {
        var digits = string.Concat(text.Where(c => c is not (':' or ' ' or '-')));
        try
        {
            var bytes = Convert.FromHexString(digits);
            return bytes.Length >= EthernetHeader.Size ? bytes : throw Bad($"hex: {bytes.Length} bytes is shorter than an Ethernet header");
        }
        catch (FormatException)
        {
            throw Bad("hex: give the frame as hexadecimal bytes, such as hex:ffffffffffff0200...");
        }
    }

    private void Transport(ref FrameBuilder builder, byte[] buffer, byte ipProtocol, byte echoRequest)
    {
        switch (ipProtocol)
        {
            case IpProtocols.Udp:
                builder.Udp((ushort)Number("tp_src", DefaultSourcePort.ToString(CultureInfo.InvariantCulture), ushort.MaxValue), (ushort)Number("tp_dst", "0", ushort.MaxValue));
                break;
            case IpProtocols.Tcp:
                builder.Tcp((ushort)Number("tp_src", DefaultSourcePort.ToString(CultureInfo.InvariantCulture), ushort.MaxValue), (ushort)Number("tp_dst", "0", ushort.MaxValue), 0, 0, TcpHeader.Syn);
                break;
            default:
                var icmp = builder.Length;
                builder.IcmpEcho((byte)Number("icmp_type", echoRequest.ToString(CultureInfo.InvariantCulture), 255), identifier: 1, sequenceNumber: 1);
                buffer[icmp + 1] = (byte)Number("icmp_code", "0", 255);
                break;
        }
    }

    private ulong DestinationMac(Port from, Network network, IReadOnlyList<Port> ports, ushort etherType)
    {
        if (_values.ContainsKey("dl_dst"))
        {
            return Mac("dl_dst", string.Empty);
        }

        if (etherType == EtherTypes.Arp && Number("arp_op", "1", 2) == 1)
        {
            return Broadcast;
        }

        var (destination, subnet) = etherType == EtherTypes.Ipv6
            ? (new IPAddress(Ipv6Bytes("ipv6_dst", string.Empty)), network.Ipv6Subnet)
            : (new IPAddress(TargetIpv4Bytes()), network.Ipv4Subnet);
        if (IPNetwork.TryParse(subnet, out var onLink) && !onLink.Contains(destination))
        {
            return Mac("dl_dst", MacAddress.RouterOf(network.Tenant));
        }

        var owner = ports.FirstOrDefault(p => p.Network == from.Network && Owns(etherType == EtherTypes.Ipv6 ? p.Ipv6 : p.Ipv4, destination));
        return owner is null ? Broadcast : Mac("dl_dst", owner.Mac);
    }

    private static bool Owns(string portAddress, IPAddress address) => IPAddress.TryParse(portAddress, out var own) && own.Equals(address);

    /// <summary>The destination address: nw_dst, or for ARP arp_tpa (nw_dst stands for it too).</summary>
    private uint TargetIpv4() => BinaryPrimitives.ReadUInt32BigEndian(TargetIpv4Bytes());

    private byte[] TargetIpv4Bytes() => Ipv4Bytes(_values.ContainsKey("arp_tpa") ? "arp_tpa" : "nw_dst", string.Empty);

    private string Value(string field, string fallback) => _values.GetValueOrDefault(field, fallback);

    private ulong Mac(string field, string fallback)
    {
        var text = Value(field, fallback);
        return PhysicalAddress.TryParse(text, out var mac) && mac.GetAddressBytes() is { Length: 6 } bytes
            ? EthernetHeader.ReadMac(bytes)
            : throw Bad($"{field}={text} is not a MAC address such as 02:00:00:00:00:01");
    }

    private uint Ipv4(string field, string fallback) => BinaryPrimitives.ReadUInt32BigEndian(Ipv4Bytes(field, fallback));

    private byte[] Ipv4Bytes(string field, string fallback) => Address(field, fallback, AddressFamily.InterNetwork, "IPv4");

    private UInt128 Ipv6(string field, string fallback) => BinaryPrimitives.ReadUInt128BigEndian(Ipv6Bytes(field, fallback));

    private byte[] Ipv6Bytes(string field, string fallback) => Address(field, fallback, AddressFamily.InterNetworkV6, "IPv6");

    private byte[] Address(string field, string fallback, AddressFamily family, string familyName)
    {
        var text = Value(field, fallback);
        if (text.Length == 0)
        {
            throw Bad($"{field} is needed: it has no default ({(field.Contains("src", StringComparison.Ordinal) ? $"the port has no {familyName} address" : "name the destination")})");
        }

        return IPAddress.TryParse(text, out var address) && address.AddressFamily == family
            ? address.GetAddressBytes()
            : throw Bad($"{field}={text} is not an {familyName} address");
    }

    private long Number(string field, string fallback, long max)
    {
        var text = Value(field, fallback);
        var parsed = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var number)
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);
        return parsed && number <= max ? number : throw Bad($"{field}={text} is not a number from 0 to {max}");
    }
}
